// Every failure says what kind it is (core/result.hpp's ErrorCode), on stderr and in run.json, so
// that a job service can map it to an HTTP status and a worker can decide whether to retry.
#include <gtest/gtest.h>

#include "core/result.hpp"
#include "test_support.hpp"

namespace fp {
namespace {

namespace fs = std::filesystem;

TEST(ErrorCode, ContextKeepsTheCodeAndOrCodeOnlyFillsAnInternalOne) {
  const Error config(ErrorCode::kInvalidConfig, "bad key");
  EXPECT_EQ(config.with_context("p.yaml").code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(config.with_context("p.yaml").message(), "p.yaml: bad key");
  EXPECT_EQ(config.or_code(ErrorCode::kIo).code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(Error("plain").code(), ErrorCode::kInternal);
  EXPECT_EQ(Error("plain").or_code(ErrorCode::kIo).code(), ErrorCode::kIo);
  EXPECT_EQ(with_code(Result<int>(Error("x")), ErrorCode::kModel).error().code(),
            ErrorCode::kModel);
  EXPECT_TRUE(with_code(Result<int>(3), ErrorCode::kModel).ok());
  EXPECT_TRUE(retryable(ErrorCode::kIo));
  EXPECT_FALSE(retryable(ErrorCode::kInvalidInput));
  EXPECT_FALSE(retryable(ErrorCode::kCancelled));
  EXPECT_STREQ(to_string(ErrorCode::kModel), "model_error");
}

TEST(ErrorCodeBadInput, EachKindOfSetupFailureNamesItsCode) {
  test::TempDir dir;
  const std::string people = (test::source_dir() / "examples/people.yaml").string();
  const std::string vtest = test::media_path("video/vtest_480x360.avi").string();
  test::write_file(dir / "typo.yaml", "name: x\nstages:\n  - detect: {modle: yolox_nano_416}\n");
  test::write_file(dir / "nomodel.yaml", "name: x\nstages:\n  - detect: {model: no_such_model}\n");
  test::write_file(dir / "a_file", "not a folder");
  const struct {
    std::vector<std::string> args;
    const char* code;
  } cases[] = {
      {{(dir / "typo.yaml").string(), vtest}, "error code: invalid_config\n"},
      {{people, vtest, "--cpus", "0"}, "error code: invalid_config\n"},
      {{people, (dir / "missing.avi").string()}, "error code: invalid_input\n"},
      // A model name the registry does not know is a config mistake; a model that does not load
      // is a model_error (FakeBackendRun.ModelThatFailsToLoadStopsTheRunBeforeAnyWork).
      {{(dir / "nomodel.yaml").string(), vtest}, "error code: invalid_config\n"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{"run"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    for (const char* extra : {"--out", "", "--no-progress"}) args.emplace_back(extra);
    args[args.size() - 2] = (dir / "out").string();
    const auto r = test::run_framepipe(args);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(c.code), std::string::npos) << r.output;
  }
  // An output folder that cannot be made (a file is in the way) is an I/O error.
  const auto r = test::run_framepipe(
      {"run", people, vtest, "--out", (dir / "a_file" / "out").string(), "--no-progress"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("error code: io_error (may pass if run again)\n"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace fp
