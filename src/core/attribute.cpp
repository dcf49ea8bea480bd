#include "core/attribute.hpp"

#include <algorithm>

namespace fp {

namespace {

const Attribute* find(const std::vector<Attribute>& attributes, std::string_view name) {
  const auto it = std::find_if(attributes.begin(), attributes.end(),
                               [name](const Attribute& a) { return a.name == name; });
  return it == attributes.end() ? nullptr : &*it;
}

template <typename T>
const T* find_as(const std::vector<Attribute>& attributes, std::string_view name) {
  const Attribute* a = find(attributes, name);
  return a == nullptr ? nullptr : std::get_if<T>(&a->value);
}

}  // namespace

const double* find_number(const std::vector<Attribute>& attributes, std::string_view name) {
  return find_as<double>(attributes, name);
}

const AttributeLabel* find_label(const std::vector<Attribute>& attributes, std::string_view name) {
  return find_as<AttributeLabel>(attributes, name);
}

const std::vector<float>* find_vector(const std::vector<Attribute>& attributes,
                                      std::string_view name) {
  return find_as<std::vector<float>>(attributes, name);
}

bool has_attribute(const std::vector<Attribute>& attributes, std::string_view name) {
  return find(attributes, name) != nullptr;
}

void set_attribute(std::vector<Attribute>& attributes, std::string_view name,
                   AttributeValue value) {
  for (Attribute& a : attributes) {
    if (a.name == name) {
      a.value = std::move(value);
      return;
    }
  }
  attributes.push_back({std::string(name), std::move(value)});
}

}  // namespace fp
