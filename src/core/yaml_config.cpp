#include "core/yaml_config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <type_traits>

#include "core/strings.hpp"

namespace fp {

std::string yaml_location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

namespace {

// yaml-cpp keeps every entry of a mapping but looks keys up first-wins, so a key written twice
// would silently lose its second value. `where` names the mapping ("source", "stages[0].detect").
Status check_unique_keys(const YAML::Node& node, const std::string& file, const std::string& where,
                         int depth) {
  // Aliases can share nodes; no hand-written config nests anywhere near this deep.
  constexpr int kMaxDepth = 64;
  if (depth > kMaxDepth) return ok_status();
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      FP_RETURN_IF_ERROR(
          check_unique_keys(node[i], file, where + "[" + std::to_string(i) + "]", depth + 1));
    }
  }
  if (!node.IsMap()) return ok_status();
  std::map<std::string, YAML::Mark> first_at;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) continue;  // check_keys reports keys that are not names
    const std::string& key = entry.first.Scalar();
    const auto [first, inserted] = first_at.emplace(key, entry.first.Mark());
    if (!inserted) {
      return Error(ErrorCode::kInvalidConfig,
                   yaml_location(file, entry.first.Mark()) + ": duplicate key '" + key + "' " +
                       (where.empty() ? "at the top level" : "in " + where) + " (first at line " +
                       std::to_string(first->second.line + 1) + "); a key may appear only once");
    }
    FP_RETURN_IF_ERROR(
        check_unique_keys(entry.second, file, where.empty() ? key : where + "." + key, depth + 1));
  }
  return ok_status();
}

}  // namespace

Result<YAML::Node> load_yaml_file(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    return Error(ErrorCode::kInvalidConfig, "config file '" + path + "' does not exist");
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidConfig,
                 yaml_location(path, e.mark) + ": YAML syntax error: " + e.msg);
  }
  FP_RETURN_IF_ERROR(check_unique_keys(root, path, "", 0));
  return root;
}

Result<YAML::Node> load_yaml_text(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidConfig,
                 yaml_location(file, e.mark) + ": YAML syntax error: " + e.msg);
  }
}

Result<YamlMap> YamlMap::from(const YAML::Node& node, const std::string& file,
                              const std::string& what) {
  if (!node.IsMap()) {
    return Error(ErrorCode::kInvalidConfig, yaml_location(file, node.Mark()) + ": " + what +
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
  return Error(ErrorCode::kInvalidConfig, (key ? where(key) : where()) + ": " + message);
}

Status YamlMap::check_keys(std::initializer_list<const char*> allowed) const {
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) {
      return Error(ErrorCode::kInvalidConfig, yaml_location(file_, entry.first.Mark()) +
                                                  ": keys in " + what_ + " must be plain names");
    }
    const std::string key = entry.first.Scalar();
    const bool known =
        std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; });
    if (known) continue;
    return Error(ErrorCode::kInvalidConfig, yaml_location(file_, entry.first.Mark()) +
                                                ": unknown key '" + key + "' in " + what_ +
                                                " (allowed: " + join(allowed) + ")");
  }
  return ok_status();
}

namespace {

// A decimal or 0x integer: what yaml-cpp reads as an integer when it is in range. (It reads a
// leading 0 as octal, so "08" is no integer at all.)
bool looks_like_integer(const std::string& text) {
  size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  const bool hex = text.compare(i, 2, "0x") == 0;
  if (hex) i += 2;
  if (i == text.size() || (!hex && text[i] == '0' && i + 1 < text.size())) return false;
  return std::all_of(text.begin() + i, text.end(), [hex](unsigned char c) {
    return hex ? std::isxdigit(c) != 0 : std::isdigit(c) != 0;
  });
}

// Converts one scalar to T. On failure, what it should have been: `type_name`, or more precisely
// "a finite number" for .nan/.inf and "an integer from MIN to MAX" for an integer out of range.
template <class T>
std::optional<std::string> convert_scalar(const YAML::Node& node, T& out,
                                          const std::string& type_name) {
  T value{};
  try {
    value = node.as<T>();
  } catch (const YAML::Exception&) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (looks_like_integer(node.Scalar())) {
        return "an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to " +
               std::to_string(std::numeric_limits<T>::max());
      }
    }
    return type_name;
  }
  // yaml-cpp reads .nan and .inf as numbers; no setting means either, and NaN would slip
  // through every range check (all comparisons with it are false).
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) return std::string("a finite number");
  }
  out = value;
  return std::nullopt;
}

// Converts one item of a list to T, like convert_scalar; an item that is no scalar is not a T.
template <class T>
std::optional<std::string> convert_item(const YAML::Node& item, T& out,
                                        const std::string& item_name) {
  if (!item.IsScalar()) return item_name;
  return convert_scalar(item, out, item_name);
}

// A point [x, y]: a list of two finite numbers.
std::optional<std::string> convert_item(const YAML::Node& item, std::array<double, 2>& out,
                                        const std::string& item_name) {
  if (!item.IsSequence() || item.size() != 2) return item_name;
  std::array<double, 2> point{};
  for (size_t i = 0; i < 2; ++i) {
    if (convert_item(item[i], point[i], item_name)) return item_name;
  }
  out = point;
  return std::nullopt;
}

}  // namespace

template <class T>
Status YamlMap::read_scalar(const char* key, T& out, const char* type_name) const {
  const YAML::Node value = node_[key];
  if (!value) return ok_status();
  if (!value.IsScalar()) {
    return error_at(key, "'" + std::string(key) + "' in " + what_ + " must be " + type_name +
                             (value.IsNull() ? " (got nothing)" : ""));
  }
  if (const auto expected = convert_scalar(value, out, type_name)) {
    return error_at(key, "'" + std::string(key) + "' in " + what_ + " must be " + *expected +
                             " (got '" + value.Scalar() + "')");
  }
  return ok_status();
}

template <class T>
Status YamlMap::read_sequence(const char* key, std::vector<T>& out, const char* items_name,
                              const char* item_name) const {
  const YAML::Node value = node_[key];
  if (!value) return ok_status();
  if (!value.IsSequence()) {
    return error_at(key,
                    "'" + std::string(key) + "' in " + what_ + " must be a list of " + items_name);
  }
  std::vector<T> items(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    if (const auto expected = convert_item(item, items[i], item_name)) {
      return Error(ErrorCode::kInvalidConfig,
                   yaml_location(file_, item.Mark()) + ": items of '" + key + "' in " + what_ +
                       " must each be " + *expected +
                       (item.IsScalar() ? " (got '" + item.Scalar() + "')" : ""));
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
  return read_sequence(key, out, "strings", "a string");
}
Status YamlMap::read(const char* key, std::vector<double>& out) const {
  return read_sequence(key, out, "numbers", "a number");
}
Status YamlMap::read(const char* key, std::vector<int>& out) const {
  return read_sequence(key, out, "integers", "an integer");
}
Status YamlMap::read(const char* key, std::vector<std::array<double, 2>>& out) const {
  return read_sequence(key, out, "points [x, y]", "a point [x, y] of two numbers");
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
