#include "media/ffmpeg_util.hpp"

#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_set>

namespace fp::media {

namespace {

// Recursive: the log callback holds it while checking a sink is alive and then records into it.
std::recursive_mutex& sinks_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

// Sinks alive now; the log callback only writes to a sink found here.
std::unordered_set<ErrorSink*>& live_sinks() {
  static std::unordered_set<ErrorSink*> sinks;
  return sinks;
}

thread_local ErrorSink* t_current_sink = nullptr;

const AVClass* class_of(void* avcl) { return avcl ? *static_cast<const AVClass**>(avcl) : nullptr; }

ErrorSink* sink_for(void* avcl) {
  const AVClass* av_class = class_of(avcl);
  if (av_class && std::strcmp(av_class->class_name, "AVCodecContext") == 0) {
    auto* sink = static_cast<ErrorSink*>(static_cast<AVCodecContext*>(avcl)->opaque);
    if (sink) return sink;
  }
  return t_current_sink;
}

std::string format_message(void* avcl, const char* format, va_list args) {
  char text[1024];
  std::vsnprintf(text, sizeof(text), format, args);
  std::string message(text);
  while (!message.empty() &&
         (message.back() == '\n' || message.back() == '\r' || message.back() == ' ')) {
    message.pop_back();
  }
  const AVClass* av_class = class_of(avcl);
  if (!message.empty() && av_class && av_class->item_name) {
    message = std::string(av_class->item_name(avcl)) + ": " + message;
  }
  return message;
}

void log_callback(void* avcl, int level, const char* format, va_list args) {
  const bool is_error = level <= AV_LOG_ERROR;
  const bool to_spdlog = level <= AV_LOG_INFO && spdlog::should_log(spdlog::level::debug);
  if (!is_error && !to_spdlog) return;
  va_list copy;
  va_copy(copy, args);
  const std::string message = format_message(avcl, format, copy);
  va_end(copy);
  if (message.empty()) return;
  if (to_spdlog) spdlog::debug("ffmpeg: {}", message);
  if (!is_error) return;
  ErrorSink* sink = sink_for(avcl);
  if (!sink) return;
  std::lock_guard lock(sinks_mutex());
  if (live_sinks().count(sink) == 0) return;
  sink->record(message);
}

}  // namespace

std::string av_error_text(int error) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(error, text, sizeof(text));
  return text;
}

ErrorSink::ErrorSink() {
  std::lock_guard lock(sinks_mutex());
  live_sinks().insert(this);
}

ErrorSink::~ErrorSink() {
  std::lock_guard lock(sinks_mutex());
  live_sinks().erase(this);
}

void ErrorSink::record(const std::string& message) {
  std::lock_guard lock(sinks_mutex());
  last_ = message;
  ++count_;
}

std::string ErrorSink::last() const {
  std::lock_guard lock(sinks_mutex());
  return last_;
}

int64_t ErrorSink::count() const {
  std::lock_guard lock(sinks_mutex());
  return count_;
}

ScopedErrorSink::ScopedErrorSink(ErrorSink& sink) : previous_(t_current_sink) {
  t_current_sink = &sink;
}

ScopedErrorSink::~ScopedErrorSink() { t_current_sink = previous_; }

void install_ffmpeg_log_capture() {
  // Once: av_log_set_callback writes a plain global that decoder and encoder threads of sources
  // and writers already open read on every av_log call.
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(log_callback); });
}

}  // namespace fp::media
