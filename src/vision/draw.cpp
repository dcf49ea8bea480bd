#include "vision/draw.hpp"

#include <algorithm>
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

int line_thickness(const cv::Mat& image) { return std::max(1, image.cols / 400); }

// `text` in black on a box of `colour`, its baseline at `origin` (moved down to stay in the image).
void draw_label(cv::Mat& image, cv::Point origin, const std::string& text,
                const cv::Scalar& colour) {
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 0.4, 1, &baseline);
  origin.y = std::max(size.height + 2, origin.y);
  cv::rectangle(image, origin + cv::Point(0, baseline),
                origin + cv::Point(size.width, -size.height - 2), colour, cv::FILLED);
  cv::putText(image, text, origin, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 0), 1,
              cv::LINE_AA);
}

// Zones and lines in colours no class hue gives (class_colour has saturation 200).
const cv::Scalar kZoneColour(0, 255, 255);  // yellow
const cv::Scalar kLineColour(255, 0, 255);  // magenta

}  // namespace

void draw_detections(cv::Mat& image, const std::vector<Detection>& detections) {
  const int thickness = line_thickness(image);
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
    draw_label(image, cv::Point(tl.x, tl.y - 2), label, colour);
  }
}

void draw_zone(cv::Mat& image, const std::vector<cv::Point2f>& polygon, const std::string& text) {
  std::vector<cv::Point> outline;
  for (const cv::Point2f& p : polygon) outline.emplace_back(cvRound(p.x), cvRound(p.y));
  cv::polylines(image, outline, true, kZoneColour, line_thickness(image), cv::LINE_AA);
  draw_label(image, outline.front(), text, kZoneColour);
}

void draw_counting_line(cv::Mat& image, cv::Point2f from, cv::Point2f to, int in_side,
                        const std::string& text) {
  const int thickness = line_thickness(image);
  cv::line(image, from, to, kLineColour, thickness, cv::LINE_AA);
  // The right of from -> to, on an image (y down), is the direction turned a quarter clockwise.
  const cv::Point2f along = to - from;
  const cv::Point2f right(-along.y, along.x);
  const float length = std::max(1.0f, static_cast<float>(cv::norm(right)));
  const float arrow = std::min(40.0f, static_cast<float>(cv::norm(along)) / 4);
  const cv::Point2f middle = (from + to) / 2;
  cv::arrowedLine(image, middle, middle + right * (in_side * arrow / length), kLineColour,
                  thickness, cv::LINE_AA, 0, 0.3);
  draw_label(image, from, text, kLineColour);
}

}  // namespace fp::vision
