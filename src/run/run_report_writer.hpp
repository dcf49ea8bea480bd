// RunReportWriter: keeps run.json current through a run, so that however the run ends (done,
// failed, out of disk space, killed with kill -9 or a second Ctrl-C) its folder holds a whole
// run.json: the final report, or else the last one written while it ran (status "running").
//
// start() reserves some space beside run.json (a file of real bytes, so its blocks are the run's)
// and writes the first report; update() rewrites it while the run goes, building it only when it
// is due (at most once per interval); finish() frees the reserve, then writes the final report, so
// a disk that filled up during the run still has room for it. Every write goes through a
// temporary file renamed into place, and a write that fails leaves no temporary file. Main
// thread only.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "io/output_set.hpp"

namespace fp::run {

class RunReportWriter {
 public:
  // `reserve_bytes`: room kept for the final report (see reserve_for).
  RunReportWriter(std::filesystem::path dir, size_t reserve_bytes, double interval_seconds = 1.0);
  // Removes the reserve: a run that ends before finish() keeps no space it does not need.
  ~RunReportWriter();
  RunReportWriter(const RunReportWriter&) = delete;
  RunReportWriter& operator=(const RunReportWriter&) = delete;

  // Room for the final report of a run over `inputs` inputs (each adds a row to it).
  static size_t reserve_for(size_t inputs);
  static std::filesystem::path reserve_path(const std::filesystem::path& dir);

  // Makes the reserve (as much of it as the disk allows) and writes `report`.
  void start(const nlohmann::ordered_json& report);
  // Writes build() when the interval has passed since the last write; else does not call it.
  void update(const std::function<nlohmann::ordered_json()>& build);
  // Frees the reserve and writes `report`, through to the disk.
  Status finish(const nlohmann::ordered_json& report);
  // Frees the reserve, writes `report` under run.json's temporary name and commits it with
  // `outputs` in one step (which syncs it to the disk): run.json is final exactly when the outputs
  // are.
  Status commit(const nlohmann::ordered_json& report, io::OutputSet& outputs);

 private:
  // A report written during the run: a failure is warned about once, and the run goes on.
  void write_running(const nlohmann::ordered_json& report);
  void remove_reserve();

  std::filesystem::path dir_;
  size_t reserve_bytes_;
  double interval_seconds_;
  SteadyClock::time_point last_write_{};
  bool warned_ = false;
};

}  // namespace fp::run
