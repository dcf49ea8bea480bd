// ModelRegistry: the models framepipe knows (models/registry.yaml) and where their files are.
//
// Models are data, never committed. A file is looked for in $FRAMEPIPE_MODELS, then
// ../shared/models (beside the repository), then ~/.cache/framepipe/models; `framepipe models
// fetch` downloads into the cache and checks sha256. A missing or mismatched file is an Error
// naming the model, every path searched and the command that fixes it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "infer/batch_layout.hpp"

namespace fp::infer {

// How an image becomes the model's input tensor (NCHW float32).
struct Preprocess {
  std::string resize = "letterbox_topleft";  // letterbox_topleft | letterbox_center | stretch
  std::string interpolation = "linear";      // linear | area (cv::INTER_LINEAR, cv::INTER_AREA)
  double pad_value = 0;                      // fill of the letterbox border
  bool swap_rb = false;                      // true: the model wants RGB (frames are BGR)
  bool gray = false;                         // true: one grey channel (then mean/std's first)
  double mean[3] = {0, 0, 0};                // subtracted per channel, in the model's channel order
  double std[3] = {1, 1, 1};                 // divisor per channel, after the mean
};

// What part of the frame an attribute model sees of an object (kind `attribute`).
struct ObjectCrop {
  std::string shape = "box";  // box | square | aligned_face
  float margin_x = 0;         // box: pixels added left and right
  float margin_y = 0;         // box: pixels added above and below
  float scale = 1;            // square: side = scale x the box's longer side, centred on the box
};

struct ModelSpec {
  std::string name;    // registry key, e.g. "yolox_nano_416"
  std::string kind;    // "detector", "face_detector", "embedder", "attribute", "labels"
  std::string file;    // path relative to a models folder, e.g. "detection/yolox_nano_416.onnx"
  std::string sha256;  // lower-case hex; empty when unknown (cannot be verified)
  int64_t size = 0;    // bytes; 0 when unknown
  std::string licence;
  std::string url;      // official download address
  std::string source;   // where the file comes from, for people
  std::string decoder;  // output decoder: "yolox", "nanodet", ... ; empty for non-models
  int input_width = 0;
  int input_height = 0;
  Preprocess preprocess;
  std::string labels;  // registry name of the class-name list, e.g. "coco80_classes"
  float default_conf = 0.3f;
  float default_nms = 0.45f;
  // Default largest batch (registry `batch: {max: N}`), chosen by bench/batcher_bench; stages
  // may override it. 1: the model does not run batches (its ONNX fixes the batch size).
  int max_batch = 1;
  BatchLayout batch_layout;  // `batch: {layout: ..., strides: [...]}`
  // Attribute models: the crop they see, the attribute they give (decoders "classes",
  // "landmarks", "embedding"; "genderage" gives "age" and "gender"), and for "classes" the
  // names of the output's classes in order.
  ObjectCrop crop;
  std::string attribute;
  std::vector<std::string> class_names;
  std::string notes;
};

// Result of looking for a model's file.
struct ModelLocation {
  std::filesystem::path path;                   // empty when not found
  std::vector<std::filesystem::path> searched;  // every folder looked in, in order
};

enum class VerifyState { kOk, kMissing, kMismatch, kUnverifiable };

struct VerifyResult {
  VerifyState state = VerifyState::kMissing;
  std::filesystem::path path;  // where the file was found
  std::string actual_sha256;   // when found
  std::string message;         // a sentence for the user
};

class ModelRegistry {
 public:
  // Parses a registry YAML file; errors name file:line:column.
  static Result<ModelRegistry> load(const std::filesystem::path& registry_yaml);
  // The registry that ships with framepipe (models/registry.yaml in the source tree or beside the
  // installed binary).
  static Result<ModelRegistry> load_default();

  const std::vector<ModelSpec>& models() const { return models_; }
  // Error lists the known names when `name` is unknown.
  Result<ModelSpec> find(const std::string& name) const;

  // Folders searched for model files, in order: $FRAMEPIPE_MODELS (if set), ../shared/models,
  // ~/.cache/framepipe/models.
  std::vector<std::filesystem::path> search_dirs() const;
  std::filesystem::path cache_dir() const;
  ModelLocation locate(const ModelSpec& spec) const;
  VerifyResult verify(const ModelSpec& spec) const;
  // The path of a model's file after it was found and its sha256 matched; else an Error naming the
  // model, the paths searched and the fix (`framepipe models fetch NAME`, or set FRAMEPIPE_MODELS).
  Result<std::filesystem::path> resolve(const std::string& name) const;
  // Downloads the model into the cache dir (temporary name, sha256 checked, then renamed).
  // Fails with a clear message within `timeout_seconds` when the network is unreachable.
  Status fetch(const ModelSpec& spec, double timeout_seconds) const;

 private:
  std::vector<ModelSpec> models_;
  std::filesystem::path registry_path_;
};

// Lower-case hex sha256 of a file's bytes.
Result<std::string> sha256_file(const std::filesystem::path& path);

}  // namespace fp::infer
