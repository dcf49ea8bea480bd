// Fuzz target: a job request body (serve::parse_job_request). Any bytes are either refused with a
// 400 or 422 that says what is wrong, or give a job whose inputs and gallery lie inside the media
// root (never a path out of it, however the request spells it), with sane options.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_check.hpp"
#include "serve/job_request.hpp"

namespace {

namespace fs = std::filesystem;

// A media root with a file, a folder and a link pointing out of it; a pipelines folder with one.
const fp::serve::RequestRules& rules() {
  static const fp::serve::RequestRules made = [] {
    const fs::path base =
        fs::temp_directory_path() / ("framepipe-fuzz-serve-" + std::to_string(getpid()));
    fs::create_directories(base / "media" / "gallery" / "Ann");
    fs::create_directories(base / "pipelines");
    std::ofstream(base / "media" / "a.mp4") << "x";
    std::ofstream(base / "pipelines" / "people.yaml") << "name: people\n";
    std::error_code ignored;
    fs::create_symlink("/etc/passwd", base / "media" / "out.mp4", ignored);
    fp::serve::RequestRules r;
    r.media_roots = {fs::canonical(base / "media")};
    r.pipelines = base / "pipelines";
    return r;
  }();
  return made;
}

bool inside_root(const std::string& path) {
  const std::string root = rules().media_roots[0].string() + "/";
  return path.rfind(root, 0) == 0 && path.find("/../") == std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const auto parsed = fp::serve::parse_job_request(body, rules());
  if (const auto* error = std::get_if<fp::serve::ApiError>(&parsed)) {
    FUZZ_CHECK(error->status == 400 || error->status == 422);
    FUZZ_CHECK(!error->message.empty());
    return 0;
  }
  const fp::serve::Job& job = std::get<fp::serve::JobRequest>(parsed).job;
  FUZZ_CHECK(job.pipeline == "people");
  FUZZ_CHECK(!job.input_paths.empty() && job.input_paths.size() == job.inputs.size());
  for (const std::string& path : job.input_paths) FUZZ_CHECK(inside_root(path));
  FUZZ_CHECK(job.gallery_path.empty() || inside_root(job.gallery_path));
  const fp::serve::JobOptions& o = job.options;
  FUZZ_CHECK(o.cpus >= 1 && (!o.stride || *o.stride >= 1));
  FUZZ_CHECK(!o.fps || *o.fps > 0);
  return 0;
}
