// Issue 11: choosing the inference backend and device, and the errors when one is missing.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "infer/backend.hpp"
#include "test_support.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;

const std::string kPeople = (source_dir() / "examples/people.yaml").string();
std::string vtest() { return media_path("video/vtest_480x360.avi").string(); }

TEST(Backends, ModelsBackendsListsBothWithTheOnnxRuntimeProviders) {
  const auto r = run_framepipe({"models", "backends"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("onnxruntime (default)  yes"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("CPUExecutionProvider"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("opencv"), std::string::npos) << r.output;
}

TEST(Backends, UnknownBackendFlagIsAnErrorBeforeAnyWork) {
  TempDir dir;
  const auto r = run_framepipe(
      {"run", kPeople, vtest(), "--out", (dir / "out").string(), "--backend", "tensorflow"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--backend: 'tensorflow' is not a backend of this build (available: "
                          "onnxruntime, opencv)"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(Backends, CudaWithoutTheGpuLibraryIsAnErrorNamingWhatIsMissing) {
  if (infer::available_devices("onnxruntime").size() > 1) GTEST_SKIP() << "this build has CUDA";
  TempDir dir;
  write_file(dir / "p.yaml",
             "name: p\nstages:\n  - detect: {model: yolox_nano_416, device: cuda}\n");
  const auto r =
      run_framepipe({"run", (dir / "p.yaml").string(), vtest(), "--out", (dir / "out").string()});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("this ONNX Runtime has no CUDA execution provider"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("Microsoft.ML.OnnxRuntime.Gpu.Linux"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "detections.jsonl"));
}

TEST(Backends, TruncatedModelFileFailsToOpenWithItsPath) {
  TempDir dir;
  write_prefix(models_dir() / "detection/yolox_nano_416.onnx", dir / "cut.onnx", 0.5);
  for (const char* backend : {"onnxruntime", "opencv"}) {
    auto opened = infer::open_backend(backend, dir / "cut.onnx");
    ASSERT_FALSE(opened.ok()) << backend;
    EXPECT_NE(opened.error().message().find((dir / "cut.onnx").string()), std::string::npos)
        << opened.error().message();
  }
}

TEST(Backends, OnnxRuntimeDescribesTheModel) {
  auto opened = infer::open_backend("onnxruntime", models_dir() / "detection/yolox_nano_416.onnx");
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  const infer::ModelInfo& info = (*opened)->info();
  ASSERT_EQ(info.inputs.size(), 1u);
  EXPECT_EQ(info.inputs[0].name, "images");
  EXPECT_EQ(info.inputs[0].element_type, "float32");
  EXPECT_EQ(info.inputs[0].shape, (std::vector<int64_t>{1, 3, 416, 416}));
  EXPECT_EQ(info.fixed_batch(), 1);
  ASSERT_EQ(info.outputs.size(), 1u);
  EXPECT_EQ(info.outputs[0].shape, (std::vector<int64_t>{1, 3549, 85}));
}

}  // namespace
}  // namespace fp::test
