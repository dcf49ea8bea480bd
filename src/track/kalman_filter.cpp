#include "track/kalman_filter.hpp"

#include <algorithm>
#include <opencv2/core.hpp>  // Matx::inv

namespace fp::track {

namespace {

using Mat8 = cv::Matx<double, 8, 8>;
using Mat4 = cv::Matx<double, 4, 4>;
using Mat48 = cv::Matx<double, 4, 8>;

Mat8 diagonal_squared(const cv::Vec<double, 8>& stddev) {
  Mat8 m = Mat8::zeros();
  for (int i = 0; i < 8; ++i) m(i, i) = stddev[i] * stddev[i];
  return m;
}

// x' = x + v for each of the four measured quantities.
Mat8 transition() {
  Mat8 f = Mat8::eye();
  for (int i = 0; i < 4; ++i) f(i, 4 + i) = 1.0;
  return f;
}

Mat48 observation() {
  Mat48 h = Mat48::zeros();
  for (int i = 0; i < 4; ++i) h(i, i) = 1.0;
  return h;
}

}  // namespace

cv::Vec4d box_to_xyah(const Box& box) {
  const double h = std::max(box.height(), 1e-3f);
  return {(box.x1 + box.x2) / 2.0, (box.y1 + box.y2) / 2.0, box.width() / h, h};
}

Box xyah_to_box(const cv::Vec4d& xyah) {
  const double h = xyah[3];
  const double w = xyah[2] * h;
  return Box{static_cast<float>(xyah[0] - w / 2), static_cast<float>(xyah[1] - h / 2),
             static_cast<float>(xyah[0] + w / 2), static_cast<float>(xyah[1] + h / 2)};
}

KalmanState KalmanBoxFilter::initiate(const Box& box) {
  const cv::Vec4d z = box_to_xyah(box);
  KalmanState state;
  state.mean = cv::Vec<double, 8>::all(0.0);
  for (int i = 0; i < 4; ++i) state.mean[i] = z[i];
  const double h = z[3];
  const double p = 2 * kPositionWeight * h;
  const double v = 10 * kVelocityWeight * h;
  state.covariance = diagonal_squared({p, p, 1e-2, p, v, v, 1e-5, v});
  return state;
}

void KalmanBoxFilter::predict(KalmanState& state, bool freeze_height_velocity) {
  if (freeze_height_velocity) state.mean[7] = 0;
  const double h = state.mean[3];
  const double p = kPositionWeight * h;
  const double v = kVelocityWeight * h;
  const Mat8 f = transition();
  state.mean = f * state.mean;
  state.covariance =
      f * state.covariance * f.t() + diagonal_squared({p, p, 1e-2, p, v, v, 1e-5, v});
}

void KalmanBoxFilter::update(KalmanState& state, const Box& box) {
  const double h = state.mean[3];
  const double p = kPositionWeight * h;
  const Mat48 obs = observation();
  Mat4 innovation_cov = obs * state.covariance * obs.t();
  const double noise[] = {p, p, 1e-1, p};
  for (int i = 0; i < 4; ++i) innovation_cov(i, i) += noise[i] * noise[i];
  // Gain K = P H^T S^-1; S is symmetric positive definite, so Cholesky solves it.
  const cv::Matx<double, 8, 4> gain =
      state.covariance * obs.t() * innovation_cov.inv(cv::DECOMP_CHOLESKY);
  const cv::Vec4d z = box_to_xyah(box);
  cv::Vec4d residual;
  for (int i = 0; i < 4; ++i) residual[i] = z[i] - state.mean[i];
  state.mean += gain * residual;
  state.covariance = state.covariance - gain * innovation_cov * gain.t();
}

Box KalmanBoxFilter::box(const KalmanState& state) {
  return xyah_to_box({state.mean[0], state.mean[1], state.mean[2], state.mean[3]});
}

}  // namespace fp::track
