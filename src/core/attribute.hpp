// Attribute: what a model says about an object beyond its box: a number (an age), a label with its
// score (a gender, an emotion) or a vector (an embedding, landmarks). Objects (Detection) carry
// them by name; the `attributes` and `faces` stages write them, the outputs write them out.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fp {

struct AttributeLabel {
  std::string label;
  float score = 0;  // the model's probability for it, 0..1
};

using AttributeValue = std::variant<double, AttributeLabel, std::vector<float>>;

struct Attribute {
  std::string name;  // e.g. "age", "gender", "emotion", "landmarks68"
  AttributeValue value;
};

// An object's first attribute of that name, as that kind: null when it has none of that name, or
// one of another kind.
const double* find_number(const std::vector<Attribute>& attributes, std::string_view name);
const AttributeLabel* find_label(const std::vector<Attribute>& attributes, std::string_view name);
const std::vector<float>* find_vector(const std::vector<Attribute>& attributes,
                                      std::string_view name);
bool has_attribute(const std::vector<Attribute>& attributes, std::string_view name);

// Gives the object the attribute `name`: replaces the value of one it has, else appends it.
void set_attribute(std::vector<Attribute>& attributes, std::string_view name, AttributeValue value);

}  // namespace fp
