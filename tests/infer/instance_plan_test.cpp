#include "infer/instance_plan.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <opencv2/core/utility.hpp>
#include <thread>

namespace fp::infer {
namespace {

using Pairs = std::vector<std::pair<int, int>>;

TEST(InstancePlan, CandidatesSplitTheCoresEveryWay) {
  EXPECT_EQ(plan_candidates(2, 8), (Pairs{{2, 1}, {1, 2}}));
  EXPECT_EQ(plan_candidates(4, 8), (Pairs{{4, 1}, {2, 2}, {1, 4}}));
  EXPECT_EQ(plan_candidates(1, 8), (Pairs{{1, 1}}));
  EXPECT_EQ(plan_candidates(16, 8), (Pairs{{8, 2}, {4, 4}, {2, 8}, {1, 16}}));
}

TEST(InstancePlan, ConfigPlanFillsTheMissingHalfAndMustFit) {
  auto plan = plan_from_config(4, 2, 0);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->instances, 2);
  EXPECT_EQ(plan->threads, 2);
  plan = plan_from_config(4, 0, 4);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->instances, 1);
  auto too_big = plan_from_config(2, 2, 2);
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.error().message().find("need 4 cores, but the budget is 2"), std::string::npos);
}

TEST(InstancePlan, MeasurePicksTheFasterCandidate) {
  // A fake instance that takes 20 ms whatever the threads: two side by side do twice the work.
  auto run_once = [](int) -> Status {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return ok_status();
  };
  auto plan = measure_plan({{2, 1}, {1, 2}}, run_once, 1, 2, 1);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->measured);
  EXPECT_EQ(plan->instances, 2);
  EXPECT_EQ(plan->threads, 1);
  ASSERT_EQ(plan->trials.size(), 2u);
  EXPECT_GT(plan->trials[0].items_per_second, plan->trials[1].items_per_second);
  EXPECT_EQ(cv::getNumThreads(), 1);  // left at the winner's
  EXPECT_NE(plan->describe().find("2 instances x 1 thread"), std::string::npos);
}

TEST(InstancePlan, ASlowSpellInOneRoundDoesNotDecideThePlan) {
  // Each run takes 20 ms whatever the threads, so 2x1 does twice the work of 1x2 -- except in the
  // first round, where the machine is busy during 2x1's runs (its first 2 x (1 + 2) calls take
  // 200 ms). Measured once, 1x2 would win; the median of three rounds keeps 2x1.
  std::atomic<int> two_by_one_calls{0};
  auto run_once = [&](int) -> Status {
    const bool slow = cv::getNumThreads() == 1 && two_by_one_calls.fetch_add(1) < 6;
    std::this_thread::sleep_for(std::chrono::milliseconds(slow ? 200 : 20));
    return ok_status();
  };
  auto once = measure_plan({{2, 1}, {1, 2}}, run_once, 1, 2, 1);
  ASSERT_TRUE(once.ok());
  EXPECT_EQ(once->instances, 1);  // the slow spell decided
  two_by_one_calls = 0;
  auto plan = measure_plan({{2, 1}, {1, 2}}, run_once, 1, 2, 3);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->instances, 2);
  EXPECT_EQ(plan->threads, 1);
  EXPECT_EQ(two_by_one_calls.load(), 3 * 2 * (1 + 2));  // every round ran 2x1
  ASSERT_EQ(plan->trials.size(), 2u);
  EXPECT_NEAR(plan->trials[0].items_per_second, 100, 25);  // the median, not the slow round
}

TEST(InstancePlan, MeasureReportsAnInstanceThatFails) {
  auto plan = measure_plan(
      {{1, 1}}, [](int) -> Status { return Error("boom"); }, 1, 2, 3);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().message(), "boom");
}

}  // namespace
}  // namespace fp::infer
