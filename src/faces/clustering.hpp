// Grouping face embeddings into identities: agglomerative clustering with average linkage on
// cosine similarity.
//
// Starting from one cluster per item, the two clusters with the highest average pairwise
// similarity merge, for as long as that average is at least `threshold`. Average linkage (rather
// than single linkage) keeps one stray similar pair from chaining two people together; rather
// than complete linkage, it tolerates the spread of one person across poses and lighting.
#pragma once

#include <vector>

#include "faces/embedding.hpp"

namespace fp::faces {

// One merge of two clusters, each named by its smallest item index (a < b); the merged cluster is
// then named a. `similarity` is the average cosine similarity over all item pairs across the two.
struct ClusterMerge {
  int a = 0;
  int b = 0;
  double similarity = 0;
};

// The merges in the order they happen, every one with similarity >= threshold, and similarities
// that never increase (average linkage is monotone; up to rounding).
// Items are L2-normalised copies of `items`; one that cannot be normalised counts as a zero vector
// (similarity 0 to everything). Ties go to the pair (a, b) that is smallest lexicographically.
// Memory is n^2 doubles for n items (72 MB at n = 3000). Time is n^2 / 2 embedding dot products
// and then, in practice, O(n^2) for the merges: each merge updates similarities by the
// Lance-Williams formula instead of recomputing item pairs, and only the clusters whose nearest
// neighbour took part search again (about 1 s for 3000 512-d items on one core). Items of
// different lengths throw std::invalid_argument (see cosine_similarity()).
std::vector<ClusterMerge> average_linkage_merges(const std::vector<Embedding>& items,
                                                 double threshold);

// A cluster label per item after average_linkage_merges(): labels 0..k-1, numbered in the order
// of each cluster's first item (item 0 has label 0). Empty input gives an empty result.
std::vector<int> cluster_identities(const std::vector<Embedding>& items, double threshold);

}  // namespace fp::faces
