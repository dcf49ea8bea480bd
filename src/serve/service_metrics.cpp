#include "serve/service_metrics.hpp"

#include <prometheus/text_serializer.h>

namespace fp::serve {

namespace {

template <typename Builder>
auto& family(Builder builder, const char* name, const char* help, prometheus::Registry& registry) {
  return builder.Name(name).Help(help).Register(registry);
}

}  // namespace

ServiceMetrics::ServiceMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      jobs_(family(prometheus::BuildGauge(), "framepipe_jobs", "Jobs by state", *registry_)),
      frames_(family(prometheus::BuildCounter(), "framepipe_frames_processed_total",
                     "Frames processed by all jobs", *registry_)),
      job_fps_(family(prometheus::BuildGauge(), "framepipe_job_fps",
                      "Frames per second of each running job", *registry_)),
      cores_in_use_(family(prometheus::BuildGauge(), "framepipe_cores_in_use",
                           "Cores held by running jobs", *registry_)),
      cores_budget_(family(prometheus::BuildGauge(), "framepipe_cores_budget",
                           "Cores the server may give jobs (--cpus)", *registry_)),
      queue_length_(family(prometheus::BuildGauge(), "framepipe_queue_length",
                           "Jobs waiting for cores", *registry_)),
      requests_(family(prometheus::BuildCounter(), "framepipe_http_requests_total",
                       "HTTP requests by route, method and status", *registry_)),
      durations_(family(prometheus::BuildHistogram(), "framepipe_http_request_duration_seconds",
                        "HTTP request latency by route and method", *registry_)) {}

void ServiceMetrics::record_request(const std::string& route, const std::string& method, int status,
                                    double seconds) {
  requests_.Add({{"route", route}, {"method", method}, {"status", std::to_string(status)}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  durations_.Add({{"route", route}, {"method", method}}, kBuckets).Observe(seconds);
}

std::string ServiceMetrics::text(const SchedulerStats& stats) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& [state, count] : stats.jobs_by_state) {
      jobs_.Add({{"state", state_name(state)}}).Set(static_cast<double>(count));
    }
    if (stats.frames_processed > frames_counted_) {
      frames_.Add({}).Increment(static_cast<double>(stats.frames_processed - frames_counted_));
      frames_counted_ = stats.frames_processed;
    }
    std::map<int64_t, prometheus::Gauge*> running;
    for (const auto& [id, fps] : stats.running_fps) {
      prometheus::Gauge& gauge = job_fps_.Add({{"job", std::to_string(id)}});
      gauge.Set(fps);
      running[id] = &gauge;
    }
    for (const auto& [id, gauge] : fps_of_job_) {
      if (running.count(id) == 0) job_fps_.Remove(gauge);
    }
    fps_of_job_ = std::move(running);
    cores_in_use_.Add({}).Set(stats.cores_in_use);
    cores_budget_.Add({}).Set(stats.cores_budget);
    queue_length_.Add({}).Set(static_cast<double>(stats.queued));
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace fp::serve
