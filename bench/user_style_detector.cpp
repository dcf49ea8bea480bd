#include "user_style_detector.hpp"

#include "bench_support.hpp"
#include "infer/model_registry.hpp"
#include "vision/nms.hpp"
#include "vision/yolox_decoder.hpp"

namespace fp::bench {

namespace {

// BGR, 0..255, top-left letterbox padded with 114 into 416x416; conf 0.3, per-class NMS at 0.45.
const cv::Size kInputSize(416, 416);
constexpr double kPadValue = 114;
constexpr float kConf = 0.3f;
constexpr float kNms = 0.45f;
constexpr int kPersonClass = 0;  // the first line of coco80_classes.txt

}  // namespace

cv::Mat UserStylePersonDetector::input_blob(const cv::Mat& image,
                                            vision::InputTransform* transform) const {
  const cv::Mat input =
      vision::fit_to_input(image, kInputSize, vision::ResizeMode::kLetterboxTopLeft,
                           vision::Interpolation::kLinear, kPadValue, transform);
  // What users write: OpenCV's blob maker (the engine's own vision::make_blob is faster).
  return cv::dnn::blobFromImage(input);
}

std::vector<Detection> UserStylePersonDetector::detect(const cv::Mat& image) {
  vision::InputTransform transform;
  const cv::Mat output = forward(input_blob(image, &transform));
  std::vector<Detection> persons;
  for (Detection& d : value_or_die(vision::YoloxDecoder().decode({output}, kInputSize, kConf))) {
    if (d.class_id != kPersonClass) continue;
    d.box = vision::clip_box(transform.to_source(d.box), image.size());
    if (d.box.area() > 0) persons.push_back(std::move(d));
  }
  persons = vision::nms_per_class(std::move(persons), kNms);
  for (Detection& d : persons) d.label = "person";
  return persons;
}

std::filesystem::path UserStylePersonDetector::model_path() {
  const auto registry = value_or_die(infer::ModelRegistry::load_default());
  return value_or_die(registry.resolve("yolox_nano_416"));
}

void UserStylePersonDetector::warm_up() {
  forward(cv::dnn::blobFromImage(cv::Mat(kInputSize, CV_8UC3, cv::Scalar::all(kPadValue))));
}

UserStyleDetector::UserStyleDetector() {
  net_ = cv::dnn::readNetFromONNX(model_path().string());
  warm_up();
}

cv::Mat UserStyleDetector::forward(const cv::Mat& blob) {
  net_.setInput(blob);
  return net_.forward("output");
}

}  // namespace fp::bench
