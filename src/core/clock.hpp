// Monotonic time for measuring stages; wall time never goes into durations.
#pragma once

#include <chrono>

namespace fp {

using SteadyClock = std::chrono::steady_clock;

// Seconds elapsed since `start`.
inline double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace fp
