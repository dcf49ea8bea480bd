#include "vision/draw.hpp"

#include <cstdio>
#include <opencv2/imgproc.hpp>

namespace fp::vision {

namespace {

cv::Scalar class_colour(int class_id) {
  // Spread hues by the golden angle so neighbouring class ids get distinct colours.
  const int hue = (class_id * 137) % 180;
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(hue, 200, 255));
  cv::Mat bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const cv::Vec3b c = bgr.at<cv::Vec3b>(0, 0);
  return cv::Scalar(c[0], c[1], c[2]);
}

}  // namespace

void draw_detections(cv::Mat& image, const std::vector<Detection>& detections) {
  const int thickness = std::max(1, image.cols / 400);
  for (const Detection& d : detections) {
    // A tracked box takes its track's colour, so a person keeps one colour across frames.
    const cv::Scalar colour =
        class_colour(d.track_id != 0 ? static_cast<int>(d.track_id) : d.class_id);
    const cv::Point tl(static_cast<int>(d.box.x1), static_cast<int>(d.box.y1));
    const cv::Point br(static_cast<int>(d.box.x2), static_cast<int>(d.box.y2));
    cv::rectangle(image, tl, br, colour, thickness);
    char label[96];
    if (d.track_id != 0) {
      std::snprintf(label, sizeof(label), "#%lld %s%s", static_cast<long long>(d.track_id),
                    d.label.c_str(), d.predicted ? " (predicted)" : "");
    } else {
      std::snprintf(label, sizeof(label), "%s %.2f", d.label.c_str(), d.score);
    }
    int baseline = 0;
    const cv::Size text = cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, 0.4, 1, &baseline);
    const cv::Point origin(tl.x, std::max(text.height + 2, tl.y - 2));
    cv::rectangle(image, origin + cv::Point(0, baseline),
                  origin + cv::Point(text.width, -text.height - 2), colour, cv::FILLED);
    cv::putText(image, label, origin, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 0), 1,
                cv::LINE_AA);
  }
}

}  // namespace fp::vision
