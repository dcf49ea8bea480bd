#include "track/kalman_filter.hpp"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

namespace fp::track {
namespace {

Box box_at(double cx, double cy, double w, double h) {
  return Box{static_cast<float>(cx - w / 2), static_cast<float>(cy - h / 2),
             static_cast<float>(cx + w / 2), static_cast<float>(cy + h / 2)};
}

double trace(const cv::Matx<double, 8, 8>& m) {
  double t = 0;
  for (int i = 0; i < 8; ++i) t += m(i, i);
  return t;
}

TEST(KalmanFilter, InitiateStartsAtTheBoxAtRest) {
  const Box box = box_at(100, 50, 20, 40);
  const KalmanState state = KalmanBoxFilter::initiate(box);
  EXPECT_DOUBLE_EQ(state.mean[0], 100);
  EXPECT_DOUBLE_EQ(state.mean[1], 50);
  EXPECT_DOUBLE_EQ(state.mean[2], 0.5);
  EXPECT_DOUBLE_EQ(state.mean[3], 40);
  for (int i = 4; i < 8; ++i) EXPECT_EQ(state.mean[i], 0);
  const Box back = KalmanBoxFilter::box(state);
  EXPECT_NEAR(back.x1, box.x1, 1e-4);
  EXPECT_NEAR(back.y2, box.y2, 1e-4);
  // Height-scaled noise: std of x is 2 * h / 20 = 4 px.
  EXPECT_NEAR(state.covariance(0, 0), 16.0, 1e-9);
}

TEST(KalmanFilter, LearnsAConstantVelocity) {
  KalmanState state = KalmanBoxFilter::initiate(box_at(0, 100, 30, 60));
  for (int t = 1; t <= 30; ++t) {
    KalmanBoxFilter::predict(state);
    KalmanBoxFilter::update(state, box_at(5.0 * t, 100 - 2.0 * t, 30, 60));
  }
  EXPECT_NEAR(state.mean[4], 5.0, 0.1);
  EXPECT_NEAR(state.mean[5], -2.0, 0.1);
  KalmanBoxFilter::predict(state);
  const Box next = KalmanBoxFilter::box(state);
  EXPECT_NEAR((next.x1 + next.x2) / 2, 5.0 * 31, 0.5);
  EXPECT_NEAR((next.y1 + next.y2) / 2, 100 - 2.0 * 31, 0.5);
  EXPECT_NEAR(next.height(), 60, 0.5);
}

TEST(KalmanFilter, PredictWidensAndUpdateNarrowsTheUncertainty) {
  KalmanState state = KalmanBoxFilter::initiate(box_at(50, 50, 20, 40));
  const double start = trace(state.covariance);
  KalmanBoxFilter::predict(state);
  const double predicted = trace(state.covariance);
  EXPECT_GT(predicted, start);
  KalmanBoxFilter::update(state, box_at(52, 50, 20, 40));
  EXPECT_LT(trace(state.covariance), predicted);
  // The estimate moves towards the measurement, but not all the way.
  EXPECT_GT(state.mean[0], 50);
  EXPECT_LT(state.mean[0], 52);
}

// One update step against the textbook equations evaluated with general cv::Mat algebra.
TEST(KalmanFilter, UpdateMatchesTheKalmanEquations) {
  KalmanState state = KalmanBoxFilter::initiate(box_at(200, 120, 40, 80));
  KalmanBoxFilter::predict(state);
  KalmanBoxFilter::update(state, box_at(204, 118, 42, 82));
  KalmanBoxFilter::predict(state);
  const KalmanState before = state;
  const Box measured = box_at(209, 117, 41, 83);
  KalmanBoxFilter::update(state, measured);

  const cv::Mat p(before.covariance);
  const cv::Mat x(before.mean);
  cv::Mat h = cv::Mat::zeros(4, 8, CV_64F);
  for (int i = 0; i < 4; ++i) h.at<double>(i, i) = 1;
  const double height = before.mean[3];
  cv::Mat r = cv::Mat::zeros(4, 4, CV_64F);
  const double sd[] = {height / 20, height / 20, 0.1, height / 20};
  for (int i = 0; i < 4; ++i) r.at<double>(i, i) = sd[i] * sd[i];
  const cv::Mat s = h * p * h.t() + r;
  const cv::Mat k = p * h.t() * s.inv(cv::DECOMP_SVD);
  const cv::Vec4d z = box_to_xyah(measured);
  const cv::Mat expected_mean = x + k * (cv::Mat(z) - h * x);
  const cv::Mat expected_cov = (cv::Mat::eye(8, 8, CV_64F) - k * h) * p;
  for (int i = 0; i < 8; ++i) {
    EXPECT_NEAR(state.mean[i], expected_mean.at<double>(i), 1e-9) << i;
    for (int j = 0; j < 8; ++j) {
      EXPECT_NEAR(state.covariance(i, j), expected_cov.at<double>(i, j), 1e-9) << i << "," << j;
    }
  }
}

TEST(KalmanFilter, FrozenHeightVelocityKeepsTheSize) {
  KalmanState state = KalmanBoxFilter::initiate(box_at(50, 50, 20, 40));
  for (int t = 1; t <= 10; ++t) {
    KalmanBoxFilter::predict(state);
    KalmanBoxFilter::update(state, box_at(50, 50, 20 + t, 40 + 2 * t));
  }
  ASSERT_GT(state.mean[7], 0.5);
  const double height = state.mean[3];
  KalmanBoxFilter::predict(state, /*freeze_height_velocity=*/true);
  EXPECT_EQ(state.mean[7], 0);
  EXPECT_DOUBLE_EQ(state.mean[3], height);
}

}  // namespace
}  // namespace fp::track
