#include "cli/models_command.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <sstream>

#include "test_support.hpp"

namespace fp::cli {
namespace {

namespace fs = std::filesystem;
using infer::ModelRegistry;
using test::ScopedEnv;
using test::TempDir;

// Every test gets its own FRAMEPIPE_MODELS folder and cache, so the user's files are never seen
// or written.
class ModelsCommand : public ::testing::Test {
 protected:
  ModelRegistry shipped() {
    Result<ModelRegistry> registry = ModelRegistry::load_default();
    EXPECT_TRUE(registry.ok()) << registry.error().message();
    return registry.ok() ? *registry : ModelRegistry();
  }
  ModelRegistry custom(const std::string& yaml) {
    test::write_file(registry_dir_ / "registry.yaml", yaml);
    Result<ModelRegistry> registry = ModelRegistry::load(registry_dir_ / "registry.yaml");
    EXPECT_TRUE(registry.ok()) << registry.error().message();
    return registry.ok() ? *registry : ModelRegistry();
  }

  // A registry whose one entry, `names`, downloads the shared COCO label file over file://.
  ModelRegistry labels_fetchable_from_shared() {
    const std::string url =
        "file://" + (test::models_dir() / "detection/coco80_classes.txt").string();
    return custom(
        "models:\n  names:\n    kind: labels\n    file: names.txt\n"
        "    sha256: bd17f1ee35d5f3c862a4894605855abbb9dda4b0621fdb0ac4c2c8c7bb7e730a\n"
        "    url: " +
        url + "\n");
  }

  TempDir models_;
  TempDir cache_;
  TempDir registry_dir_;
  ScopedEnv models_env_{"FRAMEPIPE_MODELS", models_.path().string()};
  ScopedEnv cache_env_{"XDG_CACHE_HOME", cache_.path().string()};
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(ModelsCommand, ListShowsEveryModelWithWhereItIs) {
  const ModelRegistry registry = shipped();
  EXPECT_EQ(models_list(registry, out_), 0);
  const std::string table = out_.str();
  EXPECT_NE(table.find("LICENCE"), std::string::npos);
  for (const infer::ModelSpec& spec : registry.models()) {
    EXPECT_NE(table.find(spec.name), std::string::npos) << spec.name;
  }
  const fs::path staged =
      fs::weakly_canonical(test::models_dir()) / "detection/yolox_nano_416.onnx";
  EXPECT_NE(table.find(staged.string()), std::string::npos) << table;
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("sface_2021dec")) {
      EXPECT_TRUE(line.ends_with("missing")) << line;
    }
  }
}

TEST_F(ModelsCommand, VerifyStagedModelsSucceeds) {
  EXPECT_EQ(models_verify(shipped(), {"yolox_nano_416", "coco80_classes"}, out_, err_), 0)
      << err_.str();
  EXPECT_NE(out_.str().find("ok"), std::string::npos);
  EXPECT_TRUE(err_.str().empty()) << err_.str();
}

TEST_F(ModelsCommand, VerifyFailsOnMismatchMissingAndUnknownNames) {
  fs::create_directories(models_ / "detection");
  test::write_file(models_ / "detection/yolox_nano_416.onnx", "corrupt");
  const ModelRegistry registry = shipped();
  EXPECT_EQ(models_verify(registry, {"yolox_nano_416"}, out_, err_), 1);
  EXPECT_NE(out_.str().find("MISMATCH"), std::string::npos) << out_.str();
  EXPECT_NE(err_.str().find("sha256"), std::string::npos) << err_.str();

  err_.str("");
  EXPECT_EQ(models_verify(registry, {"sface_2021dec"}, out_, err_), 1);
  EXPECT_NE(err_.str().find("framepipe models fetch sface_2021dec"), std::string::npos)
      << err_.str();

  err_.str("");
  EXPECT_EQ(models_verify(registry, {"no_such_model"}, out_, err_), 1);
  EXPECT_NE(err_.str().find("unknown model 'no_such_model'"), std::string::npos) << err_.str();
}

TEST_F(ModelsCommand, VerifyCountsUnverifiableAsOkWithANote) {
  test::write_file(models_ / "mystery.onnx", "bytes");
  const ModelRegistry registry =
      custom("models:\n  mystery: {kind: embedder, file: mystery.onnx}\n");
  EXPECT_EQ(models_verify(registry, {}, out_, err_), 0) << err_.str();
  EXPECT_NE(out_.str().find("unverifiable"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("note: "), std::string::npos) << out_.str();
}

TEST_F(ModelsCommand, FetchOfPresentVerifiedModelDoesNothing) {
  const ModelRegistry registry = shipped();
  EXPECT_EQ(models_fetch(registry, "coco80_classes", 5.0, out_, err_), 0) << err_.str();
  EXPECT_NE(out_.str().find("already present"), std::string::npos) << out_.str();
  EXPECT_FALSE(fs::exists(registry.cache_dir()));
}

TEST_F(ModelsCommand, FetchDownloadsMissingModelIntoCache) {
  const ModelRegistry registry = labels_fetchable_from_shared();
  EXPECT_EQ(models_fetch(registry, "names", 5.0, out_, err_), 0) << err_.str();
  EXPECT_TRUE(fs::exists(registry.cache_dir() / "names.txt"));
  EXPECT_NE(out_.str().find("sha256 ok"), std::string::npos) << out_.str();
}

TEST_F(ModelsCommand, FetchReportsShadowingCorruptCopy) {
  test::write_file(models_ / "names.txt", "corrupt");
  const ModelRegistry registry = labels_fetchable_from_shared();
  EXPECT_EQ(models_fetch(registry, "names", 5.0, out_, err_), 1);
  EXPECT_NE(err_.str().find((models_ / "names.txt").string()), std::string::npos) << err_.str();
}

TEST_F(ModelsCommand, FetchFailsClearlyWithoutNetworkOrUrl) {
  const ModelRegistry registry = custom(
      "models:\n"
      "  far: {kind: detector, file: far.onnx, url: 'http://framepipe-test.invalid/far.onnx'}\n"
      "  local: {kind: embedder, file: local.onnx, source: patched by hand}\n");
  EXPECT_EQ(models_fetch(registry, "far", 3.0, out_, err_), 1);
  EXPECT_NE(err_.str().find("http://framepipe-test.invalid/far.onnx"), std::string::npos)
      << err_.str();
  err_.str("");
  EXPECT_EQ(models_fetch(registry, "local", 3.0, out_, err_), 1);
  EXPECT_NE(err_.str().find("no official download"), std::string::npos) << err_.str();
  EXPECT_EQ(models_fetch(registry, "nothing", 3.0, out_, err_), 1);
}

}  // namespace
}  // namespace fp::cli
