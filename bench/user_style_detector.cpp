#include "user_style_detector.hpp"

#include "bench_support.hpp"
#include "infer/model_registry.hpp"
#include "vision/blob.hpp"
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

UserStyleDetector::UserStyleDetector() {
  const auto registry = value_or_die(infer::ModelRegistry::load_default());
  net_ = cv::dnn::readNetFromONNX(value_or_die(registry.resolve("yolox_nano_416")).string());
  forward(cv::dnn::blobFromImage(cv::Mat(kInputSize, CV_8UC3, cv::Scalar::all(kPadValue))));
}

cv::Mat UserStyleDetector::input_blob(const cv::Mat& image,
                                      vision::InputTransform* transform) const {
  const cv::Mat input =
      vision::fit_to_input(image, kInputSize, vision::ResizeMode::kLetterboxTopLeft,
                           vision::Interpolation::kLinear, kPadValue, transform);
  return vision::make_blob(input, {});
}

cv::Mat UserStyleDetector::forward(const cv::Mat& blob) {
  net_.setInput(blob);
  return net_.forward("output");
}

std::vector<Detection> UserStyleDetector::detect(const cv::Mat& image) {
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

}  // namespace fp::bench
