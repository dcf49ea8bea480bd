#include "serve/service.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "serve/dashboard_assets.hpp"

namespace fp::serve {

namespace {

using nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMediaListLimit = 5000;
constexpr size_t kJobListLimit = 500;
constexpr auto kEventInterval = std::chrono::milliseconds(250);
constexpr auto kWaitProbe = std::chrono::milliseconds(400);

void reply(httplib::Response& response, int status, const ordered_json& body) {
  response.status = status;
  response.set_content(body.dump() + "\n", "application/json");
}

void reply_error(httplib::Response& response, const ApiError& error) {
  reply(response, error.status,
        {{"error", error.message},
         {"field", error.field.empty() ? ordered_json(nullptr) : ordered_json(error.field)}});
}

// Equal without an early exit: the time taken does not tell how much of a guess was right.
bool same_secret(const std::string& given, const std::string& secret) {
  unsigned char differ = given.size() == secret.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    differ |= static_cast<unsigned char>(given[i] ^ secret[i % secret.size()]);
  }
  return differ == 0;
}

int64_t job_id(const httplib::Request& request) {
  try {
    return std::stoll(request.matches[1].str());
  } catch (const std::exception&) {
    return -1;  // more digits than an id has: no such job
  }
}

const char* reason(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 401:
      return "missing or wrong token";
    case 404:
      return "not found";
    case 413:
      return "the request body is too large";
    default:
      return "request failed";
  }
}

// cpp-httplib 0.11 (Debian 12) listens with a backlog of 5, fixed in its compiled library: a burst
// of clients (a dashboard's streams, a script's parallel submissions) overflows it and gets
// resets. On Linux listen() again on the listening socket sets a new backlog; the socket is the
// one of this process that accepts on `port`.
void raise_listen_backlog(int port) {
  for (int fd = 0; fd < 1024; ++fd) {
    int accepting = 0;
    socklen_t length = sizeof(accepting);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) != 0 || !accepting) {
      continue;
    }
    sockaddr_storage address{};
    socklen_t size = sizeof(address);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) continue;
    const int bound = address.ss_family == AF_INET6
                          ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
                          : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
    if (bound == port) ::listen(fd, SOMAXCONN);
  }
}

}  // namespace

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Service::Service(ServiceOptions options)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {}

Result<std::unique_ptr<Service>> Service::start(ServiceOptions options) {
  if (!is_loopback(options.host) && options.token.empty()) {
    return Error("--listen " + options.host +
                 " is not a loopback address: give --token, which clients then send as "
                 "'Authorization: Bearer TOKEN'");
  }
  std::unique_ptr<Service> service(new Service(std::move(options)));
  FP_ASSIGN_OR_RETURN(service->scheduler_, Scheduler::start(service->options_.scheduler));
  httplib::Server& server = *service->server_;
  const int threads = service->options_.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(service->options_.max_body);
  server.set_error_handler([](const httplib::Request&, httplib::Response& response) {
    if (response.body.empty())
      reply_error(response, {response.status, reason(response.status), ""});
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
        std::string what = "internal error";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what += std::string(": ") + e.what();
        } catch (...) {
        }
        reply_error(response, {500, what, ""});
      });
  Service& s = *service;
  s.route("GET", "/", "/", &Service::dashboard, true);
  s.route("GET", R"(/static/([A-Za-z0-9_.-]+))", "/static", &Service::dashboard, true);
  s.route("GET", "/healthz", "/healthz", &Service::healthz, true);
  s.route("GET", "/metrics", "/metrics", &Service::metrics);
  s.route("GET", "/api/pipelines", "/api/pipelines", &Service::pipelines);
  s.route("GET", "/api/media", "/api/media", &Service::media);
  s.route("GET", "/api/jobs", "/api/jobs", &Service::list_jobs);
  s.route("POST", "/api/jobs", "/api/jobs", &Service::submit);
  s.route("GET", R"(/api/jobs/(\d+))", "/api/jobs/{id}", &Service::get_job);
  s.route("POST", R"(/api/jobs/(\d+)/cancel)", "/api/jobs/{id}/cancel", &Service::cancel);
  s.route("GET", R"(/api/jobs/(\d+)/events)", "/api/jobs/{id}/events", &Service::events);
  s.route("GET", R"(/api/jobs/(\d+)/files/(.+))", "/api/jobs/{id}/files", &Service::file);
  const int port = s.options_.port;
  if (port == 0) {
    s.port_ = server.bind_to_any_port(s.options_.host);
    if (s.port_ < 0) return Error("cannot listen on " + s.options_.host);
  } else if (server.bind_to_port(s.options_.host, port)) {
    s.port_ = port;
  } else {
    return Error("cannot listen on " + s.options_.host + ":" + std::to_string(port) +
                 " (in use, or not an address of this machine)");
  }
  raise_listen_backlog(s.port_);
  return service;
}

Service::~Service() {
  stop();
  scheduler_.reset();  // interrupts running jobs, stores them so
}

void Service::run() {
  if (!stopping_) server_->listen_after_bind();  // a stop before it would be lost
}

void Service::stop() {
  stopping_ = true;
  server_->stop();
}

void Service::route(const char* method, const char* pattern, const char* label, Handler handler,
                    bool open) {
  auto wrapped = [this, handler, label, open, method](const httplib::Request& request,
                                                      httplib::Response& response) {
    const auto start = Clock::now();
    response.status = 200;  // unless the handler says otherwise
    if (!open && !authorized(request)) {
      reply_error(response,
                  {401, "missing or wrong token: send 'Authorization: Bearer TOKEN'", ""});
    } else {
      (this->*handler)(request, response);
    }
    metrics_.record_request(label, method, response.status,
                            std::chrono::duration<double>(Clock::now() - start).count());
  };
  if (std::string(method) == "GET") {
    server_->Get(pattern, wrapped);
  } else {
    server_->Post(pattern, wrapped);
  }
}

bool Service::authorized(const httplib::Request& request) const {
  if (options_.token.empty()) return true;
  const std::string header = request.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.rfind(kBearer, 0) == 0) {
    return same_secret(header.substr(kBearer.size()), options_.token);
  }
  if (request.method == "GET" && request.has_param("access_token")) {
    return same_secret(request.get_param_value("access_token"), options_.token);
  }
  return false;
}

std::string Service::job_json(const Job& job) const {
  return to_json(job, job.files ? *job.files : output_files(scheduler_->output_dir(job.id))).dump();
}

void Service::dashboard(const httplib::Request& request, httplib::Response& response) {
  const std::string name = request.matches.size() > 1 ? request.matches[1].str() : "index.html";
  const Asset* asset = find_asset(name);
  if (asset == nullptr) return reply_error(response, {404, "no file '" + name + "'", ""});
  response.set_header("Cache-Control", "no-cache");
  response.set_content(std::string(asset->bytes), std::string(asset->content_type));
}

void Service::healthz(const httplib::Request&, httplib::Response& response) {
  reply(response, 200, {{"status", "ok"}});
}

void Service::metrics(const httplib::Request&, httplib::Response& response) {
  response.set_content(metrics_.text(scheduler_->stats()), "text/plain; version=0.0.4");
}

void Service::pipelines(const httplib::Request&, httplib::Response& response) {
  ordered_json list = ordered_json::array();
  for (const std::string& name : pipeline_names(options_.rules.pipelines)) {
    list.push_back({{"name", name}, {"file", name + ".yaml"}});
  }
  reply(response, 200, {{"pipelines", list}});
}

void Service::media(const httplib::Request&, httplib::Response& response) {
  reply(response, 200, {{"files", media_files(options_.rules.media_roots, kMediaListLimit)}});
}

void Service::list_jobs(const httplib::Request& request, httplib::Response& response) {
  std::optional<JobState> state;
  if (request.has_param("state")) {
    state = parse_state(request.get_param_value("state"));
    if (!state) {
      return reply_error(response, {400,
                                    "unknown state (queued, running, completed, failed, "
                                    "cancelled, interrupted)",
                                    "state"});
    }
  }
  std::string body = "{\"jobs\":[";
  size_t n = 0;
  for (const Job& job : scheduler_->list(state)) {
    if (n++ == kJobListLimit) break;
    body += (n > 1 ? "," : "") + job_json(job);
  }
  response.set_content(body + "]}\n", "application/json");
}

void Service::submit(const httplib::Request& request, httplib::Response& response) {
  auto parsed = parse_job_request(request.body, options_.rules);
  if (auto* error = std::get_if<ApiError>(&parsed)) return reply_error(response, *error);
  JobRequest& job_request = std::get<JobRequest>(parsed);
  auto accepted = scheduler_->submit(std::move(job_request.job));
  if (auto* error = std::get_if<ApiError>(&accepted)) return reply_error(response, *error);
  const Job& job = std::get<Job>(accepted);
  response.status = 201;
  response.set_header("Location", "/api/jobs/" + std::to_string(job.id));
  if (!job_request.wait) return response.set_content(job_json(job) + "\n", "application/json");
  // Synchronous: the answer is the ended job. Until then a space goes out every kWaitProbe (JSON
  // allows it before the value); when it cannot be written the client has left, and the job is
  // cancelled.
  const int64_t id = job.id;
  response.set_chunked_content_provider(
      "application/json",
      [this, id, version = uint64_t{0}](size_t, httplib::DataSink& sink) mutable {
        const auto change = scheduler_->wait_change(id, version, kWaitProbe);
        if (change && has_ended(change->first.state)) {
          const std::string body = job_json(change->first) + "\n";
          sink.write(body.data(), body.size());
          sink.done();
          return true;
        }
        if (change) version = change->second;
        if (stopping_) return false;  // the server stops: the job is interrupted, not cancelled
        if (!sink.write(" ", 1)) {
          scheduler_->cancel(id);
          return false;
        }
        return true;
      });
}

void Service::get_job(const httplib::Request& request, httplib::Response& response) {
  const auto job = scheduler_->get(job_id(request));
  if (!job) return reply_error(response, {404, "no job " + request.matches[1].str(), ""});
  response.set_content(job_json(*job) + "\n", "application/json");
}

void Service::cancel(const httplib::Request& request, httplib::Response& response) {
  auto cancelled = scheduler_->cancel(job_id(request));
  if (auto* error = std::get_if<ApiError>(&cancelled)) return reply_error(response, *error);
  response.set_content(job_json(std::get<Job>(cancelled)) + "\n", "application/json");
}

void Service::events(const httplib::Request& request, httplib::Response& response) {
  const int64_t id = job_id(request);
  if (!scheduler_->get(id)) return reply_error(response, {404, "no job " + std::to_string(id), ""});
  response.set_header("Cache-Control", "no-cache");
  response.set_chunked_content_provider(
      "text/event-stream",
      [this, id, version = uint64_t{0}](size_t, httplib::DataSink& sink) mutable {
        const auto change = scheduler_->wait_change(id, version, kEventInterval * 4);
        if (!change || stopping_) {
          sink.done();
          return true;
        }
        version = change->second;
        const bool ended = has_ended(change->first.state);
        const std::string event = std::string("event: ") + (ended ? "end" : "progress") +
                                  "\ndata: " + job_json(change->first) + "\n\n";
        if (!sink.write(event.data(), event.size())) return false;  // the client left
        if (ended) {
          sink.done();
        } else {
          std::this_thread::sleep_for(kEventInterval);  // at most about 4 events a second
        }
        return true;
      });
}

void Service::file(const httplib::Request& request, httplib::Response& response) {
  const int64_t id = job_id(request);
  if (!scheduler_->get(id)) return reply_error(response, {404, "no job " + std::to_string(id), ""});
  auto found = file_inside(scheduler_->output_dir(id), request.matches[2].str());
  if (auto* error = std::get_if<ApiError>(&found)) return reply_error(response, *error);
  const std::filesystem::path path = std::get<std::filesystem::path>(found);
  const std::string ext = path.extension().string();
  const char* type = ext == ".json"    ? "application/json"
                     : ext == ".jsonl" ? "application/x-ndjson"
                     : ext == ".mp4"   ? "video/mp4"
                     : ext == ".jpg"   ? "image/jpeg"
                     : ext == ".txt"   ? "text/plain; charset=utf-8"
                                       : "application/octet-stream";
  // Streamed in pieces: an annotated video need not sit in memory whole.
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error || !*in)
    return reply_error(response, {404, "no output file '" + request.matches[2].str() + "'", ""});
  response.set_content_provider(
      static_cast<size_t>(size), type, [in](size_t offset, size_t length, httplib::DataSink& sink) {
        std::vector<char> piece(std::min<size_t>(length, 1 << 20));
        in->seekg(static_cast<std::streamoff>(offset));
        in->read(piece.data(), static_cast<std::streamsize>(piece.size()));
        const auto got = static_cast<size_t>(in->gcount());
        return got > 0 && sink.write(piece.data(), got);
      });
}

}  // namespace fp::serve
