// Drawing detections, and the zones and lines that objects are counted in, onto frames for
// annotated output.
#pragma once

#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "core/detection.hpp"

namespace fp::vision {

// Draws each box with its label and score; the colour is fixed per class.
void draw_detections(cv::Mat& image, const std::vector<Detection>& detections);

// Draws the outline of a counting zone and `text` (its name and counts) at its first point.
void draw_zone(cv::Mat& image, const std::vector<cv::Point2f>& polygon, const std::string& text);

// Draws a counting line from `from` to `to`, an arrow from its middle to the side that "in"
// crossings go to (`in_side` +1: the right of from -> to as seen on the image, -1: its left), and
// `text` (its name and counts) at `from`.
void draw_counting_line(cv::Mat& image, cv::Point2f from, cv::Point2f to, int in_side,
                        const std::string& text);

}  // namespace fp::vision
