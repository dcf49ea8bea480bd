#include "cli/serve_command.hpp"

#include <signal.h>

#include <iostream>
#include <memory>
#include <thread>

#include "core/cpu_cores.hpp"
#include "serve/service.hpp"

namespace fp::cli {

namespace fs = std::filesystem;

namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8080";
  std::string data;
  std::vector<std::string> media_roots;
  std::string pipelines = std::string(FRAMEPIPE_SOURCE_DIR) + "/examples";
  int cpus = 0;
  std::string token;
  bool allow_streams = false;
  int queue = 16;
  size_t max_body = 64 * 1024;
};

Result<serve::ServiceOptions> service_options(const ServeArgs& args) {
  serve::ServiceOptions options;
  const size_t colon = args.listen.rfind(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no port");
    options.host = args.listen.substr(0, colon);
    options.port = std::stoi(args.listen.substr(colon + 1));
    if (options.port < 0 || options.port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return Error("--listen '" + args.listen + "' must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  if (options.host.size() > 2 && options.host.front() == '[') {  // [::1]:8080
    options.host = options.host.substr(1, options.host.size() - 2);
  }
  options.token = args.token;
  for (const std::string& root : args.media_roots) {
    std::error_code error;
    const fs::path real = fs::canonical(root, error);
    if (error || !fs::is_directory(real)) {
      return Error("--media-root '" + root + "' is not a folder");
    }
    options.rules.media_roots.push_back(real);
  }
  if (!fs::is_directory(args.pipelines)) {
    return Error("--pipelines '" + args.pipelines + "' is not a folder");
  }
  options.rules.pipelines = fs::canonical(args.pipelines);
  options.rules.allow_streams = args.allow_streams;
  const std::vector<int> cores = allowed_cores();
  const int cpus = args.cpus == 0 ? static_cast<int>(cores.size()) : args.cpus;
  if (cpus > static_cast<int>(cores.size())) {
    return Error("--cpus " + std::to_string(cpus) + " is more than the " +
                 std::to_string(cores.size()) + " cores this process may use");
  }
  options.scheduler.cores.assign(cores.begin(), cores.begin() + cpus);
  options.scheduler.framepipe = fs::read_symlink("/proc/self/exe");
  options.scheduler.data = args.data;
  options.scheduler.queue_capacity = static_cast<size_t>(args.queue);
  options.max_body = args.max_body;
  return options;
}

int serve_jobs(const ServeArgs& args) {
  auto options = service_options(args);
  if (!options.ok()) {
    std::cerr << "error: " << options.error().message() << "\n";
    return 2;
  }
  // SIGINT and SIGTERM are taken by one thread (sigwait), blocked in every other: the server
  // stops, its running jobs are interrupted and stored so.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  auto service = serve::Service::start(std::move(options).value());
  if (!service.ok()) {
    std::cerr << "error: " << service.error().message() << "\n";
    return 2;
  }
  serve::Service& running = **service;
  std::cout << "framepipe serve: listening on http://"
            << args.listen.substr(0, args.listen.rfind(':')) << ":" << running.port() << "/"
            << std::endl;
  std::thread stopper([&running, stop_signals] {
    int received = 0;
    sigwait(&stop_signals, &received);
    running.stop();
  });
  running.run();
  pthread_kill(stopper.native_handle(), SIGTERM);  // stopped otherwise: release the waiter
  stopper.join();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the job service: HTTP API and dashboard");
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free one)")
      ->capture_default_str();
  cmd->add_option("--data", args->data, "Folder of the job store and the jobs' outputs")
      ->required();
  cmd->add_option("--media-root", args->media_roots,
                  "Folder that job inputs may come from (one or more)")
      ->required();
  cmd->add_option("--pipelines", args->pipelines, "Folder of the pipeline YAML files jobs name")
      ->capture_default_str();
  cmd->add_option("--cpus", args->cpus, "Cores the jobs may use together (default: all)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--token", args->token,
                  "Clients must send 'Authorization: Bearer TOKEN' (required off loopback)");
  cmd->add_flag("--allow-streams", args->allow_streams, "Accept stream URLs as inputs");
  cmd->add_option("--queue", args->queue, "Jobs that may wait for cores; more: 429")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--max-body", args->max_body, "Largest request body in bytes; more: 413")
      ->check(CLI::Range(1024, 16 << 20))
      ->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = serve_jobs(*args); });
}

}  // namespace fp::cli
