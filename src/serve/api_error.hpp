// ApiError: a request the service refuses, with the HTTP status it answers and the request field
// at fault (empty when none): {"error": message, "field": field}.
#pragma once

#include <string>
#include <variant>

namespace fp::serve {

struct ApiError {
  int status = 500;
  std::string message;
  std::string field;
};

// A value, or why the request is refused.
template <typename T>
using ApiResult = std::variant<T, ApiError>;

}  // namespace fp::serve
