// The checks of what a client sends: a job request (POST /api/jobs), its inputs and gallery
// resolved inside the media roots, and the output file a download names.
//
// Paths are resolved with symlinks followed (std::filesystem::canonical) and must then lie inside
// a media root: `../`, an absolute path elsewhere, or a link inside a root pointing out never
// reach the engine (422). Stream URLs pass only with --allow-streams, and only for the schemes
// FFmpeg reads live streams from.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "serve/api_error.hpp"
#include "serve/job.hpp"

namespace fp::serve {

struct RequestRules {
  std::vector<std::filesystem::path> media_roots;  // canonical
  std::filesystem::path pipelines;                 // NAME.yaml files
  bool allow_streams = false;
  size_t max_inputs = 64;
};

struct JobRequest {
  Job job;  // pipeline, inputs, options, and their resolved paths
  bool wait = false;
};

ApiResult<JobRequest> parse_job_request(const std::string& body, const RequestRules& rules);

// The file `relative` inside `dir` (a job's output folder), refused (404) when it leaves it.
ApiResult<std::filesystem::path> file_inside(const std::filesystem::path& dir,
                                             const std::string& relative);

// The pipelines' names (NAME of each NAME.yaml), sorted.
std::vector<std::string> pipeline_names(const std::filesystem::path& dir);
// Up to `limit` media files under the roots, relative to their root, sorted.
std::vector<std::string> media_files(const std::vector<std::filesystem::path>& roots, size_t limit);
// The files of a job's output folder, relative to it (folders walked), sorted.
std::vector<std::string> output_files(const std::filesystem::path& dir);

}  // namespace fp::serve
