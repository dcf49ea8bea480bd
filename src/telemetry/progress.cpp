#include "telemetry/progress.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "io/jsonl_writer.hpp"
#include "io/pending_file.hpp"

namespace fp::telemetry {

double ProgressState::eta() const {
  if (expected_frames <= 0 || frames <= 0 || fps() <= 0) return -1;
  return static_cast<double>(std::max<int64_t>(0, expected_frames - frames)) / fps();
}

nlohmann::ordered_json ProgressState::to_json() const {
  nlohmann::ordered_json j{{"status", status},   {"input", input},   {"stream", stream},
                           {"streams", streams}, {"frames", frames}, {"elapsed_s", elapsed},
                           {"fps", fps()}};
  j["expected_frames"] =
      expected_frames > 0 ? nlohmann::ordered_json(expected_frames) : nlohmann::ordered_json();
  j["eta_s"] = eta() >= 0 ? nlohmann::ordered_json(eta()) : nlohmann::ordered_json();
  j["percent"] = expected_frames > 0
                     ? nlohmann::ordered_json(100.0 * static_cast<double>(frames) / expected_frames)
                     : nlohmann::ordered_json();
  return j;
}

ProgressReporter::ProgressReporter(bool terminal, std::filesystem::path json_path)
    : terminal_(terminal), json_path_(std::move(json_path)) {}

void ProgressReporter::update(const ProgressState& state, bool force) {
  const auto now = SteadyClock::now();
  if (!force && drawn_ && std::chrono::duration<double>(now - last_).count() < kInterval) return;
  last_ = now;
  drawn_ = true;
  if (terminal_) {
    char eta[32] = "?";
    if (state.eta() >= 0) std::snprintf(eta, sizeof(eta), "%.0fs", state.eta());
    char total[32] = "";
    if (state.expected_frames > 0) {
      std::snprintf(total, sizeof(total), "/%lld", static_cast<long long>(state.expected_frames));
    }
    std::fprintf(stderr, "\r\033[K[%d/%d] %lld%s frames  %.1f fps  ETA %s", state.stream + 1,
                 state.streams, static_cast<long long>(state.frames), total, state.fps(), eta);
    std::fflush(stderr);
  }
  if (!json_path_.empty()) {
    const Status written =
        io::write_file_atomically(json_path_, io::dump_json(state.to_json(), 2) + "\n");
    if (!written.ok()) spdlog::warn("progress: {}", written.error().message());
  }
}

void ProgressReporter::finish(const ProgressState& state) {
  update(state, true);
  if (terminal_) std::fputc('\n', stderr);
}

}  // namespace fp::telemetry
