// Profiles: named starting points that set the frame sampling, the detector's input size and the
// CPU budget together (`profile: balanced` in a pipeline, or `--profile`). Every value a profile
// sets can be overridden key by key: a key written in the pipeline wins over the profile, and a
// command-line flag wins over both. The run report shows the profile, the effective values and
// which keys overrode it.
//
//   profile      stride  fps cap  detector input        cpus
//   low_power    2       5        320 x 320             1
//   balanced     1       10       416 x 416             half the cores (at least 1)
//   performance  1       none     the model's own size  every core
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core/types.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace fp::pipeline {

struct Profile {
  std::string name;
  int stride = 1;
  double fps = 0;       // 0: no cap
  cv::Size input_size;  // empty: each model's registry size
  int cpus = 0;         // for the machine it was resolved on

  nlohmann::ordered_json to_json() const;
};

// The profile called `name` for a machine with `cores` cores; an Error lists the known names.
Result<Profile> find_profile(const std::string& name, int cores);
std::vector<std::string> profile_names();

}  // namespace fp::pipeline
