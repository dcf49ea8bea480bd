#include "detect_stage_suite.hpp"

#include <opencv2/imgcodecs.hpp>

#include "pipeline/stage_registry.hpp"
#include "test_support.hpp"

namespace fp::test {

infer::ModelRegistry* DetectStageSuite::registry_ = nullptr;
infer::ModelPool* DetectStageSuite::pool_ = nullptr;

void DetectStageSuite::SetUpTestSuite() {
  auto loaded = infer::ModelRegistry::load_default();
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  registry_ = new infer::ModelRegistry(std::move(loaded).value());
  pool_ = new infer::ModelPool(*registry_, {.cores = 1, .instances = 1, .threads = 1});
}

void DetectStageSuite::TearDownTestSuite() {
  delete pool_;
  delete registry_;
  pool_ = nullptr;
  registry_ = nullptr;
}

Result<std::unique_ptr<pipeline::Stage>> DetectStageSuite::try_stage(const std::string& yaml) {
  const YAML::Node node = YAML::Load(yaml);
  FP_ASSIGN_OR_RETURN(const YamlMap map, YamlMap::from(node, "test.yaml", "stage 'detect'"));
  return pipeline::create_stage("detect",
                                pipeline::StageContext{map, *registry_, *pool_, {}, "detect"});
}

std::unique_ptr<pipeline::Stage> DetectStageSuite::make_stage(const std::string& yaml) {
  auto stage = try_stage(yaml);
  EXPECT_TRUE(stage.ok()) << stage.error().message();
  return stage.ok() ? std::move(stage).value() : nullptr;
}

std::vector<Detection> DetectStageSuite::detect(pipeline::Stage& stage, const std::string& image) {
  pipeline::FrameResult item;
  item.frame.image = cv::imread(media_path("images/" + image).string());
  EXPECT_FALSE(item.frame.image.empty()) << image;
  const Status status = stage.process(item);
  EXPECT_TRUE(status.ok()) << status.error().message();
  return item.detections;
}

}  // namespace fp::test
