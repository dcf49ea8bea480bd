#include "pipeline/pipeline_config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "pipeline/cpu_budget.hpp"
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
  ASSERT_EQ(config->graph.nodes.size(), 1u);
  EXPECT_EQ(config->graph.nodes[0].type, "detect");
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

// That loading `yaml` fails with a message containing `expected`.
void expect_load_error(const test::TempDir& dir, const std::string& yaml,
                       const std::string& expected) {
  auto config = load_text(dir, yaml);
  ASSERT_FALSE(config.ok()) << yaml;
  EXPECT_NE(config.error().message().find(expected), std::string::npos) << config.error().message();
}

// Issue 10: .nan and .inf read as numbers and slipped past every range check.
TEST(PipelineConfig, NonFiniteNumberNamesKeyAndFileLineColumn) {
  test::TempDir dir;
  expect_load_error(dir, "name: x\nsource:\n  fps: .nan\nstages: [{detect: {}}]\n",
                    "p.yaml:3:8: 'fps' in source must be a finite number (got '.nan')");
  expect_load_error(dir, "name: x\nsource: {io_timeout: +.inf}\nstages: [{detect: {}}]\n",
                    "p.yaml:2:22: 'io_timeout' in source must be a finite number (got '+.inf')");
}

TEST(PipelineConfig, DuplicateKeyNamesBothLines) {
  test::TempDir dir;
  expect_load_error(
      dir, "name: x\nsource:\n  queue: 4\n  stride: 1\n  queue: 16\nstages: [{detect: {}}]\n",
      "p.yaml:5:3: duplicate key 'queue' in source (first at line 3)");
}

TEST(PipelineConfig, IntegerOutOfRangeSaysTheAllowedRange) {
  test::TempDir dir;
  for (const std::string bad : {"1000000000000", "-1", "1000001"}) {
    expect_load_error(dir,
                      "name: x\nstages: [{detect: {}}]\ntelemetry:\n  warmup_frames: " + bad + "\n",
                      "p.yaml:4:18: 'warmup_frames' must be from 0 to 1000000 (got " + bad + ")");
  }
  expect_load_error(
      dir, "name: x\nstages: [{detect: {}}]\ntelemetry: {warmup_frames: 99999999999999999999}\n",
      "'warmup_frames' in telemetry must be an integer from -9223372036854775808 to "
      "9223372036854775807");
  expect_load_error(dir, "name: x\nsource: {queue: 5000000000}\nstages: [{detect: {}}]\n",
                    "'queue' in source must be an integer from -2147483648 to 2147483647 (got "
                    "'5000000000')");
  auto config = load_text(dir, "name: x\nstages: [{detect: {}}]\ntelemetry: {warmup_frames: 0}\n");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->warmup_frames, 0);
}

TEST(PipelineConfig, StreamsDefaultsToEightAndIsChecked) {
  test::TempDir dir;
  auto config = load_text(dir, "name: x\nstages: [{detect: {}}]\n");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->streams, 8);
  config = load_text(dir, "name: x\nsource: {streams: 3}\nstages: [{detect: {}}]\n");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->streams, 3);
  for (const std::string bad : {"0", "257"}) {
    auto rejected =
        load_text(dir, "name: x\nsource:\n  streams: " + bad + "\nstages: [{detect: {}}]\n");
    ASSERT_FALSE(rejected.ok()) << bad;
    const std::string& m = rejected.error().message();
    EXPECT_NE(m.find("p.yaml:3:"), std::string::npos) << m;
    EXPECT_NE(m.find("'streams' must be between 1 and 256"), std::string::npos) << m;
  }
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
  EXPECT_FALSE(load_text(dir, "name: x\nresources: {instances: 0}\nstages: [{detect: {}}]\n").ok());
  EXPECT_FALSE(load_text(dir, "name: x\nresources: {threads: x}\nstages: [{detect: {}}]\n").ok());
  auto syntax = load_text(dir, "name: x\nstages: [\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.error().message().find("YAML syntax error"), std::string::npos);
  EXPECT_FALSE(load_pipeline_config((dir / "missing.yaml").string()).ok());
}

TEST(PipelineConfig, Issue14_SourceLiveSaysWhetherStreamsAreLiveAndWhatTheyDoWhenBehind) {
  test::TempDir dir;
  const std::string stages = "stages: [{detect: {}}]\n";
  const std::map<std::string, std::pair<std::optional<bool>, bool>> accepted = {
      {"", {std::nullopt, false}},
      {"source: {live: true}\n", {true, false}},
      {"source: {live: false}\n", {false, false}},
      {"source: {live: block}\n", {true, false}},
      {"source: {live: drop_oldest}\n", {true, true}}};
  for (const auto& [source, expected] : accepted) {
    auto config = load_text(dir, "name: x\n" + source + stages);
    ASSERT_TRUE(config.ok()) << source << config.error().message();
    EXPECT_EQ(config->live, expected.first) << source;
    EXPECT_EQ(config->drop_oldest, expected.second) << source;
  }
  auto bad = load_text(dir, "name: x\nsource: {live: newest}\n" + stages);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("p.yaml:2:16"), std::string::npos) << bad.error().message();
  EXPECT_NE(bad.error().message().find("drop_oldest"), std::string::npos) << bad.error().message();
}

// Issue 10 (fuzzing): NaN and infinite times were accepted; an infinite fps made the sampler loop
// forever and a huge io_timeout overflowed the stream deadline. The exact inputs are in
// tests/fuzz/regressions/pipeline_config/issue10-*.bin.
TEST(PipelineConfig, Issue10_NonFiniteTimesAndHugeIoTimeoutAreErrors) {
  for (const auto& [source, message] :
       {std::pair<std::string, std::string>{"{fps: .inf}",
                                            "'fps' in source must be a finite number"},
        {"{start: .nan}", "'start' in source must be a finite number"},
        {"{end: -.inf}", "'end' in source must be a finite number"},
        {"{io_timeout: .nan}", "'io_timeout' in source must be a finite number"},
        {"{io_timeout: 1e300}", "'io_timeout' must be more than 0 and at most 86400"}}) {
    auto rejected = parse_pipeline_config(
        "name: x\nsource: " + source + "\nstages: [{detect: {}}]\n", "p.yaml");
    ASSERT_FALSE(rejected.ok()) << source;
    const std::string& m = rejected.error().message();
    EXPECT_EQ(m.rfind("p.yaml:2:", 0), 0u) << m;
    EXPECT_NE(m.find(message), std::string::npos) << m;
  }
  auto day = parse_pipeline_config(
      "name: x\nsource: {io_timeout: 86400, fps: 1e300}\nstages: [detect: {}]\n", "p.yaml");
  EXPECT_TRUE(day.ok()) << day.error().message();
}

TEST(PipelineConfig, TextParsesLikeTheFile) {
  const auto path = test::source_dir() / "examples/people.yaml";
  std::ifstream in(path);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  auto from_file = load_pipeline_config(path.string());
  auto from_text = parse_pipeline_config(text, path.string());
  ASSERT_TRUE(from_file.ok() && from_text.ok());
  EXPECT_EQ(from_text->file, from_file->file);
  EXPECT_EQ(from_text->name, from_file->name);
  EXPECT_EQ(from_text->graph.nodes.size(), from_file->graph.nodes.size());
  EXPECT_EQ(from_text->queue_frames, from_file->queue_frames);
  auto bad = parse_pipeline_config("name: x\nstages: [\n", "inline.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message().rfind("inline.yaml:", 0), 0u) << bad.error().message();
}

TEST(PipelineConfig, ProfileStartsTheValuesAndFileKeysOverrideIt) {
  test::TempDir dir;
  auto config = load_text(dir,
                          "name: x\nprofile: balanced\nsource: {stride: 3}\n"
                          "stages: [{detect: {input_size: [320, 320]}}]\n");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->profile.name, "balanced");
  EXPECT_EQ(config->sampling.stride, 3);  // the file's key
  EXPECT_EQ(config->sampling.fps, 10.0);  // the profile's
  EXPECT_EQ(config->detector_input_size, cv::Size(416, 416));
  EXPECT_EQ(config->cpus, std::max(1, available_cores() / 2));
  EXPECT_EQ(config->overridden,
            (std::vector<std::string>{"source.stride", "stages.detect.input_size"}));

  // The flag's profile replaces the file's.
  const auto path = dir / "p.yaml";
  config = load_pipeline_config(path.string(), "low_power");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->profile.name, "low_power");
  EXPECT_EQ(config->cpus, 1);
}

TEST(PipelineConfig, UnknownProfileNamesFileLineColumnAndTheKnownOnes) {
  test::TempDir dir;
  auto config = load_text(dir, "name: x\nprofile: turbo\nstages: [{detect: {}}]\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("p.yaml:2:10"), std::string::npos)
      << config.error().message();
  EXPECT_NE(config.error().message().find("known: low_power, balanced, performance"),
            std::string::npos);
}

TEST(PipelineConfig, InstancePlanMustFitTheBudget) {
  test::TempDir dir;
  auto config =
      load_text(dir, "name: x\nresources: {cpus: 1, instances: 2}\nstages: [{detect: {}}]\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("p.yaml:2:"), std::string::npos);
  EXPECT_NE(config.error().message().find("need 2 cores, but the budget is 1"), std::string::npos)
      << config.error().message();
}

}  // namespace
}  // namespace fp::pipeline
