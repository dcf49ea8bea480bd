// Stacking items into a batch and splitting batched outputs back, on synthetic tensors and on the
// real models in ../shared/models.
#include "infer/batch_layout.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <opencv2/core.hpp>

#include "infer/model.hpp"
#include "test_support.hpp"

namespace fp::infer {
namespace {

cv::Mat counting(const std::vector<int>& shape, float start) {
  cv::Mat m(shape, CV_32F);
  std::iota(m.ptr<float>(), m.ptr<float>() + m.total(), start);
  return m;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return shape_of(a) == shape_of(b) && cv::norm(a, b, cv::NORM_INF) == 0;
}

TEST(BatchLayout, StackPutsItemsOneAfterAnother) {
  const cv::Mat a = counting({1, 3, 2, 2}, 0);
  const cv::Mat b = counting({1, 3, 2, 2}, 100);
  auto batch = stack_items({a, b});
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(shape_of(*batch), (std::vector<int>{2, 3, 2, 2}));
  EXPECT_EQ(batch->ptr<float>()[12], 100.0f);
  EXPECT_FALSE(stack_items({a, counting({1, 3, 4, 4}, 0)}).ok());  // shapes differ
  EXPECT_FALSE(stack_items({}).ok());
}

TEST(BatchLayout, ItemMajorSplitsLeadingAndFlattenedBatches) {
  // [B, 4] and, as MobileFaceNet returns it, [1, B*4].
  for (const std::vector<int>& shape : {std::vector<int>{3, 4}, std::vector<int>{1, 12}}) {
    auto split = split_outputs({counting(shape, 0)}, 3, {{1, 4}}, {}, {});
    ASSERT_TRUE(split.ok()) << split.error().message();
    ASSERT_EQ(split->size(), 3u);
    for (int b = 0; b < 3; ++b) EXPECT_TRUE(same((*split)[b][0], counting({1, 4}, 4.0f * b)));
  }
}

TEST(BatchLayout, OutputThatDoesNotGrowWithTheBatchIsAnError) {
  auto split = split_outputs({counting({1, 4}, 0)}, 2, {{1, 4}}, {}, {});
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.error().message().find("does not run batches"), std::string::npos);
  EXPECT_FALSE(split_outputs({}, 2, {{1, 4}}, {}, {}).ok());  // output count differs
}

// What a graph that reshapes each level's [B, C, r] to [1, C, B*r], concatenates the levels and
// transposes to rows does to B items of shape [1, R, C] (R = the levels' r summed).
cv::Mat fold(const std::vector<cv::Mat>& items, const std::vector<int>& level_rows, int columns) {
  const int batch = static_cast<int>(items.size());
  int rows = 0;
  for (int r : level_rows) rows += r;
  cv::Mat out({1, batch * rows, columns}, CV_32F);
  int start = 0;
  for (int r : level_rows) {
    // Level memory as the network holds it: [B, C, r].
    std::vector<float> level;
    for (int b = 0; b < batch; ++b) {
      for (int c = 0; c < columns; ++c) {
        for (int p = 0; p < r; ++p)
          level.push_back(items[b].ptr<float>()[(start + p) * columns + c]);
      }
    }
    // Viewed as [C, B*r] and transposed to rows [B*r, C] after the earlier levels' rows.
    for (int q = 0; q < batch * r; ++q) {
      for (int c = 0; c < columns; ++c) {
        out.ptr<float>()[(start * batch + q) * columns + c] = level[c * batch * r + q];
      }
    }
    start += r;
  }
  return out;
}

TEST(BatchLayout, FoldedLevelsAreUnfolded) {
  // A 64x32 input with strides 8, 16, 32: 8*4 + 4*2 + 2*1 = 42 rows per item, 5 columns.
  const std::vector<cv::Mat> items{counting({1, 42, 5}, 0), counting({1, 42, 5}, 1000),
                                   counting({1, 42, 5}, 5000)};
  const BatchLayout layout{BatchLayout::Kind::kFoldedLevels, {8, 16, 32}};
  auto split = split_outputs({fold(items, {32, 8, 2}, 5)}, 3, {{1, 42, 5}}, layout, {64, 32});
  ASSERT_TRUE(split.ok()) << split.error().message();
  for (int b = 0; b < 3; ++b) EXPECT_TRUE(same((*split)[b][0], items[b])) << "item " << b;
  // Strides that do not add up to the rows are an error, not a wrong split.
  auto wrong = split_outputs({fold(items, {32, 8, 2}, 5)}, 3, {{1, 42, 5}},
                             BatchLayout{BatchLayout::Kind::kFoldedLevels, {8, 16}}, {64, 32});
  EXPECT_FALSE(wrong.ok());
}

TEST(BatchLayout, ParsesRegistryNames) {
  EXPECT_TRUE(parse_batch_layout("item_major").ok());
  EXPECT_TRUE(parse_batch_layout("folded_levels").ok());
  EXPECT_FALSE(parse_batch_layout("interleaved").ok());
}

// The real models: a batch either matches every item run alone, or the model is limited to 1.
struct BatchCase {
  const char* model;
  int max_batch;
  bool batches;
};

void PrintTo(const BatchCase& c, std::ostream* os) {
  *os << c.model << " at batch " << c.max_batch;
}

class ModelBatching : public ::testing::TestWithParam<BatchCase> {};

TEST_P(ModelBatching, BatchMatchesItemsRunAloneOrIsRefused) {
  auto registry = ModelRegistry::load_default();
  ASSERT_TRUE(registry.ok());
  // OpenCV stacks batches itself and folds them in model-specific ways (batch_layout.hpp).
  ModelOptions options;
  options.backend = "opencv";
  auto model = Model::load(*registry, GetParam().model, options, {});
  ASSERT_TRUE(model.ok()) << model.error().message();
  auto warm = (*model)->warm_up(GetParam().max_batch, true);
  ASSERT_TRUE(warm.ok()) << warm.error().message();
  if (GetParam().batches) {
    EXPECT_EQ(warm->max_batch, GetParam().max_batch) << warm->batch_problem;
    EXPECT_TRUE(warm->batch_problem.empty());
  } else {
    EXPECT_EQ(warm->max_batch, 1);
    EXPECT_FALSE(warm->batch_problem.empty());
  }
}

// ONNX Runtime enforces the batch of 1 that every shared model's ONNX fixes: the Batcher still
// groups requests, and the instance runs them one after another, each as it would alone.
TEST(ModelBatching, OnnxRuntimeRunsAFixedBatchOneItemPerCall) {
  auto registry = ModelRegistry::load_default();
  ASSERT_TRUE(registry.ok());
  for (const char* name : {"yolox_nano_416", "nanodet_m_320", "osnet_x0_25_msmt17"}) {
    auto model = Model::load(*registry, name, {}, {});
    ASSERT_TRUE(model.ok()) << model.error().message();
    EXPECT_EQ((*model)->backend_name(), "onnxruntime");
    auto warm = (*model)->warm_up(4, true);
    ASSERT_TRUE(warm.ok()) << warm.error().message();
    EXPECT_EQ(warm->max_batch, 4) << name << ": " << warm->batch_problem;
  }
}

INSTANTIATE_TEST_SUITE_P(
    SharedModels, ModelBatching,
    ::testing::Values(BatchCase{"yolox_nano_416", 3, true},       // [1, 3*3549, 85], folded
                      BatchCase{"mobilefacenet_128d", 4, true},   // [1, 4*128]
                      BatchCase{"osnet_x0_25_msmt17", 2, false},  // fails at B > 1 in OpenCV
                      BatchCase{"nanodet_m_320", 2, false}),      // so does NanoDet
    [](const auto& info) { return std::string(info.param.model); });

}  // namespace
}  // namespace fp::infer
