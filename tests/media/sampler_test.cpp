#include "media/sampler.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace fp::media {
namespace {

std::vector<int64_t> accepted(SamplingOptions options, int frames, double fps) {
  Sampler sampler(options);
  std::vector<int64_t> out;
  for (int i = 0; i < frames; ++i) {
    if (sampler.accept(i, i / fps)) out.push_back(i);
  }
  return out;
}

TEST(Sampler, StrideKeepsEveryNthSourceFrame) {
  SamplingOptions o;
  o.stride = 3;
  EXPECT_EQ(accepted(o, 10, 10), (std::vector<int64_t>{0, 3, 6, 9}));
}

TEST(Sampler, TargetFpsPicksByTimestampWithoutDrift) {
  SamplingOptions o;
  o.fps = 10;
  const auto frames = accepted(o, 300, 30000.0 / 1001.0);  // 29.97 fps for ~10 s
  ASSERT_EQ(frames.size(), 100u);                          // 0.0 .. 9.9 s every 0.1 s
  EXPECT_EQ(frames[1], 3);
  EXPECT_EQ(frames.back(), 297);
}

TEST(Sampler, StartAndEndBoundTheRange) {
  SamplingOptions o;
  o.start = 2;
  o.end = 3;
  const auto frames = accepted(o, 100, 10);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.front(), 20);
  EXPECT_EQ(frames.back(), 29);
  Sampler sampler(o);
  EXPECT_TRUE(sampler.finished(3.0));
  EXPECT_FALSE(sampler.finished(2.9));
}

// Issue 10 (fuzzing): after a timestamp jump the sampler stepped to it one period at a time, which
// took hours for a jump of years (a damaged file), and never ended where a period is below the
// spacing of doubles (the fuzz input regressions/pipeline_config/issue10-timestamp-jump-hang.bin).
TEST(Sampler, Issue10_TimestampJumpIsCrossedInOneStep) {
  SamplingOptions o;
  o.fps = 10;
  Sampler sampler(o);
  EXPECT_TRUE(sampler.accept(0, 0.0));
  for (const double jump : {1e12, 1e15, 1e18}) {
    EXPECT_TRUE(sampler.accept(1, jump)) << jump;
    EXPECT_FALSE(sampler.accept(2, jump)) << jump;  // the same timestamp again
  }
  // After a jump the rate holds: 30 fps over one second gives 10 frames.
  Sampler later(o);
  int kept = 0;
  for (int i = 0; i < 30; ++i) kept += later.accept(i, i == 0 ? 0.0 : 1e9 + i / 30.0);
  EXPECT_NEAR(kept, 1 + 10, 1);
  // A rate far above the source's keeps every frame.
  o.fps = 1e300;
  EXPECT_EQ(accepted(o, 100, 30).size(), 100u);
}

TEST(Sampler, EstimateMatchesAcceptedCount) {
  SamplingOptions o;
  o.stride = 10;
  EXPECT_EQ(Sampler(o).estimate(795, 10), static_cast<int64_t>(accepted(o, 795, 10).size()));
  o.stride = 1;
  o.fps = 2;
  EXPECT_EQ(Sampler(o).estimate(795, 10), static_cast<int64_t>(accepted(o, 795, 10).size()));
  EXPECT_EQ(Sampler(o).estimate(0, 10), 0);  // unknown length
}

}  // namespace
}  // namespace fp::media
