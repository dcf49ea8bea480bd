// user_style_baseline: person detection on a video written the way users write it by hand, as the
// yardstick of issue 3's "at least 1.4x a straightforward sequential pipeline".
//
//   user_style_baseline [--video PATH] [--stride S] [--threads 2] --out detections.jsonl
//                       [--json summary.json]
//
// One loop on one thread (user_style_loop.hpp): read a frame, letterbox it, one
// cv::dnn::Net::forward() (OpenCV using `--threads` threads inside the call), decode, keep persons,
// NMS, write a line (UserStyleDetector does the middle part).
#include <opencv2/core/utility.hpp>

#include "user_style_loop.hpp"

int main(int argc, char** argv) {
  return fp::bench::run_user_style_loop(
      {.program = "user_style_baseline",
       .description =
           "Sequential person detection, the way users write it (baseline for engine_bench)",
       .threads_help = "OpenCV threads inside forward()",
       .threads_key = "opencv_threads",
       .add_options = {},
       .load =
           [](int threads) {
             cv::setNumThreads(threads);
             return std::make_unique<fp::bench::UserStyleDetector>();
           }},
      argc, argv);
}
