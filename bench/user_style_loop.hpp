// The sequential loop of the user-style person-detection baselines (user_style_baseline on OpenCV
// DNN, user_style_ort_loop on ONNX Runtime), and their shared command line:
//
//   PROGRAM [--video PATH] [--stride S] [--threads 2] --out detections.jsonl [--json summary.json]
//
// One loop on one thread: read a frame, detect (the detector's threads work inside its forward
// call only), write a line. Nothing overlaps: decoding waits for inference and inference waits for
// decoding. Frames come from framepipe's media source so that they are bit-identical to the
// engine's, and rows are written in detections.jsonl's format (outputs::detection_row).
//
// Timing matches the engine's run.json: `fps` counts from the first frame read to the last line
// written; loading the model, one warm-up forward and opening the video come before (the engine
// reports them as setup). `wall_seconds` includes them.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "user_style_detector.hpp"

namespace fp::bench {

struct UserStyleLoop {
  std::string program;       // names the printed summary line
  std::string description;   // --help's first line
  std::string threads_help;  // what --threads sets
  std::string threads_key;   // the JSON summary's name for --threads
  // Adds the program's own options to the command line (may be empty).
  std::function<void(CLI::App&)> add_options;
  // Loads and warms up the detector for `threads` threads (counted as setup).
  std::function<std::unique_ptr<UserStylePersonDetector>(int threads)> load;
};

// Parses the command line, runs the loop and writes its outputs; returns main()'s exit status.
int run_user_style_loop(const UserStyleLoop& loop, int argc, char** argv);

}  // namespace fp::bench
