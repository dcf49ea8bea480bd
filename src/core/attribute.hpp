// Attribute: what a model says about an object beyond its box: a number (an age), a label with its
// score (a gender, an emotion) or a vector (an embedding, landmarks). Objects (Detection) carry
// them by name; the `attributes` stage writes them, the outputs write them out.
#pragma once

#include <string>
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

}  // namespace fp
