#include "infer/batch_layout.hpp"

#include <cstring>

#include "core/strings.hpp"

namespace fp::infer {

namespace {

std::string shape_text(const std::vector<int>& shape) {
  std::vector<std::string> dims;
  for (int d : shape) dims.push_back(std::to_string(d));
  return "[" + join(dims, ", ") + "]";
}

size_t element_count(const std::vector<int>& shape) {
  size_t n = 1;
  for (int d : shape) n *= static_cast<size_t>(d);
  return n;
}

// Undoes YOLOX's folded reshape for one output of shape [1, batch * rows, columns]: at a level with
// r rows per item, item b's value (row p, column c) was moved by viewing [B, C, r] as [C, B*r] and
// transposing. See the header.
Result<std::vector<cv::Mat>> unfold_levels(const cv::Mat& output, int batch,
                                           const std::vector<int>& item_shape,
                                           const std::vector<int>& strides, cv::Size input_size) {
  if (item_shape.size() != 3 || item_shape[0] != 1) {
    return Error("folded_levels needs outputs of shape [1, rows, columns], not " +
                 shape_text(item_shape));
  }
  const int rows = item_shape[1];
  const int columns = item_shape[2];
  std::vector<int> level_rows;
  int total = 0;
  for (int s : strides) {
    level_rows.push_back((input_size.width / s) * (input_size.height / s));
    total += level_rows.back();
  }
  if (total != rows) {
    return Error("folded_levels strides give " + std::to_string(total) + " rows at " +
                 std::to_string(input_size.width) + "x" + std::to_string(input_size.height) +
                 " but the model returns " + std::to_string(rows));
  }
  std::vector<cv::Mat> items;
  for (int b = 0; b < batch; ++b) items.emplace_back(item_shape, CV_32F);
  const float* in = output.ptr<float>();
  int64_t level_start = 0;  // first row of the level, per item
  for (int r : level_rows) {
    const int64_t block = static_cast<int64_t>(batch) * r;  // the level's rows in the output
    for (int b = 0; b < batch; ++b) {
      float* out = items[b].ptr<float>();
      for (int c = 0; c < columns; ++c) {
        for (int p = 0; p < r; ++p) {
          const int64_t flat = (static_cast<int64_t>(b) * columns + c) * r + p;
          const int64_t row = level_start * batch + flat % block;
          out[(level_start + p) * columns + c] = in[row * columns + flat / block];
        }
      }
    }
    level_start += r;
  }
  return items;
}

}  // namespace

Result<BatchLayout::Kind> parse_batch_layout(const std::string& name) {
  if (name == "item_major") return BatchLayout::Kind::kItemMajor;
  if (name == "folded_levels") return BatchLayout::Kind::kFoldedLevels;
  return Error("unknown batch_layout '" + name + "' (known: item_major, folded_levels)");
}

std::vector<int> shape_of(const cv::Mat& tensor) {
  return std::vector<int>(tensor.size.p, tensor.size.p + tensor.dims);
}

Result<cv::Mat> stack_items(const std::vector<cv::Mat>& items) {
  if (items.empty()) return Error("a batch needs at least one item");
  if (items.size() == 1) return items.front();
  const std::vector<int> shape = shape_of(items.front());
  if (shape.size() != 4 || shape[0] != 1 || items.front().type() != CV_32F) {
    return Error("batch items must be 1xCxHxW float32 blobs, not " + shape_text(shape));
  }
  std::vector<int> batched = shape;
  batched[0] = static_cast<int>(items.size());
  cv::Mat out(batched, CV_32F);
  const size_t bytes = items.front().total() * sizeof(float);
  for (size_t i = 0; i < items.size(); ++i) {
    if (shape_of(items[i]) != shape || items[i].type() != CV_32F) {
      return Error("batch item " + std::to_string(i) + " has shape " +
                   shape_text(shape_of(items[i])) + ", the first " + shape_text(shape));
    }
    const cv::Mat item = items[i].isContinuous() ? items[i] : items[i].clone();
    std::memcpy(out.ptr<uchar>() + i * bytes, item.ptr<uchar>(), bytes);
  }
  return out;
}

Result<std::vector<std::vector<cv::Mat>>> split_outputs(
    const std::vector<cv::Mat>& outputs, int batch,
    const std::vector<std::vector<int>>& item_shapes, const BatchLayout& layout,
    cv::Size input_size) {
  if (outputs.size() != item_shapes.size()) {
    return Error("the batch returned " + std::to_string(outputs.size()) + " outputs, batch 1 " +
                 std::to_string(item_shapes.size()));
  }
  std::vector<std::vector<cv::Mat>> per_item(batch);
  if (batch == 1) {
    per_item[0] = outputs;
    return per_item;
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    const cv::Mat& output = outputs[k];
    const std::vector<int>& item_shape = item_shapes[k];
    if (output.type() != CV_32F || !output.isContinuous() ||
        output.total() != element_count(item_shape) * batch) {
      return Error("output " + std::to_string(k) + " has shape " + shape_text(shape_of(output)) +
                   " at batch " + std::to_string(batch) + " but " + shape_text(item_shape) +
                   " at batch 1: the model does not run batches");
    }
    if (layout.kind == BatchLayout::Kind::kFoldedLevels) {
      FP_ASSIGN_OR_RETURN(std::vector<cv::Mat> items,
                          unfold_levels(output, batch, item_shape, layout.strides, input_size));
      for (int b = 0; b < batch; ++b) per_item[b].push_back(std::move(items[b]));
      continue;
    }
    const size_t count = element_count(item_shape);
    for (int b = 0; b < batch; ++b) {
      cv::Mat item(item_shape, CV_32F);
      std::memcpy(item.ptr<float>(), output.ptr<float>() + b * count, count * sizeof(float));
      per_item[b].push_back(std::move(item));
    }
  }
  return per_item;
}

}  // namespace fp::infer
