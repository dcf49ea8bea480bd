// A test suite that builds detect stages from YAML on a shared model registry and a one-core
// ModelPool (shared by the suite's stages, as in a run).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "infer/model_pool.hpp"
#include "pipeline/stage.hpp"

namespace fp::test {

class DetectStageSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  static Result<std::unique_ptr<pipeline::Stage>> try_stage(const std::string& yaml);
  // The stage, or null after a test failure.
  static std::unique_ptr<pipeline::Stage> make_stage(const std::string& yaml);
  // What `stage` finds on one of the shared sample images (media/images/NAME).
  static std::vector<Detection> detect(pipeline::Stage& stage, const std::string& image);

  static infer::ModelRegistry* registry_;
  static infer::ModelPool* pool_;
};

}  // namespace fp::test
