#include "media/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace fp::media {

std::optional<SamplingProblem> check_sampling(const SamplingOptions& o) {
  const std::pair<const char*, double> times[] = {
      {"fps", o.fps}, {"start", o.start}, {"end", o.end}};
  for (const auto& [key, value] : times) {
    if (!std::isfinite(value)) {
      return SamplingProblem{key, std::string("'") + key + "' must be a finite number"};
    }
  }
  if (o.stride < 1) return SamplingProblem{"stride", "'stride' must be 1 or more"};
  if (o.fps < 0) return SamplingProblem{"fps", "'fps' must be 0 (every frame) or more"};
  if (o.start < 0) return SamplingProblem{"start", "'start' must be 0 or more seconds"};
  if (o.end < 0 || (o.end > 0 && o.end <= o.start)) {
    return SamplingProblem{"end", "'end' must be 0 (the end) or later than 'start'"};
  }
  return std::nullopt;
}

bool Sampler::accept(int64_t index, double pts) {
  if (pts < options_.start || finished(pts)) return false;
  if (options_.stride > 1 && index % options_.stride != 0) return false;
  if (options_.fps <= 0) return true;
  // Half a millisecond of slack absorbs timestamp rounding in containers (29.97 fps and friends).
  constexpr double kSlack = 0.0005;
  if (next_pts_ >= 0 && pts + kSlack < next_pts_) return false;
  // Frames are picked on a fixed grid from the first accepted one, so the rate does not drift.
  const double period = 1.0 / options_.fps;
  if (next_pts_ < 0) next_pts_ = pts;
  // A damaged file's timestamps may jump by years: go to the last grid point at or before pts in
  // one step (fmod is exact), not one period at a time.
  const double behind = pts + kSlack - next_pts_;
  if (behind >= period) next_pts_ = pts + kSlack - std::fmod(behind, period);
  // Far from 0 a period may be less than the spacing of doubles: step at least to the next one.
  while (next_pts_ <= pts + kSlack) {
    next_pts_ = std::max(next_pts_ + period, std::nextafter(next_pts_, HUGE_VAL));
  }
  return true;
}

int64_t Sampler::estimate(int64_t frames, double source_fps) const {
  if (frames <= 0) return 0;
  double first = 0, last = static_cast<double>(frames);  // frame positions in [first, last)
  if (source_fps > 0) {
    first = std::min(last, std::ceil(options_.start * source_fps));
    if (options_.end > 0) last = std::min(last, std::ceil(options_.end * source_fps));
  }
  const double span = std::max(0.0, last - first);
  double count = std::ceil(span / options_.stride);
  if (options_.fps > 0 && source_fps > 0) {
    count = std::min(count, std::ceil(span / source_fps * options_.fps));
  }
  return static_cast<int64_t>(count);
}

}  // namespace fp::media
