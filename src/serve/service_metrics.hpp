// ServiceMetrics: what GET /metrics serves, in the Prometheus text format (prometheus-cpp):
//   framepipe_jobs{state}                           jobs by state (gauge)
//   framepipe_frames_processed_total                frames processed by all jobs (counter)
//   framepipe_job_fps{job}                          fps of each running job (gauge)
//   framepipe_cores_in_use, framepipe_cores_budget  the CPU budget (gauges)
//   framepipe_queue_length                          jobs waiting (gauge)
//   framepipe_http_requests_total{route,method,status}         (counter)
//   framepipe_http_request_duration_seconds{route,method}      (histogram)
// Routes are the API's patterns (/api/jobs/{id}), so a client cannot grow the label set.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "serve/scheduler.hpp"

namespace fp::serve {

class ServiceMetrics {
 public:
  ServiceMetrics();
  // Thread-safe.
  void record_request(const std::string& route, const std::string& method, int status,
                      double seconds);
  // The text, with the job gauges set from `stats` first.
  std::string text(const SchedulerStats& stats);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& jobs_;
  prometheus::Family<prometheus::Counter>& frames_;
  prometheus::Family<prometheus::Gauge>& job_fps_;
  prometheus::Family<prometheus::Gauge>& cores_in_use_;
  prometheus::Family<prometheus::Gauge>& cores_budget_;
  prometheus::Family<prometheus::Gauge>& queue_length_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  std::mutex mutex_;  // text(): the per-job gauges and the frame counter's last value
  std::map<int64_t, prometheus::Gauge*> fps_of_job_;
  int64_t frames_counted_ = 0;
};

}  // namespace fp::serve
