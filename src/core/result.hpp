// Result<T> and Status: how errors cross module boundaries in framepipe.
//
// A function that can fail on input returns Result<T> (a value or an Error) or Status (nothing or
// an Error). The Error message is written for the user: it says what was wrong and what to do.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace fp {

class Error {
 public:
  explicit Error(std::string message) : message_(std::move(message)) {}
  const std::string& message() const { return message_; }

  // Returns a copy whose message is prefixed with `context: `.
  Error with_context(const std::string& context) const { return Error(context + ": " + message_); }

 private:
  std::string message_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

using Status = Result<std::monostate>;

inline Status ok_status() { return std::monostate{}; }

}  // namespace fp

#define FP_CONCAT_INNER(a, b) a##b
#define FP_CONCAT(a, b) FP_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Status or Result) from the enclosing function.
#define FP_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    auto&& fp_status_ = (expr);                      \
    if (!fp_status_.ok()) return fp_status_.error(); \
  } while (0)

// `FP_ASSIGN_OR_RETURN(auto x, make_x());` declares x from the value or returns the error.
#define FP_ASSIGN_OR_RETURN(lhs, expr) \
  FP_ASSIGN_OR_RETURN_IMPL(FP_CONCAT(fp_result_, __LINE__), lhs, expr)
#define FP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.error();             \
  lhs = std::move(tmp).value()
