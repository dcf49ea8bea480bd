// The faces stage starts its embedder calls and returns (issue 12): a frame is done when its last
// face's embedding arrives, at once when it has no face to embed, and a failed call fails the run.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "faces/face_attributes.hpp"
#include "infer/fake_backend.hpp"
#include "pipeline/pipeline_config.hpp"
#include "pipeline/stage_registry.hpp"
#include "run/runner.hpp"
#include "test_support.hpp"

namespace fp::pipeline {
namespace {

namespace fs = std::filesystem;

class FacesStart : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = infer::ModelRegistry::load_default();
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    registry_ = new infer::ModelRegistry(std::move(loaded).value());
    pool_ = new infer::ModelPool(*registry_, {.cores = 1, .instances = 1, .threads = 1});
    auto detector = registry_->find("yunet_2023mar");
    ASSERT_TRUE(detector.ok());
    detector_ = new infer::ModelSpec(*detector);
  }
  static void TearDownTestSuite() {
    delete pool_;
    delete registry_;
    delete detector_;
  }

  // A stage of `type` from `yaml`, after a YuNet detect stage for a faces stage.
  static std::unique_ptr<Stage> make_stage(const std::string& type, const std::string& yaml) {
    const YAML::Node node = YAML::Load(yaml);
    auto map = YamlMap::from(node, "test.yaml", "stage '" + type + "'");
    EXPECT_TRUE(map.ok());
    StageContext context{*map, *registry_, *pool_, {}, type};
    if (type == "faces") context.detector = detector_;
    auto stage = create_stage(type, context);
    EXPECT_TRUE(stage.ok()) << stage.error().message();
    return stage.ok() ? std::move(stage).value() : nullptr;
  }
  static std::unique_ptr<Stage> make_faces_stage() {
    return make_stage("faces", "{embedder: mobilefacenet_128d, max_batch: 4}");
  }

  static infer::ModelRegistry* registry_;
  static infer::ModelPool* pool_;
  static infer::ModelSpec* detector_;
};
infer::ModelRegistry* FacesStart::registry_ = nullptr;
infer::ModelPool* FacesStart::pool_ = nullptr;
infer::ModelSpec* FacesStart::detector_ = nullptr;

TEST_F(FacesStart, FrameWithoutFacesIsDoneBeforeStartReturns) {
  auto stage = make_faces_stage();
  ASSERT_NE(stage, nullptr);
  FrameResult item;
  item.frame.image = cv::Mat(120, 160, CV_8UC3, cv::Scalar(40, 80, 120));
  bool done = false;
  ASSERT_TRUE(stage->start(item, [&done](Status status) {
    EXPECT_TRUE(status.ok());
    done = true;
  }));
  EXPECT_TRUE(done);
  EXPECT_TRUE(faces::checked_faces(item.detections).empty());
  EXPECT_EQ(stage->report()["faces"], 0);
}

TEST_F(FacesStart, EveryFaceOfAFrameIsEmbeddedBeforeItIsDone) {
  auto detect = make_stage("detect", "{model: yunet_2023mar}");
  ASSERT_NE(detect, nullptr);
  auto stage = make_faces_stage();
  ASSERT_NE(stage, nullptr);
  FrameResult item;
  item.frame.image = cv::imread(test::media_path("images/obama_and_biden.jpg").string());
  ASSERT_TRUE(detect->process(item).ok());
  ASSERT_EQ(item.detections.size(), 3u);   // MODELS.md
  ASSERT_TRUE(stage->process(item).ok());  // waits for start()'s completions
  ASSERT_EQ(faces::checked_faces(item.detections).size(), 3u);
  for (const Detection& face : item.detections) {
    const std::vector<float>* embedding = find_vector(face.attributes, faces::kFaceEmbedding);
    EXPECT_EQ(embedding != nullptr ? embedding->size() : 0, 128u) << faces::face_skip_reason(face);
  }
  EXPECT_EQ(stage->report()["embedded"], 3);
}

// The embedder's third face of the run fails (STYLE habit 8): the run fails with a model error,
// and nothing is committed.
TEST(FacesStartRun, EmbedderFailingOnAFaceFailsTheRunAndCommitsNothing) {
  // The embedder's first 9 runs warm it up (Model::warm_up: one item, 4 items alone, then a
  // batch of the 4): run 11 is its third face.
  infer::set_fake_backend(infer::FakeBackendPlan{.fail_run = 11, .only = "mobilefacenet"});
  test::TempDir dir;
  for (const char* name : {"obama.jpg", "biden.jpg", "two_people.jpg", "obama_and_biden.jpg"}) {
    fs::create_directories(dir / "photos");
    fs::copy_file(test::media_path(std::string("images/") + name), dir / "photos" / name);
  }
  auto config = load_pipeline_config((test::source_dir() / "examples/photos.yaml").string());
  ASSERT_TRUE(config.ok()) << config.error().message();
  config->backend = "fake";
  config->instances = 1;
  config->threads = 1;
  auto registry = infer::ModelRegistry::load_default();
  ASSERT_TRUE(registry.ok());
  run::RunOptions options;
  options.inputs = {(dir / "photos").string()};
  options.out_dir = dir / "out";
  auto outcome = run::run_pipeline(*config, *registry, options);
  infer::set_fake_backend(std::nullopt);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_EQ(outcome->status, run::RunStatus::kFailed);
  EXPECT_EQ(outcome->error_code, ErrorCode::kModel);
  EXPECT_NE(outcome->error.find("stage 'faces' failed"), std::string::npos) << outcome->error;
  EXPECT_NE(outcome->error.find("embedder: model 'mobilefacenet_128d'"), std::string::npos)
      << outcome->error;
  EXPECT_NE(outcome->error.find("fake backend: run 11 failed"), std::string::npos)
      << outcome->error;
  EXPECT_FALSE(outcome->committed);
  EXPECT_FALSE(fs::exists(dir / "out" / "faces.jsonl"));
  EXPECT_FALSE(fs::exists(dir / "out" / "identities.json"));
  EXPECT_FALSE(fs::exists(dir / "out" / "crops"));
  const auto report = nlohmann::json::parse(test::read_file(dir / "out" / "run.json"));
  EXPECT_EQ(report["error_code"], "model_error");
}

}  // namespace
}  // namespace fp::pipeline
