#include "serve/serve_support.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace fp::test {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

ServeChild started(const fs::path& data, const std::vector<std::string>& extra) {
  auto child = ServeChild::start({FRAMEPIPE_BINARY, data, media_path("").string(), extra});
  if (!child.ok()) throw std::runtime_error(child.error().message());
  return std::move(child).value();
}

}  // namespace

ServeProcess::ServeProcess(const fs::path& data, const std::vector<std::string>& extra)
    : ServeChild(started(data, extra)) {}

json submit_job(httplib::Client& client, const json& request) {
  const auto result = client.Post("/api/jobs", request.dump(), "application/json");
  EXPECT_TRUE(result) << "no answer";
  if (!result) return nullptr;
  EXPECT_EQ(result->status, 201) << result->body;
  return body_of(result);
}

json wait_for_job(httplib::Client& client, int64_t id, const std::function<bool(const json&)>& done,
                  std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json job;
  while (std::chrono::steady_clock::now() < deadline) {
    job = body_of(client.Get("/api/jobs/" + std::to_string(id)));
    if (job.is_object() && done(job)) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "job " << id << " did not get there in time: " << job;
  return job;
}

}  // namespace fp::test
