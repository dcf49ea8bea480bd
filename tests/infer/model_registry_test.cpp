#include "infer/model_registry.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <set>

#include "test_support.hpp"

namespace fp::infer {
namespace {

namespace fs = std::filesystem;
using test::ScopedEnv;
using test::TempDir;

// Keeps tests away from the user's real cache and from models set in the caller's environment.
struct IsolatedModelEnv {
  TempDir models;
  TempDir cache;
  ScopedEnv models_env{"FRAMEPIPE_MODELS", models.path().string()};
  ScopedEnv cache_env{"XDG_CACHE_HOME", cache.path().string()};
};

ModelRegistry load_registry(const TempDir& dir, const std::string& yaml) {
  test::write_file(dir / "registry.yaml", yaml);
  Result<ModelRegistry> registry = ModelRegistry::load(dir / "registry.yaml");
  EXPECT_TRUE(registry.ok()) << registry.error().message();
  return registry.ok() ? *registry : ModelRegistry();
}

std::string load_error(const TempDir& dir, const std::string& yaml) {
  test::write_file(dir / "registry.yaml", yaml);
  Result<ModelRegistry> registry = ModelRegistry::load(dir / "registry.yaml");
  return registry.ok() ? "(loaded without error)" : registry.error().message();
}

std::string file_url(const fs::path& path) { return "file://" + path.string(); }

const char* const kCocoSha = "bd17f1ee35d5f3c862a4894605855abbb9dda4b0621fdb0ac4c2c8c7bb7e730a";

TEST(ModelRegistry, ShippedRegistryLoadsWithExpectedEntries) {
  Result<ModelRegistry> registry = ModelRegistry::load_default();
  ASSERT_TRUE(registry.ok()) << registry.error().message();
  for (const char* name :
       {"yolox_nano_416", "nanodet_m_320", "nanodet_m_416", "light_person_detector_192",
        "coco80_classes", "yunet_2023mar", "yunet_legacy_120x160", "ultraface_rfb_320",
        "mobilefacenet_128d", "osnet_x0_25_msmt17", "sface_2021dec", "yolox_s", "yolox_tiny"}) {
    EXPECT_TRUE(registry->find(name).ok()) << name;
  }
  const ModelSpec yolox = *registry->find("yolox_nano_416");
  EXPECT_EQ(yolox.decoder, "yolox");
  EXPECT_EQ(yolox.input_width, 416);
  EXPECT_EQ(yolox.preprocess.pad_value, 114);
  EXPECT_FALSE(yolox.preprocess.swap_rb);
  EXPECT_EQ(yolox.labels, "coco80_classes");
  EXPECT_FLOAT_EQ(yolox.default_nms, 0.45f);
  const ModelSpec osnet = *registry->find("osnet_x0_25_msmt17");
  EXPECT_EQ(osnet.input_width, 128);
  EXPECT_EQ(osnet.input_height, 256);
  EXPECT_TRUE(osnet.preprocess.swap_rb);
  EXPECT_DOUBLE_EQ(osnet.preprocess.mean[0], 123.675);
  EXPECT_EQ(registry->find("nanodet_m_320")->preprocess.resize, "letterbox_center");
  EXPECT_EQ(yolox.preprocess.interpolation, "linear");  // the default
  EXPECT_EQ(registry->find("nanodet_m_320")->preprocess.interpolation, "area");
  EXPECT_EQ(registry->find("nanodet_m_416")->preprocess.interpolation, "area");
  EXPECT_TRUE(registry->find("mobilefacenet_128d")->url.empty());
}

// Checks the sha256 values typed into registry.yaml against the staged files, and that every
// staged file is known to the registry.
TEST(ModelRegistry, EveryStagedModelVerifies) {
  TempDir cache;
  ScopedEnv models_env("FRAMEPIPE_MODELS", test::models_dir().string());
  ScopedEnv cache_env("XDG_CACHE_HOME", cache.path().string());
  Result<ModelRegistry> registry = ModelRegistry::load(test::source_dir() / "models/registry.yaml");
  ASSERT_TRUE(registry.ok()) << registry.error().message();
  std::set<std::string> registered;
  for (const ModelSpec& spec : registry->models()) {
    registered.insert(spec.file);
    if (!fs::exists(test::models_dir() / spec.file)) continue;
    const VerifyResult verified = registry->verify(spec);
    EXPECT_EQ(verified.state, VerifyState::kOk) << verified.message;
    EXPECT_EQ(fs::file_size(verified.path), static_cast<uintmax_t>(spec.size)) << spec.name;
  }
  // Staged in ../shared/models on 2026-11-30 for image embeddings, which no stage runs yet:
  // registered when a stage uses them.
  const std::set<std::string> not_yet_registered = {"embedding/mobilenetv2-12-int8.onnx",
                                                    "embedding/mobilenetv2-12-int8_feat1280.onnx",
                                                    "embedding/imagenet-simple-labels.json"};
  int staged = 0;
  for (const auto& entry : fs::recursive_directory_iterator(test::models_dir())) {
    if (!entry.is_regular_file() || entry.path().filename() == "MODELS.md") continue;
    const std::string file = fs::relative(entry.path(), test::models_dir()).string();
    if (not_yet_registered.contains(file)) continue;
    ++staged;
    EXPECT_TRUE(registered.contains(file)) << entry.path() << " is not in the registry";
  }
  EXPECT_EQ(staged, 14);
}

TEST(ModelRegistry, UnknownKeyErrorNamesLineAndColumn) {
  TempDir dir;
  const std::string error = load_error(dir,
                                       "models:\n"
                                       "  a:\n"
                                       "    kind: detector\n"
                                       "    file: a.onnx\n"
                                       "    colour: red\n");
  EXPECT_NE(error.find("registry.yaml:5:5:"), std::string::npos) << error;
  EXPECT_NE(error.find("unknown key 'colour'"), std::string::npos) << error;

  const std::string nested = load_error(dir,
                                        "models:\n"
                                        "  a:\n"
                                        "    kind: detector\n"
                                        "    file: a.onnx\n"
                                        "    preprocess: {resize: stretch, scale: 2}\n");
  EXPECT_NE(nested.find("registry.yaml:5:35:"), std::string::npos) << nested;
}

TEST(ModelRegistry, WrongTypeErrorNamesLineAndColumn) {
  TempDir dir;
  const std::string size = load_error(dir,
                                      "models:\n"
                                      "  a:\n"
                                      "    kind: detector\n"
                                      "    file: a.onnx\n"
                                      "    size: big\n");
  EXPECT_NE(size.find("registry.yaml:5:11:"), std::string::npos) << size;
  EXPECT_NE(size.find("'size' in model 'a' must be an integer (got 'big')"), std::string::npos)
      << size;

  const std::string mean = load_error(dir,
                                      "models:\n"
                                      "  a:\n"
                                      "    kind: detector\n"
                                      "    file: a.onnx\n"
                                      "    preprocess:\n"
                                      "      mean: [1, 2]\n");
  EXPECT_NE(mean.find("registry.yaml:6:13:"), std::string::npos) << mean;

  const std::string empty = load_error(dir, "models:\n  a:\n    kind: detector\n    size:\n");
  EXPECT_NE(empty.find("registry.yaml:4:5: 'size' in model 'a' must be an integer (got nothing)"),
            std::string::npos)
      << empty;

  const std::string file = load_error(dir, "models:\n  a:\n    kind: detector\n    file: [x]\n");
  EXPECT_NE(file.find("registry.yaml:4:11:"), std::string::npos) << file;
}

TEST(ModelRegistry, MissingRequiredKeyAndBadValuesAreErrors) {
  TempDir dir;
  const std::string no_file = load_error(dir, "models:\n  a:\n    kind: detector\n");
  EXPECT_NE(no_file.find("registry.yaml:2:3:"), std::string::npos) << no_file;
  EXPECT_NE(no_file.find("model 'a' needs 'file'"), std::string::npos) << no_file;
  EXPECT_NE(load_error(dir, "models:\n  a:\n    file: a.onnx\n").find("model 'a' needs 'kind'"),
            std::string::npos);
  EXPECT_NE(load_error(dir, "models:\n  a: {kind: robot, file: a}\n")
                .find("'kind' in model 'a' must be one of"),
            std::string::npos);
  EXPECT_NE(load_error(dir, "models:\n  a: {kind: labels, file: a, sha256: ABC}\n")
                .find("'sha256' must be 64"),
            std::string::npos);
  const std::string labels =
      load_error(dir, "models:\n  a: {kind: detector, file: a, labels: b}\n");
  EXPECT_NE(labels.find("registry.yaml:2:40:"), std::string::npos) << labels;
  EXPECT_NE(load_error(dir, "colours: {}\n").find("unknown key 'colours'"), std::string::npos);
  const std::string interpolation = load_error(
      dir, "models:\n  a: {kind: detector, file: a, preprocess: {interpolation: cubic}}\n");
  EXPECT_NE(interpolation.find("registry.yaml:2:60: 'interpolation' in preprocess of model 'a' "
                               "must be one of linear, area (got 'cubic')"),
            std::string::npos)
      << interpolation;
}

TEST(ModelRegistry, AttributeModelsNeedADecoderANameAndTheirClasses) {
  TempDir dir;
  const std::string decoder =
      load_error(dir, "models:\n  a: {kind: attribute, file: a, decoder: yolox, attribute: x}\n");
  EXPECT_NE(decoder.find("registry.yaml:2:42: an attribute model's 'decoder' is genderage, "
                         "classes, landmarks or embedding (got 'yolox')"),
            std::string::npos)
      << decoder;
  EXPECT_NE(load_error(dir, "models:\n  a: {kind: attribute, file: a, decoder: landmarks}\n")
                .find("attribute model 'a' needs 'attribute'"),
            std::string::npos);
  EXPECT_NE(load_error(dir,
                       "models:\n  a: {kind: attribute, file: a, decoder: classes, attribute: e, "
                       "class_names: [one]}\n")
                .find("attribute model 'a' needs 'class_names'"),
            std::string::npos);
  const std::string shape = load_error(
      dir, "models:\n  a: {kind: attribute, file: a, decoder: genderage, crop: {shape: circle}}\n");
  EXPECT_NE(shape.find("'shape' in crop of model 'a' must be one of box, square, aligned_face"),
            std::string::npos)
      << shape;
  EXPECT_NE(load_error(dir,
                       "models:\n  a: {kind: attribute, file: a, decoder: genderage, crop: "
                       "{shape: box, margin: [1]}}\n")
                .find("'margin' must be [x, y]"),
            std::string::npos);
  const ModelRegistry shipped = *ModelRegistry::load_default();
  const ModelSpec emotion = *shipped.find("emotion_mini_xception");
  EXPECT_TRUE(emotion.preprocess.gray);
  EXPECT_EQ(emotion.class_names.size(), 7u);
  EXPECT_EQ(shipped.find("gender_mini_xception")->crop.margin_y, 60);
  EXPECT_EQ(shipped.find("pfld_68")->crop.shape, "square");
}

TEST(ModelRegistry, SyntaxErrorNamesLine) {
  TempDir dir;
  const std::string error = load_error(dir, "models:\n  a:\n    kind: [detector\n");
  EXPECT_NE(error.find("registry.yaml:"), std::string::npos) << error;
  EXPECT_NE(load_error(dir, "").find("registry.yaml"), std::string::npos);
  TempDir empty;
  EXPECT_FALSE(ModelRegistry::load(empty / "registry.yaml").ok());
}

TEST(ModelRegistry, MissingFileErrorNamesModelEveryPathAndFix) {
  IsolatedModelEnv env;
  TempDir dir;
  const ModelRegistry registry =
      load_registry(dir,
                    "models:\n  ghost:\n    kind: detector\n    file: detection/ghost.onnx\n"
                    "    url: https://example.com/ghost.onnx\n");
  Result<fs::path> resolved = registry.resolve("ghost");
  ASSERT_FALSE(resolved.ok());
  const std::string error = resolved.error().message();
  EXPECT_NE(error.find("'ghost'"), std::string::npos) << error;
  const std::vector<fs::path> dirs = registry.search_dirs();
  EXPECT_GE(dirs.size(), 3u);
  for (const fs::path& searched : dirs) {
    EXPECT_NE(error.find((searched / "detection/ghost.onnx").string()), std::string::npos) << error;
  }
  EXPECT_NE(error.find("framepipe models fetch ghost"), std::string::npos) << error;
  EXPECT_EQ(registry.verify(*registry.find("ghost")).state, VerifyState::kMissing);
}

TEST(ModelRegistry, CorruptedCopyIsMismatch) {
  IsolatedModelEnv env;
  fs::create_directories(env.models / "detection");
  test::write_file(env.models / "detection/yolox_nano_416.onnx", "not a model");
  Result<ModelRegistry> registry = ModelRegistry::load_default();
  ASSERT_TRUE(registry.ok()) << registry.error().message();
  const VerifyResult verified = registry->verify(*registry->find("yolox_nano_416"));
  EXPECT_EQ(verified.state, VerifyState::kMismatch);
  Result<fs::path> resolved = registry->resolve("yolox_nano_416");
  ASSERT_FALSE(resolved.ok());
  const std::string error = resolved.error().message();
  EXPECT_NE(error.find((env.models / "detection/yolox_nano_416.onnx").string()), std::string::npos)
      << error;
  EXPECT_NE(error.find("695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find(verified.actual_sha256), std::string::npos) << error;
  EXPECT_NE(error.find("framepipe models fetch yolox_nano_416"), std::string::npos) << error;
}

TEST(ModelRegistry, FramepipeModelsFoldersComeFirstInOrder) {
  TempDir first;
  TempDir second;
  TempDir cache;
  ScopedEnv models_env("FRAMEPIPE_MODELS", first.path().string() + ":" + second.path().string());
  ScopedEnv cache_env("XDG_CACHE_HOME", cache.path().string());
  fs::create_directories(second / "detection");
  fs::copy_file(test::models_dir() / "detection/coco80_classes.txt",
                second / "detection/coco80_classes.txt");
  Result<ModelRegistry> registry = ModelRegistry::load_default();
  ASSERT_TRUE(registry.ok()) << registry.error().message();
  const std::vector<fs::path> dirs = registry->search_dirs();
  ASSERT_GE(dirs.size(), 3u);
  EXPECT_EQ(dirs[0], fs::weakly_canonical(first.path()));
  EXPECT_EQ(dirs[1], fs::weakly_canonical(second.path()));
  EXPECT_EQ(dirs.back(), cache.path() / "framepipe/models");
  Result<fs::path> resolved = registry->resolve("coco80_classes");
  ASSERT_TRUE(resolved.ok()) << resolved.error().message();
  EXPECT_EQ(*resolved, dirs[1] / "detection/coco80_classes.txt");
}

TEST(ModelRegistry, FileWithoutSha256ResolvesAsUnverifiable) {
  IsolatedModelEnv env;
  test::write_file(env.models / "mystery.onnx", "bytes");
  TempDir dir;
  const ModelRegistry registry =
      load_registry(dir, "models:\n  mystery: {kind: embedder, file: mystery.onnx}\n");
  EXPECT_EQ(registry.verify(*registry.find("mystery")).state, VerifyState::kUnverifiable);
  Result<fs::path> resolved = registry.resolve("mystery");
  ASSERT_TRUE(resolved.ok()) << resolved.error().message();
  EXPECT_EQ(resolved->filename(), "mystery.onnx");
}

TEST(ModelRegistry, FramepipeRegistryOverridesTheShippedOne) {
  TempDir dir;
  test::write_file(dir / "registry.yaml", "models:\n  only: {kind: labels, file: only.txt}\n");
  {
    ScopedEnv registry_env("FRAMEPIPE_REGISTRY", (dir / "registry.yaml").string());
    Result<ModelRegistry> registry = ModelRegistry::load_default();
    ASSERT_TRUE(registry.ok()) << registry.error().message();
    ASSERT_EQ(registry->models().size(), 1u);
    EXPECT_EQ(registry->models()[0].name, "only");
  }
  ScopedEnv registry_env("FRAMEPIPE_REGISTRY", (dir / "absent.yaml").string());
  Result<ModelRegistry> missing = ModelRegistry::load_default();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("absent.yaml"), std::string::npos);
}

TEST(ModelRegistry, FindUnknownNameListsKnownNames) {
  TempDir dir;
  const ModelRegistry registry = load_registry(
      dir, "models:\n  a: {kind: labels, file: a.txt}\n  b: {kind: labels, file: b.txt}\n");
  Result<ModelSpec> found = registry.find("c");
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.error().message().find("knows: a, b"), std::string::npos)
      << found.error().message();
}

TEST(ModelRegistry, Sha256FileMatchesKnownDigests) {
  TempDir dir;
  test::write_file(dir / "abc", "abc");
  test::write_file(dir / "empty", "");
  EXPECT_EQ(*sha256_file(dir / "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(*sha256_file(dir / "empty"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_FALSE(sha256_file(dir / "absent").ok());
}

TEST(ModelRegistry, FetchUnreachableFailsWithinTimeoutAndKeepsNothing) {
  IsolatedModelEnv env;
  TempDir dir;
  // .invalid never resolves; 192.0.2.0/24 is reserved and never routed (RFC 5737).
  for (const std::string url :
       {"http://framepipe-test.invalid/yolox_nano_416.onnx", "http://192.0.2.1/yolox.onnx"}) {
    const ModelRegistry registry = load_registry(
        dir, "models:\n  far:\n    kind: detector\n    file: detection/far.onnx\n    sha256: " +
                 std::string(kCocoSha) + "\n    url: " + url + "\n");
    const auto start = std::chrono::steady_clock::now();
    Status fetched = registry.fetch(*registry.find("far"), 3.0);
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_FALSE(fetched.ok());
    EXPECT_LT(elapsed, 30.0);
    const std::string error = fetched.error().message();
    EXPECT_NE(error.find("could not download 'far' from " + url), std::string::npos) << error;
    EXPECT_NE(error.find((registry.cache_dir() / "detection/far.onnx").string()), std::string::npos)
        << error;
    EXPECT_FALSE(fs::exists(registry.cache_dir() / "detection/far.onnx.partial"));
    EXPECT_FALSE(fs::exists(registry.cache_dir() / "detection/far.onnx"));
  }
}

TEST(ModelRegistry, FetchVerifiesAndMovesIntoCache) {
  IsolatedModelEnv env;
  TempDir dir;
  const std::string source = file_url(test::models_dir() / "detection/coco80_classes.txt");
  const ModelRegistry registry =
      load_registry(dir, "models:\n  good: {kind: labels, file: labels/good.txt, sha256: " +
                             std::string(kCocoSha) + ", url: '" + source +
                             "'}\n"
                             "  bad: {kind: labels, file: labels/bad.txt, sha256: " +
                             std::string(64, '0') + ", url: '" + source + "'}\n");
  Status good = registry.fetch(*registry.find("good"), 10.0);
  ASSERT_TRUE(good.ok()) << good.error().message();
  EXPECT_EQ(registry.verify(*registry.find("good")).state, VerifyState::kOk);
  EXPECT_EQ(*registry.resolve("good"), registry.cache_dir() / "labels/good.txt");
  EXPECT_FALSE(fs::exists(registry.cache_dir() / "labels/good.txt.partial"));

  Status bad = registry.fetch(*registry.find("bad"), 10.0);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find(kCocoSha), std::string::npos) << bad.error().message();
  EXPECT_FALSE(fs::exists(registry.cache_dir() / "labels/bad.txt"));
  EXPECT_FALSE(fs::exists(registry.cache_dir() / "labels/bad.txt.partial"));
}

TEST(ModelRegistry, FetchWithoutUrlSaysThereIsNoDownload) {
  IsolatedModelEnv env;
  Result<ModelRegistry> registry = ModelRegistry::load_default();
  ASSERT_TRUE(registry.ok()) << registry.error().message();
  Status fetched = registry->fetch(*registry->find("mobilefacenet_128d"), 5.0);
  ASSERT_FALSE(fetched.ok());
  EXPECT_NE(fetched.error().message().find("no official download"), std::string::npos)
      << fetched.error().message();
}

TEST(ModelRegistry, CacheDirFollowsXdgThenHome) {
  ModelRegistry registry;
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "/somewhere/cache");
    EXPECT_EQ(registry.cache_dir(), fs::path("/somewhere/cache/framepipe/models"));
  }
  ScopedEnv xdg("XDG_CACHE_HOME", std::nullopt);
  ScopedEnv home("HOME", "/home/someone");
  EXPECT_EQ(registry.cache_dir(), fs::path("/home/someone/.cache/framepipe/models"));
}

}  // namespace
}  // namespace fp::infer
