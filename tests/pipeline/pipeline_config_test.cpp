#include "pipeline/pipeline_config.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace fp::pipeline {
namespace {

Result<PipelineConfig> load_text(const test::TempDir& dir, const std::string& yaml) {
  const auto path = dir / "p.yaml";
  test::write_file(path, yaml);
  return load_pipeline_config(path.string());
}

TEST(PipelineConfig, ExamplePeopleLoads) {
  auto config = load_pipeline_config((test::source_dir() / "examples/people.yaml").string());
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->name, "people");
  ASSERT_EQ(config->stages.size(), 1u);
  EXPECT_EQ(config->stages[0].type, "detect");
  EXPECT_EQ(config->warmup_frames, 5);
}

TEST(PipelineConfig, UnknownKeyNamesFileLineColumn) {
  test::TempDir dir;
  auto config = load_text(
      dir, "name: x\nsource:\n  stride: 2\n  strid: 3\nstages:\n  - detect: {model: m}\n");
  ASSERT_FALSE(config.ok());
  const std::string& m = config.error().message();
  EXPECT_NE(m.find("p.yaml:4:3"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key 'strid'"), std::string::npos) << m;
}

TEST(PipelineConfig, WrongTypeNamesFileLineColumn) {
  test::TempDir dir;
  auto config =
      load_text(dir, "name: x\nsource:\n  stride: two\nstages:\n  - detect: {model: m}\n");
  ASSERT_FALSE(config.ok());
  const std::string& m = config.error().message();
  EXPECT_NE(m.find("p.yaml:3:11"), std::string::npos) << m;
  EXPECT_NE(m.find("must be an integer"), std::string::npos) << m;
}

TEST(PipelineConfig, BadValuesAndShapesAreErrors) {
  test::TempDir dir;
  EXPECT_FALSE(load_text(dir, "name: x\nsource: {stride: 0}\nstages: [{detect: {}}]\n").ok());
  EXPECT_FALSE(
      load_text(dir, "name: x\nsource: {start: 5, end: 2}\nstages: [{detect: {}}]\n").ok());
  EXPECT_FALSE(load_text(dir, "name: x\nstages: []\n").ok());
  EXPECT_FALSE(load_text(dir, "stages: [{detect: {}}]\n").ok());  // no name
  auto unknown_stage = load_text(dir, "name: x\nstages:\n  - teleport: {}\n");
  ASSERT_FALSE(unknown_stage.ok());
  EXPECT_NE(unknown_stage.error().message().find("p.yaml:3:5: unknown stage type 'teleport'"),
            std::string::npos)
      << unknown_stage.error().message();
  EXPECT_FALSE(load_text(dir, "name: x\nresources: {workers: 0}\nstages: [{detect: {}}]\n").ok());
  auto syntax = load_text(dir, "name: x\nstages: [\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.error().message().find("YAML syntax error"), std::string::npos);
  EXPECT_FALSE(load_pipeline_config((dir / "missing.yaml").string()).ok());
}

}  // namespace
}  // namespace fp::pipeline
