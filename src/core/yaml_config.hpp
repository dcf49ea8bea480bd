// Checked reading of hand-written YAML config: every error names file:line:column and the key.
//
// Pipelines are edited by hand, so a typo must fail before any work with a message that points at
// the exact place: an unknown key, a wrong type, a missing required key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace fp {

// "file:line:column" (1-based) of a node.
std::string yaml_location(const std::string& file, const YAML::Mark& mark);

// Parses a YAML file; a syntax error names file:line:column, and so does a key written twice in
// one mapping (yaml-cpp would keep the first and ignore the second).
Result<YAML::Node> load_yaml_file(const std::string& path);
// Parses YAML held in memory; `file` names it in messages as if it were read from there.
Result<YAML::Node> load_yaml_text(const std::string& text, const std::string& file);

// A YAML mapping read with checks. `what` names it in messages ("source", "stage 'detect'").
class YamlMap {
 public:
  // Error unless `node` is a mapping.
  static Result<YamlMap> from(const YAML::Node& node, const std::string& file,
                              const std::string& what);
  // The mapping under `key`, named `what`; an Error located at `key` unless it is a mapping. Its
  // where() is the place of `key`, so "needs 'x'" points at the name of the map.
  Result<YamlMap> map(const char* key, const std::string& what) const;

  // Error naming the first key not in `allowed` (and the allowed keys).
  Status check_keys(std::initializer_list<const char*> allowed) const;
  bool has(const char* key) const { return static_cast<bool>(node_[key]); }
  YAML::Node node(const char* key) const { return node_[key]; }
  const YAML::Node& mapping() const { return node_; }
  const std::string& file() const { return file_; }
  std::string where() const { return yaml_location(file_, mark_); }
  // The place of key's value, or of the key itself when the value is empty (`key:` with nothing
  // after it is marked where the next token starts, often a later line).
  std::string where(const char* key) const;

  // Leaves `out` unchanged when the key is absent; an Error when present with the wrong type.
  // Numbers must be finite (.nan and .inf are Errors); an integer out of the type's range is an
  // Error that gives the range.
  Status read(const char* key, int& out) const;
  Status read(const char* key, int64_t& out) const;
  Status read(const char* key, double& out) const;
  Status read(const char* key, float& out) const;
  Status read(const char* key, bool& out) const;
  Status read(const char* key, std::string& out) const;
  Status read(const char* key, std::vector<std::string>& out) const;
  Status read(const char* key, std::vector<double>& out) const;
  Status read(const char* key, std::vector<int>& out) const;
  // A list of points [x, y], each two numbers: [[0, 300], [640, 300]].
  Status read(const char* key, std::vector<std::array<double, 2>>& out) const;
  // Like read(), but an Error when the key is absent.
  Status require(const char* key, std::string& out) const;
  // Like read(), but an Error unless the value is one of `choices`.
  Status read_one_of(const char* key, std::string& out,
                     std::initializer_list<const char*> choices) const;

  // An Error located at `key` (or the map itself when key is null).
  Error error_at(const char* key, const std::string& message) const;

 private:
  YamlMap(YAML::Node node, YAML::Mark mark, std::string file, std::string what)
      : node_(std::move(node)), mark_(mark), file_(std::move(file)), what_(std::move(what)) {}
  template <class T>
  Status read_scalar(const char* key, T& out, const char* type_name) const;
  template <class T>
  Status read_sequence(const char* key, std::vector<T>& out, const char* items_name,
                       const char* item_name) const;

  YAML::Node node_;
  YAML::Mark mark_;  // where the map is named: its key, or the node itself
  std::string file_;
  std::string what_;
};

}  // namespace fp
