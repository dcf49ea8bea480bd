#include "run/output_dir.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "io/output_set.hpp"
#include "io/pending_file.hpp"
#include "run/run_report_writer.hpp"

namespace fp::run {

namespace fs = std::filesystem;

namespace {

fs::path without_partial(const fs::path& path) {
  return path.extension() == ".partial" ? fs::path(path).replace_extension() : path;
}

// Whether `path` lies inside the canonical folder `dir`, once the links in its own folder are
// resolved (a link itself is removed, never followed).
bool is_inside(const fs::path& dir, const fs::path& path) {
  const fs::path parent = fs::weakly_canonical(fs::absolute(path).parent_path());
  const fs::path relative = (parent / path.filename()).lexically_relative(dir);
  return !relative.empty() && *relative.begin() != ".." && relative != ".";
}

void remove_output(const fs::path& path) {
  std::error_code ignored;
  fs::remove_all(path, ignored);  // folders too (the face crops)
  fs::remove_all(io::PendingFile(path).temp_path(), ignored);
}

// The outputs, by their final names, that the reports an earlier run left in `dir` list.
std::vector<fs::path> listed_outputs(const fs::path& dir) {
  std::vector<fs::path> listed;
  for (const fs::path& report : {dir / "run.json", dir / "run.json.partial"}) {
    std::ifstream in(report);
    if (!in) continue;
    const auto json = nlohmann::json::parse(in, nullptr, false);
    if (!json.is_object() || !json.contains("outputs") || !json["outputs"].is_object()) continue;
    const nlohmann::json& outputs = json["outputs"];
    // The paths are as that run was given them, perhaps from another working directory: its
    // detections file (always written beside run.json) says how it named `dir`.
    fs::path base;
    if (outputs.contains("detections.jsonl") && outputs["detections.jsonl"].is_string()) {
      base = fs::path(outputs["detections.jsonl"].get<std::string>()).parent_path();
    }
    for (const auto& [name, value] : outputs.items()) {
      if (!value.is_string()) continue;
      fs::path path = without_partial(value.get<std::string>());
      const fs::path relative = base.empty() ? fs::path() : path.lexically_relative(base);
      if (!relative.empty() && *relative.begin() != "..") path = dir / relative;
      listed.push_back(path);
    }
  }
  return listed;
}

}  // namespace

Status prepare_output_dir(const fs::path& dir, const std::vector<fs::path>& outputs) {
  FP_RETURN_IF_ERROR(io::ensure_writable_dir(dir));
  FP_RETURN_IF_ERROR(io::OutputSet::recover(dir));  // a commit a killed run left half done
  const fs::path canonical_dir = fs::weakly_canonical(dir);
  const std::vector<fs::path> listed = listed_outputs(dir);  // before run.json goes
  for (const fs::path& path : outputs) {
    const fs::path parent = fs::weakly_canonical(fs::absolute(path)).parent_path();
    FP_RETURN_IF_ERROR(io::ensure_writable_dir(parent));
    if (parent == canonical_dir) remove_output(path);
  }
  for (const fs::path& path : listed) {
    if (is_inside(canonical_dir, path)) remove_output(path);
  }
  std::vector<fs::path> partials;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() == ".partial") partials.push_back(it->path());
  }
  partials.push_back(RunReportWriter::reserve_path(dir));
  for (const fs::path& path : partials) fs::remove_all(path, ec);
  return ok_status();
}

}  // namespace fp::run
