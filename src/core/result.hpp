// Result<T> and Status: how errors cross module boundaries in framepipe.
//
// A function that can fail on input returns Result<T> (a value or an Error) or Status (nothing or
// an Error). The Error message is written for the user: it says what was wrong and what to do.
// Its code says what kind of failure it is, so that a service can map it to an HTTP status and a
// worker can tell a failure worth retrying from a permanent one. Errors are tagged where the kind
// is known: checked YAML gives invalid_config; the runner tags what reaches it by the step that
// failed (input opening, model loading, outputs); an untagged Error is `internal`.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace fp {

enum class ErrorCode {
  kInternal,       // a fault of framepipe or of its environment, or not classified
  kInvalidConfig,  // the pipeline, a flag or the model registry: fix the config
  kInvalidInput,   // an input is missing, unreadable, not media or over a limit
  kModel,          // a model cannot be found, loaded or run
  kIo,             // outputs cannot be written (permissions, full disk, ...)
  kCancelled,      // stopped on request
};

// "internal", "invalid_config", "invalid_input", "model_error", "io_error", "cancelled".
inline const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidConfig:
      return "invalid_config";
    case ErrorCode::kInvalidInput:
      return "invalid_input";
    case ErrorCode::kModel:
      return "model_error";
    case ErrorCode::kIo:
      return "io_error";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kInternal:
      break;
  }
  return "internal";
}

// Whether running the same job again may succeed: I/O and internal faults may pass; a bad config,
// input or model, or a cancel, will be the same next time.
inline bool retryable(ErrorCode code) {
  return code == ErrorCode::kIo || code == ErrorCode::kInternal;
}

class Error {
 public:
  explicit Error(std::string message) : message_(std::move(message)) {}
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  const std::string& message() const { return message_; }
  ErrorCode code() const { return code_; }

  // Returns a copy whose message is prefixed with `context: `.
  Error with_context(const std::string& context) const {
    return Error(code_, context + ": " + message_);
  }
  // Returns a copy with `code` when this one has none yet (is internal).
  Error or_code(ErrorCode code) const {
    return Error(code_ == ErrorCode::kInternal ? code : code_, message_);
  }

 private:
  ErrorCode code_ = ErrorCode::kInternal;
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

// `result`, its Error given `code` when it has none yet (see Error::or_code).
template <class T>
Result<T> with_code(Result<T> result, ErrorCode code) {
  if (result.ok()) return result;
  return result.error().or_code(code);
}

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
