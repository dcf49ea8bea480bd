// The tracker's outputs (README "Outputs"):
// - tracks.jsonl: one row per track, written when the tracker ends it (the tracks still alive at
//   the end follow, by stream and id): its first and last frame and time, how many frames it
//   spans in the output, how many of them were detected, their mean score, and its best box (the
//   detection with the highest score).
// - tracks.txt: every tracked box in MOTChallenge form, `frame,id,x,y,w,h,conf,-1,-1,-1` with
//   1-based source frame numbers; one file per stream (tracks.1.txt for stream 1, ...).
#pragma once

#include <fstream>
#include <map>
#include <utility>

#include "outputs/sinks.hpp"

namespace fp::outputs {

class TrackSummarySink : public Sink {
 public:
  static Result<std::unique_ptr<Sink>> open(const std::filesystem::path& path);
  Status write(const FrameResult& item) override;
  Status finish() override;
  std::vector<io::PendingFile> files() const override { return {writer_.file()}; }

 private:
  struct Summary {
    std::string label;
    int64_t first_frame = 0, last_frame = 0;
    double first_pts = 0, last_pts = 0;
    int64_t frames = 0, detected = 0;
    double score_sum = 0;
    Detection best;
    int64_t best_frame = -1;
    double best_pts = 0;
  };
  using Key = std::pair<int, int64_t>;  // stream, track id
  explicit TrackSummarySink(io::JsonlWriter writer) : writer_(std::move(writer)) {}
  Status write_summary(const Key& key, const Summary& summary);

  io::JsonlWriter writer_;
  std::map<Key, Summary> open_;  // tracks not ended yet
};

class MotTracksSink : public Sink {
 public:
  explicit MotTracksSink(std::filesystem::path path) : path_(std::move(path)) {}
  Status write(const FrameResult& item) override;
  Status finish() override;
  std::vector<io::PendingFile> files() const override;

 private:
  struct File {
    io::PendingFile file;
    std::ofstream out;
  };
  std::filesystem::path path_;
  std::map<int, File> files_;  // by stream; opened on the stream's first frame
};

}  // namespace fp::outputs
