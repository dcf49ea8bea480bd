#include "cli/eval_command.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.hpp"

namespace fp::cli {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

fs::path tud_gt() { return test::media_path("mot/TUD-Campus/gt.txt"); }
fs::path tud_result() {
  return test::media_path("mot/TUD-Campus/tracker_result_pymotmetrics_test.txt");
}

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

TEST(EvalCommand, JsonOnTudCampusHasPublishedMotaAndIdf1) {
  const test::CommandResult run = test::run_framepipe(
      {"eval", "--gt", tud_gt().string(), "--result", tud_result().string(), "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json json = nlohmann::json::parse(run.output);
  EXPECT_NEAR(json.at("mota").get<double>(), 0.526462, 1e-3);
  EXPECT_NEAR(json.at("idf1").get<double>(), 0.557659, 1e-3);
  EXPECT_NEAR(json.at("motp").get<double>(), 0.277201, 1e-3);
  EXPECT_EQ(json.at("num_switches").get<int>(), 7);
  EXPECT_EQ(json.at("num_gt_ids").get<int>(), 8);
}

TEST(EvalCommand, TablePrintsMotaAndIdf1) {
  const test::CommandResult run =
      test::run_framepipe({"eval", "--gt", tud_gt().string(), "--result", tud_result().string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "MOTA"));
  EXPECT_TRUE(contains(run.output, "IDF1"));
  EXPECT_TRUE(contains(run.output, "52.6%"));
  EXPECT_TRUE(contains(run.output, "55.8%"));
  EXPECT_TRUE(contains(run.output, "71 frames"));
}

TEST(EvalCommand, MissingGtFileExitsTwoNamingIt) {
  TempDir dir;
  const test::CommandResult run = test::run_framepipe(
      {"eval", "--gt", (dir / "no_gt.txt").string(), "--result", tud_result().string()});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "error: "));
  EXPECT_TRUE(contains(run.output, "no_gt.txt"));
}

TEST(EvalCommand, MalformedResultLineExitsTwoWithLineNumber) {
  TempDir dir;
  test::write_file(dir / "result.txt", "1,1,0,0,10,10,-1\n2,1,0,0,10\n");
  const test::CommandResult run = test::run_framepipe(
      {"eval", "--gt", tud_gt().string(), "--result", (dir / "result.txt").string()});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "error: result: " + (dir / "result.txt").string() + ":2:"));
}

TEST(EvalCommand, EmptyGtExitsTwo) {
  TempDir dir;
  test::write_file(dir / "gt.txt", "");
  const test::CommandResult run = test::run_framepipe(
      {"eval", "--gt", (dir / "gt.txt").string(), "--result", tud_result().string(), "--json"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "error: ground truth: "));
  EXPECT_TRUE(contains(run.output, "no usable rows"));
}

TEST(EvalCommand, MissingOptionIsAUsageError) {
  const test::CommandResult run = test::run_framepipe({"eval", "--gt", tud_gt().string()});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "--result"));
}

// The function behind the subcommand, with stdout and stderr apart.
class EvalCommandStreams : public ::testing::Test {
 protected:
  int eval(const fs::path& gt, const fs::path& result, bool json = false) {
    return eval_mot_files(gt, result, json, out_, err_);
  }
  TempDir dir_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(EvalCommandStreams, BadInputWritesNothingToStdout) {
  test::write_file(dir_ / "gt.txt", "1,1,0,0,10,10,1\n1,1,5,5,10,10,1\n");
  EXPECT_EQ(eval(dir_ / "gt.txt", tud_result(), true), 2);
  EXPECT_EQ(out_.str(), "");
  EXPECT_TRUE(contains(err_.str(), "id 1 appears twice in frame 1"));
}

TEST_F(EvalCommandStreams, ReadNotesAreWarningsOnStderr) {
  test::write_file(dir_ / "gt.txt", "2,1,0,0,10,10,1\n1,1,0,0,10,10,1\n1,2,0,0,10,10,0\n");
  test::write_file(dir_ / "result.txt", "1,5,0,0,0,10,-1\n1,5,0,0,10,10,-1\n");
  EXPECT_EQ(eval(dir_ / "gt.txt", dir_ / "result.txt", true), 0);
  const std::string err = err_.str();
  EXPECT_TRUE(contains(err, "warning: " + (dir_ / "gt.txt").string()));
  EXPECT_TRUE(contains(err, "sorted by frame"));
  EXPECT_TRUE(contains(err, "conf 0"));
  EXPECT_TRUE(contains(err, "zero or negative width or height (first at line 1)"));
  // gt: id 1 in frames 1 and 2 (id 2 ignored); result: id 5 in frame 1 only.
  const nlohmann::json json = nlohmann::json::parse(out_.str());
  EXPECT_EQ(json.at("num_gt_boxes").get<int>(), 2);
  EXPECT_EQ(json.at("num_matches").get<int>(), 1);
  EXPECT_EQ(json.at("num_misses").get<int>(), 1);
}

TEST_F(EvalCommandStreams, EmptyResultIsScored) {
  test::write_file(dir_ / "result.txt", "");
  EXPECT_EQ(eval(tud_gt(), dir_ / "result.txt", true), 0) << err_.str();
  const nlohmann::json json = nlohmann::json::parse(out_.str());
  EXPECT_EQ(json.at("num_misses").get<int>(), 359);
  EXPECT_DOUBLE_EQ(json.at("mota").get<double>(), 0.0);
  EXPECT_TRUE(json.at("precision").is_null());
}

}  // namespace
}  // namespace fp::cli
