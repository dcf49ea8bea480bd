// A `framepipe serve` started for a test (serve_child.hpp), and the tests' checks on its answers.
#pragma once

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "serve/serve_child.hpp"
#include "test_support.hpp"

namespace fp::test {

// A `framepipe serve` of this build over the shared media: `data` as --data, `extra` flags; throws
// when it does not start.
class ServeProcess : public ServeChild {
 public:
  ServeProcess(const std::filesystem::path& data, const std::vector<std::string>& extra);
};

// POST /api/jobs with `request`; the created job (fails the test otherwise).
nlohmann::json submit_job(httplib::Client& client, const nlohmann::json& request);
// GET /api/jobs/{id} until `done` holds for it or `timeout` passes; the last job seen.
nlohmann::json wait_for_job(httplib::Client& client, int64_t id,
                            const std::function<bool(const nlohmann::json&)>& done,
                            std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace fp::test
