#include "run/run_report_writer.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "io/jsonl_writer.hpp"
#include "io/pending_file.hpp"

namespace fp::run {

namespace fs = std::filesystem;

namespace {

// Writes `bytes` zero bytes to a new file at `path`; the Error says why it stopped short.
Status write_zeros(const fs::path& path, size_t bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error(std::strerror(errno));
  const std::vector<char> zeros(16 * 1024, 0);
  size_t done = 0;
  while (done < bytes) {
    const ssize_t n = ::write(fd, zeros.data(), std::min(zeros.size(), bytes - done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return Error(std::strerror(error));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Error(std::strerror(errno));
  return ok_status();
}

std::string report_text(const nlohmann::ordered_json& report) {
  return io::dump_json(report, 2) + "\n";
}

}  // namespace

RunReportWriter::RunReportWriter(fs::path dir, size_t reserve_bytes, double interval_seconds)
    : dir_(std::move(dir)), reserve_bytes_(reserve_bytes), interval_seconds_(interval_seconds) {}

RunReportWriter::~RunReportWriter() { remove_reserve(); }

size_t RunReportWriter::reserve_for(size_t inputs) { return (64 + inputs) * 1024; }

fs::path RunReportWriter::reserve_path(const fs::path& dir) { return dir / ".run.json.reserve"; }

void RunReportWriter::start(const nlohmann::ordered_json& report) {
  // What is written stays: part of a reserve still helps.
  const Status reserved = write_zeros(reserve_path(dir_), reserve_bytes_);
  if (!reserved.ok()) {
    spdlog::warn(
        "cannot reserve {} KiB in {} for the final run.json ({}): if the disk fills up, "
        "run.json may keep an earlier state of the run",
        reserve_bytes_ / 1024, dir_.string(), reserved.error().message());
  }
  write_running(report);
}

void RunReportWriter::update(const std::function<nlohmann::ordered_json()>& build) {
  if (seconds_since(last_write_) < interval_seconds_) return;
  write_running(build());
}

Status RunReportWriter::finish(const nlohmann::ordered_json& report) {
  remove_reserve();
  return io::write_file_atomically(dir_ / "run.json", report_text(report), io::Durability::kOnDisk);
}

Status RunReportWriter::commit(const nlohmann::ordered_json& report, io::OutputSet& outputs) {
  remove_reserve();
  const io::PendingFile file(dir_ / "run.json");
  // To the page cache: the commit syncs every staged file to the disk first.
  FP_RETURN_IF_ERROR(file.write(report_text(report), io::Durability::kPageCache));
  outputs.add(file);
  return outputs.commit();
}

void RunReportWriter::write_running(const nlohmann::ordered_json& report) {
  last_write_ = SteadyClock::now();
  const Status written = io::write_file_atomically(dir_ / "run.json", report_text(report));
  if (!written.ok() && !warned_) {
    warned_ = true;
    spdlog::warn("cannot update run.json during the run ({}); it is written again at the end",
                 written.error().message());
  }
}

void RunReportWriter::remove_reserve() {
  std::error_code ignored;
  fs::remove(reserve_path(dir_), ignored);
}

}  // namespace fp::run
