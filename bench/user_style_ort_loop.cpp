// user_style_ort_loop: person detection on a video written the way users write it by hand on ONNX
// Runtime, as the yardstick of issue 11's "at least 1.3x a user-style sequential ONNX Runtime
// loop".
//
//   user_style_ort_loop [--video PATH] [--stride S] [--threads 2] [--no-spinning]
//                       --out detections.jsonl [--json summary.json]
//
// One loop on one thread (user_style_loop.hpp): read a frame, letterbox it, one Ort::Session::Run()
// (one session, `--threads` intra-op threads, one inter-op thread), decode, keep persons, NMS,
// write a line (UserStyleOrtDetector does the middle part). Same model, thresholds, row format and
// timing as user_style_baseline. ONNX Runtime's threads spin-wait by default, as in most users'
// loops; --no-spinning turns that off (the engine's setting), which here doubles this loop's fps
// when the machine is busy.
#include "user_style_loop.hpp"
#include "user_style_ort_detector.hpp"

int main(int argc, char** argv) {
  bool spinning = true;
  return fp::bench::run_user_style_loop(
      {.program = "user_style_ort_loop",
       .description = "Sequential person detection on ONNX Runtime, the way users write it",
       .threads_help = "ONNX Runtime intra-op threads inside Run()",
       .threads_key = "intra_op_threads",
       .add_options =
           [&](CLI::App& app) {
             app.add_flag("--spinning,!--no-spinning", spinning,
                          "Let the intra-op threads spin-wait (ONNX Runtime's default)");
           },
       .load =
           [&](int threads) {
             return std::make_unique<fp::bench::UserStyleOrtDetector>(threads, spinning);
           }},
      argc, argv);
}
