// Tracker micro-benchmark: the time of one tracker update (one frame) with 10, 100 and 1000
// detections, for ByteTrack and the IoU tracker, in steady state.
//
//   build/bench/tracker_bench [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
//
// The scene: N people-sized boxes walking at constant, random velocities over a canvas sized so
// that the crowd's density stays that of a busy street (each box overlaps a few others at most),
// with detector-like jitter and 5% of the boxes missed in each frame. Compare the time per update
// with the detector's time per frame (YOLOX-nano on one core: about 100 ms).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "track/tracker.hpp"

namespace {

using fp::Box;
using fp::Detection;

class Scene {
 public:
  explicit Scene(int objects) : rng_(7) {
    // About 40 people per 1000x1000 px, whatever N.
    side_ = 1000.0 * std::sqrt(objects / 40.0);
    std::uniform_real_distribution<double> pos(0, side_), vel(-3, 3), size(30, 60);
    for (int i = 0; i < objects; ++i) {
      people_.push_back({pos(rng_), pos(rng_), vel(rng_), vel(rng_), size(rng_)});
    }
  }

  // The next frame's detections.
  std::vector<Detection> next() {
    std::normal_distribution<double> jitter(0, 1.5);
    std::uniform_real_distribution<double> unit(0, 1);
    std::vector<Detection> detections;
    for (Person& p : people_) {
      p.x = std::fmod(p.x + p.vx + side_, side_);
      p.y = std::fmod(p.y + p.vy + side_, side_);
      if (unit(rng_) < 0.05) continue;  // missed by the detector this frame
      const double w = p.width + jitter(rng_), h = 2.5 * p.width + jitter(rng_);
      const auto x = static_cast<float>(p.x + jitter(rng_)),
                 y = static_cast<float>(p.y + jitter(rng_));
      detections.push_back(
          Detection{Box{x, y, x + static_cast<float>(w), y + static_cast<float>(h)}, 0,
                    static_cast<float>(0.3 + 0.7 * unit(rng_)), "person"});
    }
    return detections;
  }

 private:
  struct Person {
    double x, y, vx, vy, width;
  };
  std::mt19937 rng_;
  double side_ = 0;
  std::vector<Person> people_;
};

void run(benchmark::State& state, fp::track::TrackerKind kind) {
  const int objects = static_cast<int>(state.range(0));
  Scene scene(objects);
  fp::track::TrackerOptions options;
  options.kind = kind;
  auto tracker = fp::track::create_tracker(options);
  int frame = 0;
  // Steady state: the tracks exist before timing starts.
  for (; frame < 30; ++frame) tracker->update(scene.next(), frame / 30.0);
  int64_t detections = 0, tracked = 0;
  for (auto _ : state) {
    state.PauseTiming();  // only the tracker is timed, not making the frame
    const std::vector<Detection> frame_detections = scene.next();
    state.ResumeTiming();
    const auto assigned = tracker->update(frame_detections, frame / 30.0);
    ++frame;
    detections += static_cast<int64_t>(assigned.size());
    for (const auto& a : assigned) tracked += a.id != 0;
  }
  state.counters["detections"] =
      static_cast<double>(detections) / static_cast<double>(state.iterations());
  state.counters["tracked_share"] = static_cast<double>(tracked) / static_cast<double>(detections);
}

void BM_ByteTrackUpdate(benchmark::State& state) { run(state, fp::track::TrackerKind::kByteTrack); }
void BM_IouTrackerUpdate(benchmark::State& state) { run(state, fp::track::TrackerKind::kIou); }

BENCHMARK(BM_ByteTrackUpdate)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_IouTrackerUpdate)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
