// Service: `framepipe serve`, the HTTP job service (README "Job service"): the API, the
// dashboard, /metrics, on cpp-httplib, over a Scheduler.
//
// Every /api route and /metrics needs the token when one is set (`Authorization: Bearer T`; GET
// requests may give `?access_token=T`, for the browser's EventSource), compared in constant
// time; /, /static/* and /healthz do not. Errors are {"error", "field"} with their status.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "serve/job_request.hpp"
#include "serve/scheduler.hpp"
#include "serve/service_metrics.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace fp::serve {

struct ServiceOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (port() says which)
  std::string token;
  RequestRules rules;
  SchedulerOptions scheduler;
  size_t max_body = 64 * 1024;  // bytes of a request body; more: 413
  int threads = 32;             // requests served at once (each SSE stream or wait holds one)
};

// True for 127.0.0.0/8, ::1 and localhost.
bool is_loopback(const std::string& host);

class Service {
 public:
  // Binds the listener and starts the scheduler (jobs left queued start). A non-loopback host
  // without a token is an Error.
  static Result<std::unique_ptr<Service>> start(ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  int port() const { return port_; }
  // Serves until stop() (from any thread or a signal handler's thread).
  void run();
  void stop();

 private:
  explicit Service(ServiceOptions options);
  using Handler = void (Service::*)(const httplib::Request&, httplib::Response&);
  void route(const char* method, const char* pattern, const char* label, Handler handler,
             bool open = false);
  bool authorized(const httplib::Request& request) const;
  std::string job_json(const Job& job) const;

  void dashboard(const httplib::Request& request, httplib::Response& response);
  void healthz(const httplib::Request& request, httplib::Response& response);
  void metrics(const httplib::Request& request, httplib::Response& response);
  void pipelines(const httplib::Request& request, httplib::Response& response);
  void media(const httplib::Request& request, httplib::Response& response);
  void list_jobs(const httplib::Request& request, httplib::Response& response);
  void submit(const httplib::Request& request, httplib::Response& response);
  void get_job(const httplib::Request& request, httplib::Response& response);
  void cancel(const httplib::Request& request, httplib::Response& response);
  void events(const httplib::Request& request, httplib::Response& response);
  void file(const httplib::Request& request, httplib::Response& response);

  const ServiceOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<Scheduler> scheduler_;
  ServiceMetrics metrics_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

}  // namespace fp::serve
