#include "outputs/output_writer.hpp"

#include <algorithm>

namespace fp::outputs {

OutputWriter::OutputWriter(std::vector<std::unique_ptr<Sink>> sinks, size_t queue) {
  for (auto& sink : sinks) lanes_.push_back(std::make_unique<Lane>(std::move(sink), queue));
  for (auto& lane : lanes_) lane->thread = std::thread([this, l = lane.get()] { drain(*l); });
}

OutputWriter::~OutputWriter() { stop(); }

void OutputWriter::drain(Lane& lane) {
  while (auto item = lane.queue.pop()) {
    std::lock_guard lock(lane.mutex);
    if (lane.failed) continue;  // keeps taking results, so that write() never blocks on it
    const Status written = lane.sink->write(**item);
    if (written.ok()) {
      if ((*item)->metadata_of.empty()) ++lane.frames;
      continue;
    }
    lane.failed = true;
    record(written.error());
  }
}

void OutputWriter::record(const Error& error) {
  std::lock_guard lock(error_mutex_);
  if (!error_) error_ = error;
}

std::optional<Error> OutputWriter::error() const {
  std::lock_guard lock(error_mutex_);
  return error_;
}

Status OutputWriter::write(std::shared_ptr<const FrameResult> item) {
  if (auto failed = error()) return *failed;
  const bool metadata = !item->metadata_of.empty();
  for (auto& lane : lanes_) {
    if (metadata && !lane->sink->takes_metadata()) continue;
    lane->queue.push(item);
  }
  return ok_status();
}

void OutputWriter::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& lane : lanes_) lane->queue.close();
  for (auto& lane : lanes_) lane->thread.join();
}

Status OutputWriter::finish() {
  stop();
  for (auto& lane : lanes_) {  // every sink, even after one fails
    const Status finished = lane->sink->finish();
    if (!finished.ok()) record(finished.error());
  }
  if (auto failed = error()) return *failed;
  return ok_status();
}

int64_t OutputWriter::frames_written() const {
  int64_t frames = -1;
  for (const auto& lane : lanes_) {
    std::lock_guard lock(lane->mutex);
    if (frames < 0 || lane->frames < frames) frames = lane->frames;
  }
  return std::max<int64_t>(frames, 0);
}

std::vector<io::PendingFile> OutputWriter::files() const {
  std::vector<io::PendingFile> files;
  for (const auto& lane : lanes_) {
    std::lock_guard lock(lane->mutex);
    for (io::PendingFile& file : lane->sink->files()) files.push_back(std::move(file));
  }
  return files;
}

nlohmann::ordered_json OutputWriter::pending() const { return outputs_json(files(), false); }

nlohmann::ordered_json outputs_json(const std::vector<io::PendingFile>& files, bool committed) {
  nlohmann::ordered_json outputs = nlohmann::ordered_json::object();
  for (const io::PendingFile& file : files) {
    outputs[file.path().filename().string()] =
        (committed ? file.path() : file.temp_path()).string();
  }
  return outputs;
}

}  // namespace fp::outputs
