// Batch layout: how items are stacked into one batched input and how a batched output is split
// back into one output per item.
//
// Most models return [B, ...] or a tensor whose items lie one after another in memory (a flatten
// that folded the batch: MobileFaceNet at batch 8 gives [1, 1024] for 8 x [1, 128]). Some ONNX
// graphs fold the batch inside a reshape with a fixed leading 1 before a concat and a transpose:
// YOLOX-nano reshapes each level's [B, 85, h, w] to [1, 85, B*h*w], so at batch 4 it returns
// [1, 4*3549, 85] with the items interleaved level by level. Such a layout is a fixed permutation
// of the items' values, and `folded_levels` undoes it from the levels' strides.
#pragma once

#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace fp::infer {

struct BatchLayout {
  enum class Kind { kItemMajor, kFoldedLevels };
  Kind kind = Kind::kItemMajor;
  // kFoldedLevels: the output's rows are one block per level, a level of stride s holding
  // (width / s) * (height / s) rows per item.
  std::vector<int> strides;
};

// Parses a registry `batch_layout` value: "item_major" or "folded_levels".
Result<BatchLayout::Kind> parse_batch_layout(const std::string& name);

// Stacks 1xCxHxW float blobs of one shape into a BxCxHxW blob (one item is returned as is).
Result<cv::Mat> stack_items(const std::vector<cv::Mat>& items);

// Splits the outputs of a batch of `batch` items into one set of outputs per item. `item_shapes`
// are the outputs' shapes at batch 1; `input_size` is the model's input (for folded levels).
// An output whose size is not `batch` times the item's is an Error: the model cannot batch.
Result<std::vector<std::vector<cv::Mat>>> split_outputs(
    const std::vector<cv::Mat>& outputs, int batch,
    const std::vector<std::vector<int>>& item_shapes, const BatchLayout& layout,
    cv::Size input_size);

// The dimensions of a tensor, e.g. {1, 3549, 85}.
std::vector<int> shape_of(const cv::Mat& tensor);

}  // namespace fp::infer
