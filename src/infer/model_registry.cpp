#include "infer/model_registry.hpp"

#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include "core/strings.hpp"
#include "core/yaml_config.hpp"

namespace fp::infer {

namespace fs = std::filesystem;

namespace {

const char* env_or_null(const char* name) {
  const char* value = std::getenv(name);
  return (value != nullptr && *value != '\0') ? value : nullptr;
}

// In the registry an empty value (`url:` with nothing after it) means "none", like "".
Status read_text(const YamlMap& map, const char* key, std::string& out) {
  if (map.has(key) && map.node(key).IsNull()) {
    out.clear();
    return ok_status();
  }
  return map.read(key, out);
}

// Reads a per-channel triple such as `mean: [0, 0, 0]`.
Status read_triple(const YamlMap& map, const char* key, double (&out)[3]) {
  std::vector<double> values(std::begin(out), std::end(out));
  FP_RETURN_IF_ERROR(map.read(key, values));
  if (values.size() != 3) {
    return map.error_at(key, std::string("'") + key + "' must be a list of 3 numbers");
  }
  std::copy(values.begin(), values.end(), out);
  return ok_status();
}

Status parse_preprocess(const YamlMap& map, Preprocess& pre) {
  FP_RETURN_IF_ERROR(
      map.check_keys({"resize", "interpolation", "pad_value", "swap_rb", "gray", "mean", "std"}));
  FP_RETURN_IF_ERROR(
      map.read_one_of("resize", pre.resize, {"letterbox_topleft", "letterbox_center", "stretch"}));
  FP_RETURN_IF_ERROR(map.read_one_of("interpolation", pre.interpolation, {"linear", "area"}));
  FP_RETURN_IF_ERROR(map.read("pad_value", pre.pad_value));
  FP_RETURN_IF_ERROR(map.read("swap_rb", pre.swap_rb));
  FP_RETURN_IF_ERROR(map.read("gray", pre.gray));
  FP_RETURN_IF_ERROR(read_triple(map, "mean", pre.mean));
  return read_triple(map, "std", pre.std);
}

Status parse_crop(const YamlMap& map, ObjectCrop& crop) {
  FP_RETURN_IF_ERROR(map.check_keys({"shape", "margin", "scale"}));
  FP_RETURN_IF_ERROR(map.read_one_of("shape", crop.shape, {"box", "square", "aligned_face"}));
  std::vector<double> margin;
  FP_RETURN_IF_ERROR(map.read("margin", margin));
  if (map.has("margin") && (margin.size() != 2 || margin[0] < 0 || margin[1] < 0)) {
    return map.error_at("margin",
                        "'margin' must be [x, y]: pixels added left/right and above/below");
  }
  if (!margin.empty()) crop.margin_x = static_cast<float>(margin[0]);
  if (!margin.empty()) crop.margin_y = static_cast<float>(margin[1]);
  FP_RETURN_IF_ERROR(map.read("scale", crop.scale));
  if (crop.scale <= 0 || crop.scale > 4) {
    return map.error_at("scale", "'scale' must be above 0 and at most 4");
  }
  return ok_status();
}

Status parse_batch(const YamlMap& map, ModelSpec& spec) {
  FP_RETURN_IF_ERROR(map.check_keys({"max", "layout", "strides"}));
  FP_RETURN_IF_ERROR(map.read("max", spec.max_batch));
  if (spec.max_batch < 1 || spec.max_batch > 64) {
    return map.error_at("max", "'max' must be from 1 to 64");
  }
  std::string layout = "item_major";
  FP_RETURN_IF_ERROR(map.read("layout", layout));
  auto kind = parse_batch_layout(layout);
  if (!kind.ok()) return map.error_at("layout", kind.error().message());
  spec.batch_layout.kind = *kind;
  FP_RETURN_IF_ERROR(map.read("strides", spec.batch_layout.strides));
  const bool folded = spec.batch_layout.kind == BatchLayout::Kind::kFoldedLevels;
  if (folded == spec.batch_layout.strides.empty() ||
      std::any_of(spec.batch_layout.strides.begin(), spec.batch_layout.strides.end(),
                  [](int s) { return s < 1; })) {
    return map.error_at("strides",
                        "'strides' (positive numbers) are needed by, and only by, folded_levels");
  }
  return ok_status();
}

// What an attribute model needs: a decoder the `attributes` stage has, the attribute's name, and
// for "classes" the class names.
Status check_attribute_model(const YamlMap& map, const ModelSpec& spec) {
  const std::string& decoder = spec.decoder;
  if (decoder != "genderage" && decoder != "classes" && decoder != "landmarks" &&
      decoder != "embedding") {
    return map.error_at("decoder",
                        "an attribute model's 'decoder' is genderage, classes, "
                        "landmarks or embedding (got '" +
                            decoder + "')");
  }
  if (decoder != "genderage" && spec.attribute.empty()) {
    return map.error_at(nullptr, "attribute model '" + spec.name +
                                     "' needs 'attribute': the name its result is written under");
  }
  if (decoder == "classes" && spec.class_names.size() < 2) {
    return map.error_at(nullptr, "attribute model '" + spec.name +
                                     "' needs 'class_names': its output's classes, in order");
  }
  return ok_status();
}

// Reads one entry of `models:`. A `labels` reference is checked once every entry is known, so
// its name and place are added to `label_refs`.
Result<ModelSpec> parse_entry(const YamlMap& map, const std::string& name,
                              std::vector<std::pair<std::string, std::string>>& label_refs) {
  ModelSpec spec;
  spec.name = name;
  FP_RETURN_IF_ERROR(map.check_keys({"kind", "file", "sha256", "size", "licence", "url", "source",
                                     "decoder", "input", "preprocess", "labels", "conf", "nms",
                                     "batch", "crop", "attribute", "class_names", "notes"}));
  FP_RETURN_IF_ERROR(map.read_one_of(
      "kind", spec.kind, {"detector", "face_detector", "embedder", "attribute", "labels"}));
  FP_RETURN_IF_ERROR(map.read("file", spec.file));
  FP_RETURN_IF_ERROR(read_text(map, "sha256", spec.sha256));
  const bool hex = spec.sha256.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!spec.sha256.empty() && (spec.sha256.size() != 64 || !hex)) {
    return map.error_at("sha256", "'sha256' must be 64 lower-case hex digits or empty");
  }
  FP_RETURN_IF_ERROR(map.read("size", spec.size));
  FP_RETURN_IF_ERROR(read_text(map, "licence", spec.licence));
  FP_RETURN_IF_ERROR(read_text(map, "url", spec.url));
  FP_RETURN_IF_ERROR(read_text(map, "source", spec.source));
  FP_RETURN_IF_ERROR(read_text(map, "decoder", spec.decoder));
  if (map.has("input")) {
    FP_ASSIGN_OR_RETURN(const YamlMap input, map.map("input", "input of model '" + name + "'"));
    FP_RETURN_IF_ERROR(input.check_keys({"width", "height"}));
    FP_RETURN_IF_ERROR(input.read("width", spec.input_width));
    FP_RETURN_IF_ERROR(input.read("height", spec.input_height));
  }
  if (map.has("preprocess")) {
    FP_ASSIGN_OR_RETURN(const YamlMap pre,
                        map.map("preprocess", "preprocess of model '" + name + "'"));
    FP_RETURN_IF_ERROR(parse_preprocess(pre, spec.preprocess));
  }
  if (map.has("batch")) {
    FP_ASSIGN_OR_RETURN(const YamlMap batch, map.map("batch", "batch of model '" + name + "'"));
    FP_RETURN_IF_ERROR(parse_batch(batch, spec));
  }
  if (map.has("crop")) {
    FP_ASSIGN_OR_RETURN(const YamlMap crop, map.map("crop", "crop of model '" + name + "'"));
    FP_RETURN_IF_ERROR(parse_crop(crop, spec.crop));
  }
  FP_RETURN_IF_ERROR(read_text(map, "attribute", spec.attribute));
  FP_RETURN_IF_ERROR(map.read("class_names", spec.class_names));
  FP_RETURN_IF_ERROR(read_text(map, "labels", spec.labels));
  if (!spec.labels.empty()) label_refs.emplace_back(spec.labels, map.where("labels"));
  FP_RETURN_IF_ERROR(map.read("conf", spec.default_conf));
  FP_RETURN_IF_ERROR(map.read("nms", spec.default_nms));
  FP_RETURN_IF_ERROR(read_text(map, "notes", spec.notes));
  // Checked last, so a wrong value above is reported even while a required key is missing.
  FP_RETURN_IF_ERROR(map.require("kind", spec.kind));
  FP_RETURN_IF_ERROR(map.require("file", spec.file));
  if (spec.kind == "attribute") FP_RETURN_IF_ERROR(check_attribute_model(map, spec));
  return spec;
}

// Reads a whole registry file. Every error names file:line:column because the registry is edited
// by hand.
Result<std::vector<ModelSpec>> parse_registry(const YAML::Node& root, const std::string& file) {
  FP_ASSIGN_OR_RETURN(const YamlMap top, YamlMap::from(root, file, "the model registry"));
  FP_RETURN_IF_ERROR(top.check_keys({"models"}));
  std::vector<ModelSpec> specs;
  if (!top.has("models")) return specs;
  FP_ASSIGN_OR_RETURN(const YamlMap models, top.map("models", "'models'"));
  std::vector<std::pair<std::string, std::string>> label_refs;
  std::set<std::string> names;
  for (const auto& entry : top.node("models")) {
    const std::string name = entry.first.Scalar();
    if (!names.insert(name).second) {
      return Error(yaml_location(file, entry.first.Mark()) + ": model '" + name +
                   "' is defined twice");
    }
    FP_ASSIGN_OR_RETURN(const YamlMap map, models.map(name.c_str(), "model '" + name + "'"));
    FP_ASSIGN_OR_RETURN(ModelSpec spec, parse_entry(map, name, label_refs));
    specs.push_back(std::move(spec));
  }
  for (const auto& [label, where] : label_refs) {
    if (!names.contains(label)) {
      return Error(where + ": 'labels' names '" + label + "', which is not a model");
    }
  }
  return specs;
}

// What the user should do about a missing or bad file; depends on whether a download exists.
std::string fix_hint(const ModelSpec& spec) {
  if (!spec.url.empty()) {
    return "Run 'framepipe models fetch " + spec.name + "' or set FRAMEPIPE_MODELS to a folder " +
           "that holds " + spec.file + ".";
  }
  return "There is no official download: get the file as its source says (" + spec.source +
         ") and set FRAMEPIPE_MODELS to a folder that holds " + spec.file + ".";
}

}  // namespace

Result<ModelRegistry> ModelRegistry::load(const fs::path& registry_yaml) {
  std::error_code ec;
  if (!fs::is_regular_file(registry_yaml, ec)) {
    return Error("model registry " + registry_yaml.string() + " does not exist");
  }
  const std::string file = registry_yaml.string();
  FP_ASSIGN_OR_RETURN(const YAML::Node root, load_yaml_file(file));
  ModelRegistry registry;
  registry.registry_path_ = registry_yaml;
  try {
    FP_ASSIGN_OR_RETURN(registry.models_, parse_registry(root, file));
  } catch (const YAML::Exception& e) {  // e.g. a key that is not text
    return Error(yaml_location(file, e.mark) + ": " + e.msg);
  }
  return registry;
}

Result<ModelRegistry> ModelRegistry::load_default() {
  if (const char* explicit_path = env_or_null("FRAMEPIPE_REGISTRY")) return load(explicit_path);
  std::vector<fs::path> candidates;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path() / "../share/framepipe/registry.yaml");
  candidates.push_back(fs::path(FRAMEPIPE_SOURCE_DIR) / "models/registry.yaml");
  std::vector<std::string> tried;
  for (const fs::path& candidate : candidates) {
    if (fs::is_regular_file(candidate, ec)) return load(candidate.lexically_normal());
    tried.push_back(candidate.lexically_normal().string());
  }
  return Error("no model registry found (looked for " + join(tried, ", ") +
               "). Set FRAMEPIPE_REGISTRY to the path of a registry.yaml.");
}

Result<ModelSpec> ModelRegistry::find(const std::string& name) const {
  std::vector<std::string> names;
  for (const ModelSpec& spec : models_) {
    if (spec.name == name) return spec;
    names.push_back(spec.name);
  }
  return Error("unknown model '" + name + "' (" + registry_path_.string() +
               " knows: " + join(names, ", ") + ")");
}

std::vector<fs::path> ModelRegistry::search_dirs() const {
  std::vector<fs::path> dirs;
  // The same folder reached by two routes (e.g. running from the repository root) is searched
  // and reported once.
  const auto add = [&dirs](const fs::path& dir) {
    std::error_code ec;
    fs::path normal = fs::weakly_canonical(dir, ec);
    if (ec) normal = dir.lexically_normal();
    for (const fs::path& known : dirs) {
      if (known == normal) return;
    }
    dirs.push_back(normal);
  };
  if (const char* models = env_or_null("FRAMEPIPE_MODELS")) {
    std::istringstream list(models);
    for (std::string dir; std::getline(list, dir, ':');) {
      if (!dir.empty()) add(dir);
    }
  }
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (!ec) add(cwd / "../shared/models");
  add(fs::path(FRAMEPIPE_SOURCE_DIR) / "../shared/models");
  add(cache_dir());
  return dirs;
}

fs::path ModelRegistry::cache_dir() const {
  // XDG says a relative XDG_CACHE_HOME is invalid and must be ignored.
  if (const char* xdg = env_or_null("XDG_CACHE_HOME"); xdg && fs::path(xdg).is_absolute()) {
    return fs::path(xdg) / "framepipe/models";
  }
  if (const char* home = env_or_null("HOME")) return fs::path(home) / ".cache/framepipe/models";
  if (const passwd* user = getpwuid(getuid()); user != nullptr && user->pw_dir != nullptr) {
    return fs::path(user->pw_dir) / ".cache/framepipe/models";
  }
  return fs::temp_directory_path() / "framepipe/models";
}

ModelLocation ModelRegistry::locate(const ModelSpec& spec) const {
  ModelLocation location;
  location.searched = search_dirs();
  for (const fs::path& dir : location.searched) {
    std::error_code ec;
    if (fs::is_regular_file(dir / spec.file, ec)) {
      location.path = dir / spec.file;
      break;
    }
  }
  return location;
}

VerifyResult ModelRegistry::verify(const ModelSpec& spec) const {
  VerifyResult result;
  const ModelLocation location = locate(spec);
  if (location.path.empty()) {
    std::vector<std::string> tried;
    for (const fs::path& dir : location.searched) tried.push_back((dir / spec.file).string());
    result.message = "model '" + spec.name + "' not found (looked for " + join(tried, ", ") +
                     "). " + fix_hint(spec);
    return result;
  }
  result.path = location.path;
  const std::string at = "model '" + spec.name + "' at " + location.path.string();
  Result<std::string> actual = sha256_file(location.path);
  if (!actual.ok()) {
    result.message = at + " cannot be read: " + actual.error().message();
    return result;
  }
  result.actual_sha256 = *actual;
  if (spec.sha256.empty()) {
    result.state = VerifyState::kUnverifiable;
    result.message = at + " cannot be verified: the registry has no sha256 for it (the file's is " +
                     result.actual_sha256 + "; add it to the registry once you trust the file).";
  } else if (spec.sha256 != result.actual_sha256) {
    result.state = VerifyState::kMismatch;
    result.message = at + " has sha256 " + result.actual_sha256 + " but the registry expects " +
                     spec.sha256 + "; the file is corrupt or a different version. Delete it. " +
                     fix_hint(spec);
  } else {
    result.state = VerifyState::kOk;
    result.message = at + ": sha256 ok";
  }
  return result;
}

Result<fs::path> ModelRegistry::resolve(const std::string& name) const {
  FP_ASSIGN_OR_RETURN(const ModelSpec spec, find(name));
  VerifyResult verified = verify(spec);
  switch (verified.state) {
    case VerifyState::kOk:
      return verified.path;
    case VerifyState::kUnverifiable:
      spdlog::warn("{}", verified.message);
      return verified.path;
    case VerifyState::kMissing:
    case VerifyState::kMismatch:
      break;
  }
  return Error(verified.message);
}

}  // namespace fp::infer
