// Embedding: a face's identity vector from a face-recognition model, and the arithmetic on it.
//
// Identity comparisons in framepipe are cosine similarities of L2-normalised embeddings; every
// function here that compares embeddings expects unit vectors of the same length.
#pragma once

#include <vector>

namespace fp::faces {

using Embedding = std::vector<float>;

// Scales `e` to unit L2 norm. Returns false and leaves `e` as it was when the norm is zero or not
// finite (an empty vector, all zeros, a NaN or an infinity): such an embedding identifies no one.
bool l2_normalize(Embedding& e);

// The dot product of `a` and `b`, accumulated in double. For L2-normalised vectors that is their
// cosine similarity, in [-1, 1]; no normalisation happens here, so un-normalised input gives a
// value that is not a cosine. Vectors of different lengths come from different models, a
// programming error: throws std::invalid_argument.
float cosine_similarity(const Embedding& a, const Embedding& b);

// The weighted mean of `items`, L2-normalised: e.g. one embedding for a whole face track, each
// frame weighted by its face_quality(). Items whose weight is zero, negative or not finite are
// left out. Returns an empty Embedding when nothing is left or the mean cannot be normalised (the
// caller's "zero_norm_embedding"). Throws std::invalid_argument when `items` and `weights` differ
// in length, an item is null, or the items differ in length.
Embedding weighted_mean(const std::vector<const Embedding*>& items,
                        const std::vector<double>& weights);

}  // namespace fp::faces
