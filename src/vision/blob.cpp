#include "vision/blob.hpp"

#include <opencv2/dnn/dnn.hpp>

namespace fp::vision {

cv::Mat make_blob(const cv::Mat& image, const Normalization& norm) {
  const cv::Scalar mean(norm.mean[0], norm.mean[1], norm.mean[2]);
  cv::Mat blob = cv::dnn::blobFromImage(image, 1.0, cv::Size(), mean, norm.swap_rb, false, CV_32F);
  const int plane = image.rows * image.cols;
  for (int c = 0; c < image.channels(); ++c) {
    if (norm.std[c] == 1.0) continue;
    cv::Mat channel(1, plane, CV_32F, blob.ptr<float>(0, c));
    channel *= 1.0 / norm.std[c];
  }
  return blob;
}

}  // namespace fp::vision
