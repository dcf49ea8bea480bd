#include "infer/model_registry.hpp"

#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>
#include <sstream>

namespace fp::infer {

namespace fs = std::filesystem;

namespace {

const char* env_or_null(const char* name) {
  const char* value = std::getenv(name);
  return (value != nullptr && *value != '\0') ? value : nullptr;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::ostringstream out;
  for (size_t i = 0; i < items.size(); ++i) out << (i ? separator : "") << items[i];
  return out.str();
}

// Reads one registry file. Every error points at a YAML node (file:line:column, 1-based) because
// the registry is edited by hand.
class RegistryParser {
 public:
  explicit RegistryParser(std::string file) : file_(std::move(file)) {}

  Error at(const YAML::Mark& mark, const std::string& what) const {
    if (mark.is_null()) return Error(file_ + ": " + what);
    return Error(file_ + ":" + std::to_string(mark.line + 1) + ":" +
                 std::to_string(mark.column + 1) + ": " + what);
  }

  Result<std::vector<ModelSpec>> parse(const YAML::Node& root) {
    if (!root.IsMap()) return at(root.Mark(), "expected a map with the key 'models'");
    std::vector<ModelSpec> specs;
    for (const auto& top : root) {
      if (top.first.Scalar() != "models") {
        return at(top.first.Mark(), "unknown key '" + top.first.Scalar() + "' (expected 'models')");
      }
      if (!top.second.IsMap()) return at(top.second.Mark(), "'models' must map names to entries");
      for (const auto& entry : top.second) {
        FP_ASSIGN_OR_RETURN(ModelSpec spec, parse_entry(entry.first, entry.second));
        for (const ModelSpec& earlier : specs) {
          if (earlier.name == spec.name) {
            return at(entry.first.Mark(), "model '" + spec.name + "' is defined twice");
          }
        }
        specs.push_back(std::move(spec));
      }
    }
    std::set<std::string> names;
    for (const ModelSpec& spec : specs) names.insert(spec.name);
    for (const auto& [name, mark] : labels_marks_) {
      if (!names.contains(name))
        return at(mark, "'labels' names '" + name + "', which is not a model");
    }
    return specs;
  }

 private:
  using Key = YAML::Node;

  Result<ModelSpec> parse_entry(const Key& key, const YAML::Node& node) {
    ModelSpec spec;
    spec.name = key.Scalar();
    if (!node.IsMap()) return at(mark_of(node, key), "model '" + spec.name + "' must be a map");
    for (const auto& field : node) {
      FP_RETURN_IF_ERROR(parse_field(field.first, field.second, spec));
    }
    if (spec.kind.empty()) return at(key.Mark(), "model '" + spec.name + "' has no 'kind'");
    if (spec.file.empty()) return at(key.Mark(), "model '" + spec.name + "' has no 'file'");
    return spec;
  }

  Status parse_field(const Key& key, const YAML::Node& value, ModelSpec& spec) {
    const std::string& name = key.Scalar();
    if (name == "kind") {
      FP_RETURN_IF_ERROR(read_text(key, value, spec.kind));
      static const std::set<std::string> kKinds = {"detector", "face_detector", "embedder",
                                                   "labels"};
      if (!kKinds.contains(spec.kind)) {
        return at(mark_of(value, key),
                  "'kind' must be one of detector, face_detector, embedder, "
                  "labels; got '" +
                      spec.kind + "'");
      }
      return ok_status();
    }
    if (name == "file") return read_text(key, value, spec.file);
    if (name == "sha256") {
      FP_RETURN_IF_ERROR(read_text(key, value, spec.sha256));
      const bool hex = spec.sha256.find_first_not_of("0123456789abcdef") == std::string::npos;
      if (!spec.sha256.empty() && (spec.sha256.size() != 64 || !hex)) {
        return at(mark_of(value, key), "'sha256' must be 64 lower-case hex digits or empty");
      }
      return ok_status();
    }
    if (name == "size") return read_scalar(key, value, spec.size, "an integer");
    if (name == "licence") return read_text(key, value, spec.licence);
    if (name == "url") return read_text(key, value, spec.url);
    if (name == "source") return read_text(key, value, spec.source);
    if (name == "decoder") return read_text(key, value, spec.decoder);
    if (name == "input") return parse_input(key, value, spec);
    if (name == "preprocess") return parse_preprocess(key, value, spec.preprocess);
    if (name == "labels") {
      FP_RETURN_IF_ERROR(read_text(key, value, spec.labels));
      if (!spec.labels.empty()) labels_marks_.emplace_back(spec.labels, mark_of(value, key));
      return ok_status();
    }
    if (name == "conf") return read_scalar(key, value, spec.default_conf, "a number");
    if (name == "nms") return read_scalar(key, value, spec.default_nms, "a number");
    if (name == "notes") return read_text(key, value, spec.notes);
    return unknown(key,
                   "kind, file, sha256, size, licence, url, source, decoder, input, "
                   "preprocess, labels, conf, nms, notes");
  }

  Status parse_input(const Key& key, const YAML::Node& node, ModelSpec& spec) {
    if (!node.IsMap()) return at(mark_of(node, key), "'input' must be a map {width, height}");
    for (const auto& field : node) {
      const std::string& name = field.first.Scalar();
      if (name == "width") {
        FP_RETURN_IF_ERROR(read_scalar(field.first, field.second, spec.input_width, "an integer"));
      } else if (name == "height") {
        FP_RETURN_IF_ERROR(read_scalar(field.first, field.second, spec.input_height, "an integer"));
      } else {
        return unknown(field.first, "width, height");
      }
    }
    return ok_status();
  }

  Status parse_preprocess(const Key& key, const YAML::Node& node, Preprocess& pre) {
    if (!node.IsMap()) return at(mark_of(node, key), "'preprocess' must be a map");
    for (const auto& field : node) {
      const Key& sub = field.first;
      const YAML::Node& value = field.second;
      const std::string& name = sub.Scalar();
      if (name == "resize") {
        FP_RETURN_IF_ERROR(read_text(sub, value, pre.resize));
        if (pre.resize != "letterbox_topleft" && pre.resize != "letterbox_center" &&
            pre.resize != "stretch") {
          return at(mark_of(value, sub),
                    "'resize' must be letterbox_topleft, letterbox_center "
                    "or stretch; got '" +
                        pre.resize + "'");
        }
      } else if (name == "pad_value") {
        FP_RETURN_IF_ERROR(read_scalar(sub, value, pre.pad_value, "a number"));
      } else if (name == "swap_rb") {
        FP_RETURN_IF_ERROR(read_scalar(sub, value, pre.swap_rb, "true or false"));
      } else if (name == "mean") {
        FP_RETURN_IF_ERROR(read_triple(sub, value, pre.mean));
      } else if (name == "std") {
        FP_RETURN_IF_ERROR(read_triple(sub, value, pre.std));
      } else {
        return unknown(sub, "resize, pad_value, swap_rb, mean, std");
      }
    }
    return ok_status();
  }

  // An empty value (`key:` with nothing after it) is marked where the next token starts, often a
  // later line, so errors about it point at the key instead.
  static YAML::Mark mark_of(const YAML::Node& value, const Key& key) {
    return (value.IsNull() || value.Mark().is_null()) ? key.Mark() : value.Mark();
  }

  Status unknown(const Key& key, const std::string& allowed) const {
    return at(key.Mark(), "unknown key '" + key.Scalar() + "' (allowed: " + allowed + ")");
  }

  Status read_text(const Key& key, const YAML::Node& value, std::string& out) const {
    if (value.IsNull()) {
      out.clear();
      return ok_status();
    }
    if (!value.IsScalar()) return at(mark_of(value, key), "'" + key.Scalar() + "' must be text");
    out = value.Scalar();
    return ok_status();
  }

  template <class T>
  Status read_scalar(const Key& key, const YAML::Node& value, T& out,
                     const std::string& expected) const {
    if (!value.IsScalar() || !YAML::convert<T>::decode(value, out)) {
      const std::string got = value.IsScalar() ? ", got '" + value.Scalar() + "'"
                              : value.IsNull() ? ", got nothing"
                                               : "";
      return at(mark_of(value, key), "'" + key.Scalar() + "' must be " + expected + got);
    }
    return ok_status();
  }

  Status read_triple(const Key& key, const YAML::Node& value, double (&out)[3]) const {
    if (!value.IsSequence() || value.size() != 3) {
      return at(mark_of(value, key), "'" + key.Scalar() + "' must be a list of 3 numbers");
    }
    for (size_t i = 0; i < 3; ++i) {
      FP_RETURN_IF_ERROR(read_scalar(key, value[i], out[i], "numbers"));
    }
    return ok_status();
  }

  std::string file_;
  std::vector<std::pair<std::string, YAML::Mark>> labels_marks_;
};

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
  RegistryParser parser(registry_yaml.string());
  std::error_code ec;
  if (!fs::is_regular_file(registry_yaml, ec)) {
    return Error("model registry " + registry_yaml.string() + " does not exist");
  }
  ModelRegistry registry;
  registry.registry_path_ = registry_yaml;
  try {
    FP_ASSIGN_OR_RETURN(registry.models_, parser.parse(YAML::LoadFile(registry_yaml.string())));
  } catch (const YAML::Exception& e) {
    return parser.at(e.mark, e.msg);
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
