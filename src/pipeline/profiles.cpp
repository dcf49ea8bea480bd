#include "pipeline/profiles.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace fp::pipeline {

nlohmann::ordered_json Profile::to_json() const {
  nlohmann::ordered_json size;
  if (!input_size.empty()) size = {input_size.width, input_size.height};
  return {{"stride", stride}, {"fps", fps}, {"input_size", size}, {"cpus", cpus}};
}

std::vector<std::string> profile_names() { return {"low_power", "balanced", "performance"}; }

Result<Profile> find_profile(const std::string& name, int cores) {
  if (name == "low_power") return Profile{name, 2, 5, cv::Size(320, 320), 1};
  if (name == "balanced") return Profile{name, 1, 10, cv::Size(416, 416), std::max(1, cores / 2)};
  if (name == "performance") return Profile{name, 1, 0, cv::Size(), cores};
  return Error("unknown profile '" + name + "' (known: " + join(profile_names(), ", ") + ")");
}

}  // namespace fp::pipeline
