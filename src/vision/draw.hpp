// Drawing detections onto frames for annotated output.
#pragma once

#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "core/detection.hpp"

namespace fp::vision {

// Draws each box with its label and score; the colour is fixed per class.
void draw_detections(cv::Mat& image, const std::vector<Detection>& detections);

}  // namespace fp::vision
