// A short fuzz of the JSON endpoints over HTTP: mutated job requests (bytes flipped, inserted,
// cut, values of the wrong type) get a 2xx or a 4xx with an error body, never a 5xx, and the
// server keeps answering. The parser alone is fuzzed longer by tests/fuzz/job_request_fuzz.cpp.
#include <gtest/gtest.h>

#include <random>

#include "serve/serve_support.hpp"

namespace fp::test {
namespace {

using nlohmann::json;

std::string mutate(std::string text, std::mt19937& random) {
  static const std::vector<std::string> pieces = {"\"",
                                                  "{",
                                                  "}",
                                                  "[",
                                                  "]",
                                                  ",",
                                                  ":",
                                                  "null",
                                                  "true",
                                                  "-1",
                                                  "1e309",
                                                  "\"../../etc/passwd\"",
                                                  "\"/etc/passwd\"",
                                                  "\"options\":",
                                                  "\"cpus\":",
                                                  "0",
                                                  "\\u0000",
                                                  "\xff",
                                                  "\"stride\":"};
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const size_t at = random() % text.size();
    switch (random() % 4) {
      case 0:
        text[at] = static_cast<char>(random() % 256);
        break;
      case 1:
        text.insert(at, pieces[random() % pieces.size()]);
        break;
      case 2:
        text.erase(at, 1 + random() % 8);
        break;
      default:
        text = text.substr(0, at);
        break;
    }
  }
  return text;
}

TEST(ServeFuzz, MutatedJobRequestsNeverGetAServerError) {
  TempDir dir;
  ServeProcess server(dir / "data", {"--cpus", "1", "--queue", "2"});
  auto client = server.client();
  const std::vector<std::string> seeds = {
      R"({"pipeline":"photos","inputs":["images/lena.jpg"],"options":{"profile":"balanced","stride":1,"fps":0,"start":0,"end":0,"cpus":1},"wait":false})",
      R"({"pipeline":"people","inputs":["video/vtest_480x360.avi"],"options":{"stride":8}})",
      R"({"pipeline":"photos","inputs":["images/lena.jpg","images/obama.jpg"],"options":{"gallery":"gallery5"}})"};
  std::mt19937 random(20261201);
  std::map<int, int> statuses;
  for (int i = 0; i < 1500; ++i) {
    const std::string body = mutate(seeds[i % seeds.size()], random);
    const auto result = client.Post("/api/jobs", body, "application/json");
    ASSERT_TRUE(result) << "no answer to: " << body;
    ++statuses[result->status];
    ASSERT_LT(result->status, 500) << body << "\n" << result->body;
    if (result->status >= 400) {
      const json error = body_of(result);
      ASSERT_TRUE(error.is_object() && error["error"].is_string()) << body << "\n" << result->body;
    }
    if (result->status == 201) {  // accepted: cancel it, so that the queue keeps room
      client.Post("/api/jobs/" + body_of(result)["id"].dump() + "/cancel", "", "application/json");
    }
  }
  EXPECT_GT(statuses[400], 100);
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  for (const auto& [status, count] : statuses) {
    std::cout << "status " << status << ": " << count << "\n";
  }
}

}  // namespace
}  // namespace fp::test
