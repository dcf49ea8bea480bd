#include "faces/embedding.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace fp::faces {

bool l2_normalize(Embedding& e) {
  double sum = 0;
  for (float v : e) sum += static_cast<double>(v) * v;
  const double norm = std::sqrt(sum);
  if (!std::isfinite(norm) || norm == 0) return false;
  for (float& v : e) v = static_cast<float>(v / norm);
  return true;
}

float cosine_similarity(const Embedding& a, const Embedding& b) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("cosine_similarity: embeddings of length " +
                                std::to_string(a.size()) + " and " + std::to_string(b.size()));
  }
  // Four independent sums let the compiler vectorise without reordering one sum (no fast-math);
  // clustering spends most of its time here.
  double sums[4] = {0, 0, 0, 0};
  const size_t n = a.size();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (size_t k = 0; k < 4; ++k) sums[k] += static_cast<double>(a[i + k]) * b[i + k];
  }
  for (; i < n; ++i) sums[0] += static_cast<double>(a[i]) * b[i];
  return static_cast<float>((sums[0] + sums[1]) + (sums[2] + sums[3]));
}

Embedding weighted_mean(const std::vector<const Embedding*>& items,
                        const std::vector<double>& weights) {
  if (items.size() != weights.size()) {
    throw std::invalid_argument("weighted_mean: " + std::to_string(items.size()) +
                                " embeddings but " + std::to_string(weights.size()) + " weights");
  }
  // Weights are taken relative to the largest, so a huge weight cannot overflow the sums; the
  // scale does not matter, normalisation removes it.
  double max_weight = 0;
  for (double w : weights) {
    if (std::isfinite(w) && w > max_weight) max_weight = w;
  }
  std::vector<double> sum;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i] == nullptr) throw std::invalid_argument("weighted_mean: null embedding");
    if (i == 0) sum.assign(items[0]->size(), 0.0);
    if (items[i]->size() != sum.size()) {
      throw std::invalid_argument("weighted_mean: embeddings of length " +
                                  std::to_string(sum.size()) + " and " +
                                  std::to_string(items[i]->size()));
    }
    const double w = weights[i];
    if (!std::isfinite(w) || w <= 0) continue;
    for (size_t k = 0; k < sum.size(); ++k) sum[k] += (w / max_weight) * (*items[i])[k];
  }
  double squares = 0;
  for (double v : sum) squares += v * v;
  const double norm = std::sqrt(squares);
  if (!std::isfinite(norm) || norm == 0) return {};
  Embedding mean(sum.size());
  for (size_t k = 0; k < sum.size(); ++k) mean[k] = static_cast<float>(sum[k] / norm);
  return mean;
}

}  // namespace fp::faces
