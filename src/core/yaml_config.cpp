#include "core/yaml_config.hpp"

#include <algorithm>
#include <filesystem>

#include "core/strings.hpp"

namespace fp {

std::string yaml_location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Result<YAML::Node> load_yaml_file(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    return Error("config file '" + path + "' does not exist");
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Error(yaml_location(path, e.mark) + ": YAML syntax error: " + e.msg);
  }
}

Result<YAML::Node> load_yaml_text(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error(yaml_location(file, e.mark) + ": YAML syntax error: " + e.msg);
  }
}

Result<YamlMap> YamlMap::from(const YAML::Node& node, const std::string& file,
                              const std::string& what) {
  if (!node.IsMap()) {
    return Error(yaml_location(file, node.Mark()) + ": " + what +
                 " must be a mapping of key: value");
  }
  return YamlMap(node, node.Mark(), file, what);
}

Result<YamlMap> YamlMap::map(const char* key, const std::string& what) const {
  const YAML::Node value = node_[key];
  if (!value.IsMap()) return error_at(key, what + " must be a mapping of key: value");
  YAML::Mark mark = value.Mark();
  for (const auto& entry : node_) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) mark = entry.first.Mark();
  }
  return YamlMap(value, mark, file_, what);
}

std::string YamlMap::where(const char* key) const {
  // The value's mark is the more useful place for type errors; an empty value has no place of
  // its own, so point at its key.
  const YAML::Node value = node_[key];
  if (!value) return where();
  if (value.IsNull() || value.Mark().is_null()) {
    for (const auto& entry : node_) {
      if (entry.first.IsScalar() && entry.first.Scalar() == key) {
        return yaml_location(file_, entry.first.Mark());
      }
    }
  }
  return yaml_location(file_, value.Mark());
}

Error YamlMap::error_at(const char* key, const std::string& message) const {
  return Error((key ? where(key) : where()) + ": " + message);
}

Status YamlMap::check_keys(std::initializer_list<const char*> allowed) const {
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) {
      return Error(yaml_location(file_, entry.first.Mark()) + ": keys in " + what_ +
                   " must be plain names");
    }
    const std::string key = entry.first.Scalar();
    const bool known =
        std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; });
    if (known) continue;
    return Error(yaml_location(file_, entry.first.Mark()) + ": unknown key '" + key + "' in " +
                 what_ + " (allowed: " + join(allowed) + ")");
  }
  return ok_status();
}

template <class T>
Status YamlMap::read_scalar(const char* key, T& out, const char* type_name) const {
  const YAML::Node value = node_[key];
  if (!value) return ok_status();
  if (!value.IsScalar()) {
    return error_at(key, "'" + std::string(key) + "' in " + what_ + " must be " + type_name +
                             (value.IsNull() ? " (got nothing)" : ""));
  }
  try {
    out = value.as<T>();
  } catch (const YAML::Exception&) {
    return error_at(key, "'" + std::string(key) + "' in " + what_ + " must be " + type_name +
                             " (got '" + value.Scalar() + "')");
  }
  return ok_status();
}

template <class T>
Status YamlMap::read_sequence(const char* key, std::vector<T>& out, const char* type_name) const {
  const YAML::Node value = node_[key];
  if (!value) return ok_status();
  if (!value.IsSequence()) {
    return error_at(key,
                    "'" + std::string(key) + "' in " + what_ + " must be a list of " + type_name);
  }
  std::vector<T> items;
  for (const YAML::Node& item : value) {
    try {
      if (!item.IsScalar()) throw YAML::Exception(item.Mark(), "not a scalar");
      items.push_back(item.as<T>());
    } catch (const YAML::Exception&) {
      return Error(yaml_location(file_, item.Mark()) + ": items of '" + key + "' in " + what_ +
                   " must be " + type_name);
    }
  }
  out = std::move(items);
  return ok_status();
}

Status YamlMap::read(const char* key, int& out) const {
  return read_scalar(key, out, "an integer");
}
Status YamlMap::read(const char* key, int64_t& out) const {
  return read_scalar(key, out, "an integer");
}
Status YamlMap::read(const char* key, double& out) const {
  return read_scalar(key, out, "a number");
}
Status YamlMap::read(const char* key, float& out) const {
  return read_scalar(key, out, "a number");
}
Status YamlMap::read(const char* key, bool& out) const {
  return read_scalar(key, out, "true or false");
}
Status YamlMap::read(const char* key, std::string& out) const {
  return read_scalar(key, out, "a string");
}
Status YamlMap::read(const char* key, std::vector<std::string>& out) const {
  return read_sequence(key, out, "strings");
}
Status YamlMap::read(const char* key, std::vector<double>& out) const {
  return read_sequence(key, out, "numbers");
}
Status YamlMap::read(const char* key, std::vector<int>& out) const {
  return read_sequence(key, out, "integers");
}

Status YamlMap::require(const char* key, std::string& out) const {
  if (!has(key)) return error_at(nullptr, what_ + " needs '" + std::string(key) + "'");
  return read(key, out);
}

Status YamlMap::read_one_of(const char* key, std::string& out,
                            std::initializer_list<const char*> choices) const {
  std::string value = out;
  FP_RETURN_IF_ERROR(read(key, value));
  if (!has(key)) return ok_status();
  const bool known = std::any_of(choices.begin(), choices.end(),
                                 [&](const char* choice) { return value == choice; });
  if (!known) {
    return error_at(key, "'" + std::string(key) + "' in " + what_ + " must be one of " +
                             join(choices) + " (got '" + value + "')");
  }
  out = std::move(value);
  return ok_status();
}

}  // namespace fp
