// Small string helpers shared by error messages.
#pragma once

#include <string>
#include <string_view>

namespace fp {

// "a, b, c" from any range of things a std::string can be built from.
template <class Range>
std::string join(const Range& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += std::string(item);
  }
  return out;
}

}  // namespace fp
