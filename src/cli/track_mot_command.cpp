#include "cli/track_mot_command.hpp"

#include <iostream>
#include <memory>
#include <sstream>

#include "io/mot_file.hpp"
#include "io/pending_file.hpp"
#include "track/mot_sequence.hpp"

namespace fp::cli {

namespace {

struct TrackMotArgs {
  std::string det;
  std::string out;
  std::string tracker = "bytetrack";
  track::SequenceOptions options;
};

int track_mot(const TrackMotArgs& args) {
  const auto detections = io::read_mot_file(args.det, io::MotReadOptions{});
  if (!detections.ok()) {
    std::cerr << "error: " << detections.error().message() << "\n";
    return 2;
  }
  for (const std::string& note : io::mot_read_notes(args.det, *detections)) {
    std::cerr << "warning: " << note << "\n";
  }
  track::SequenceOptions options = args.options;
  options.tracker.kind =
      args.tracker == "iou" ? track::TrackerKind::kIou : track::TrackerKind::kByteTrack;
  const track::SequenceResult result = track::track_sequence(detections->rows, options);

  std::ostringstream text;
  for (const MotRow& row : result.rows) {
    text << io::mot_line(row.frame, row.id, row.box(), row.conf) << "\n";
  }
  const Status written = io::write_file_atomically(args.out, text.str());
  if (!written.ok()) {
    std::cerr << "error: " << written.error().message() << "\n";
    return 2;
  }
  std::cout << "tracked " << result.frames << " frames (detections used on "
            << result.detector_frames << "), " << detections->rows.size() << " detections -> "
            << result.tracks << " tracks, " << result.rows.size() << " rows in " << args.out
            << "\n";
  return 0;
}

}  // namespace

void add_track_mot_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrackMotArgs>();
  CLI::App* cmd = app.add_subcommand(
      "track-mot", "Track a MOTChallenge detection file (frame,id,x,y,w,h,conf,...)");
  cmd->add_option("--det", args->det, "MOTChallenge detections (det.txt)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "Result file to write (MOTChallenge format)")->required();
  cmd->add_option("--tracker", args->tracker, "bytetrack or iou")
      ->check(CLI::IsMember({"bytetrack", "iou"}))
      ->capture_default_str();
  cmd->add_option("--scale", args->options.scale, "Multiply boxes by this before tracking")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--detect-every", args->options.detect_every,
                  "Use detections of every Nth frame; predict the frames between")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--fps", args->options.fps,
                  "Frame rate of the sequence (the lost-track buffer is 1 s)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = track_mot(*args); });
}

}  // namespace fp::cli
