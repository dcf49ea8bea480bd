// A backend that fails on purpose (STYLE habit 8): tests make a model fail to load, or its i-th
// run fail, and check that the run reports it and loses nothing. It wraps a real backend, so the
// runs that succeed give real outputs. Never available unless a test installs a plan.
#pragma once

#include <optional>
#include <string>

#include "infer/backend.hpp"

namespace fp::infer {

struct FakeBackendPlan {
  std::string wraps = "onnxruntime";  // the backend that does the real work
  bool fail_load = false;             // open_backend("fake", ...) fails
  int64_t fail_run = -1;              // the run with this number (0-based, over every fake
                                      // backend of the process) fails; -1: none
  std::string only;  // when set, only the models whose file name contains it count runs and fail
};

// Installs (or, with std::nullopt, removes) the plan; "fake" is an available backend while one is
// installed. Resets the run count.
void set_fake_backend(std::optional<FakeBackendPlan> plan);
std::optional<FakeBackendPlan> fake_backend_plan();

Result<std::unique_ptr<Backend>> open_fake_backend(const std::filesystem::path& model_file,
                                                   const BackendOptions& options);

}  // namespace fp::infer
