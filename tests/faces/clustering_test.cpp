#include "faces/clustering.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>
#include <vector>

namespace fp::faces {
namespace {

Embedding at_angle(double degrees) {
  const double r = degrees * M_PI / 180;
  return {static_cast<float>(std::cos(r)), static_cast<float>(std::sin(r))};
}

Embedding random_unit(std::mt19937& rng, int dim) {
  std::normal_distribution<float> normal(0, 1);
  Embedding e(dim);
  for (float& v : e) v = normal(rng);
  l2_normalize(e);
  return e;
}

// `count` noisy copies of each of `groups` random centres, in a shuffled order; `truth` gets the
// centre of each item.
std::vector<Embedding> noisy_groups(std::mt19937& rng, int groups, int count, int dim, float noise,
                                    std::vector<int>& truth) {
  std::vector<Embedding> centres;
  for (int g = 0; g < groups; ++g) centres.push_back(random_unit(rng, dim));
  std::vector<int> order;
  for (int g = 0; g < groups; ++g) order.insert(order.end(), count, g);
  std::shuffle(order.begin(), order.end(), rng);
  std::normal_distribution<float> normal(0, noise);
  std::vector<Embedding> items;
  for (int g : order) {
    Embedding e = centres[g];
    for (float& v : e) v += normal(rng);
    items.push_back(e);
  }
  truth = order;
  return items;
}

// True when the two labellings split the items the same way.
bool same_partition(const std::vector<int>& a, const std::vector<int>& b) {
  if (a.size() != b.size()) return false;
  std::map<int, int> a_to_b, b_to_a;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a_to_b.try_emplace(a[i], b[i]).first->second != b[i]) return false;
    if (b_to_a.try_emplace(b[i], a[i]).first->second != a[i]) return false;
  }
  return true;
}

// Checks that labels are 0..k-1 numbered in the order of each cluster's first item.
void expect_first_seen_numbering(const std::vector<int>& labels) {
  int next = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    ASSERT_LE(labels[i], next) << "item " << i;
    if (labels[i] == next) ++next;
  }
}

// Average linkage done the slow, obvious way: every round recomputes every cluster pair's mean
// similarity from the item similarities. Clusters are named by their smallest item; ties go to
// the lexicographically smallest pair, as in the library.
struct NaiveResult {
  std::vector<ClusterMerge> merges;
  std::vector<std::vector<int>> clusters;
  std::vector<std::vector<double>> item_sim;
};

double mean_similarity(const NaiveResult& r, const std::vector<int>& x, const std::vector<int>& y) {
  double sum = 0;
  for (int i : x) {
    for (int j : y) sum += r.item_sim[i][j];
  }
  return sum / (static_cast<double>(x.size()) * y.size());
}

NaiveResult naive_average_linkage(const std::vector<Embedding>& items, double threshold) {
  NaiveResult r;
  const int n = static_cast<int>(items.size());
  std::vector<Embedding> unit = items;
  for (Embedding& e : unit) {
    if (!l2_normalize(e)) e.assign(e.size(), 0.0f);
  }
  r.item_sim.assign(n, std::vector<double>(n, 0));
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) r.item_sim[i][j] = cosine_similarity(unit[i], unit[j]);
  }
  for (int i = 0; i < n; ++i) r.clusters.push_back({i});
  while (r.clusters.size() > 1) {
    // Clusters stay sorted by their smallest item, so (x, y) with x < y is lexicographic.
    size_t best_x = 0, best_y = 0;
    double best = -INFINITY;
    for (size_t x = 0; x < r.clusters.size(); ++x) {
      for (size_t y = x + 1; y < r.clusters.size(); ++y) {
        const double s = mean_similarity(r, r.clusters[x], r.clusters[y]);
        if (s > best) {
          best = s;
          best_x = x;
          best_y = y;
        }
      }
    }
    if (!(best >= threshold)) break;
    r.merges.push_back({r.clusters[best_x].front(), r.clusters[best_y].front(), best});
    std::vector<int>& into = r.clusters[best_x];
    into.insert(into.end(), r.clusters[best_y].begin(), r.clusters[best_y].end());
    std::sort(into.begin(), into.end());
    r.clusters.erase(r.clusters.begin() + static_cast<long>(best_y));
  }
  return r;
}

TEST(FaceClustering, EmptyInputGivesNoLabels) {
  EXPECT_TRUE(cluster_identities({}, 0.5).empty());
  EXPECT_TRUE(average_linkage_merges({}, 0.5).empty());
}

TEST(FaceClustering, SingleItemIsItsOwnCluster) {
  EXPECT_EQ(cluster_identities({{0.3f, 0.4f}}, 0.5), (std::vector<int>{0}));
  EXPECT_EQ(cluster_identities({{0.3f, 0.4f}}, -2.0), (std::vector<int>{0}));
}

TEST(FaceClustering, IdenticalItemsFormOneCluster) {
  const std::vector<Embedding> items(6, Embedding{0.1f, -0.7f, 0.2f});
  EXPECT_EQ(cluster_identities(items, 0.99), (std::vector<int>(6, 0)));
  // All similarities tie: every merge joins the next item to cluster 0.
  const std::vector<ClusterMerge> merges = average_linkage_merges(items, 0.99);
  ASSERT_EQ(merges.size(), 5u);
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(merges[k].a, 0);
    EXPECT_EQ(merges[k].b, k + 1);
  }
  // Nothing reaches a threshold above any cosine.
  EXPECT_EQ(cluster_identities(items, 1.01), (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(FaceClustering, ThresholdIsInclusive) {
  std::vector<Embedding> items = {{3, 4}, {4, 3}};
  Embedding a = items[0], b = items[1];
  ASSERT_TRUE(l2_normalize(a));
  ASSERT_TRUE(l2_normalize(b));
  const double s = cosine_similarity(a, b);  // about 0.96
  EXPECT_EQ(cluster_identities(items, s), (std::vector<int>{0, 0}));
  EXPECT_EQ(cluster_identities(items, std::nextafter(s, 2.0)), (std::vector<int>{0, 1}));
  // Orthogonal items merge at threshold 0 and not above it.
  EXPECT_EQ(cluster_identities({{1, 0}, {0, 1}}, 0.0), (std::vector<int>{0, 0}));
  EXPECT_EQ(cluster_identities({{1, 0}, {0, 1}}, 1e-12), (std::vector<int>{0, 1}));
}

TEST(FaceClustering, NanThresholdMergesNothing) {
  EXPECT_EQ(cluster_identities({{1, 0}, {1, 0}}, std::nan("")), (std::vector<int>{0, 1}));
}

TEST(FaceClustering, AverageLinkageDoesNotChainLikeSingleLinkage) {
  // 0 and 40 degrees are 0.77 alike, 40 and 80 too, 0 and 80 only 0.17: the pair {0, 40} is on
  // average 0.47 alike to 80, under 0.7, though its closest member is 0.77 alike.
  const std::vector<Embedding> items = {at_angle(0), at_angle(80), at_angle(40)};
  EXPECT_EQ(cluster_identities(items, 0.7), (std::vector<int>{0, 1, 0}));
}

TEST(FaceClustering, AverageLinkageIsLessStrictThanCompleteLinkage) {
  // {0, 30} to 70: cosines 0.34 and 0.77, average 0.55 >= 0.5, though the farthest pair is 0.34.
  const std::vector<Embedding> items = {at_angle(70), at_angle(0), at_angle(30)};
  EXPECT_EQ(cluster_identities(items, 0.5), (std::vector<int>{0, 0, 0}));
  const std::vector<ClusterMerge> merges = average_linkage_merges(items, 0.5);
  ASSERT_EQ(merges.size(), 2u);
  EXPECT_EQ(merges[0].a, 1);
  EXPECT_EQ(merges[0].b, 2);
  EXPECT_NEAR(merges[0].similarity, std::cos(30 * M_PI / 180), 1e-6);
  EXPECT_EQ(merges[1].a, 0);
  EXPECT_EQ(merges[1].b, 1);
  EXPECT_NEAR(merges[1].similarity, (std::cos(70 * M_PI / 180) + std::cos(40 * M_PI / 180)) / 2,
              1e-6);
}

TEST(FaceClustering, WeightsClustersBySizeWhenMerging) {
  // Three items at 0 degrees, then one at 30, merge first. The four are on average
  // (3 * cos 90 + cos 60) / 4 = 0.125 alike to 90 degrees; weighting the two parts equally
  // (WPGMA) would give (cos 90 + cos 60) / 2 = 0.25.
  const std::vector<Embedding> items = {at_angle(0), at_angle(0), at_angle(0), at_angle(30),
                                        at_angle(90)};
  const std::vector<ClusterMerge> merges = average_linkage_merges(items, 0.0);
  ASSERT_EQ(merges.size(), 4u);
  EXPECT_EQ(merges[2].b, 3);
  EXPECT_NEAR(merges[3].similarity, 0.125, 1e-6);
  EXPECT_EQ(cluster_identities(items, 0.2), (std::vector<int>{0, 0, 0, 0, 1}));
}

TEST(FaceClustering, UnnormalisedItemsAreComparedByDirection) {
  const std::vector<Embedding> items = {{10, 0}, {0, 0.01f}, {0.02f, 0}, {0, 5}};
  EXPECT_EQ(cluster_identities(items, 0.9), (std::vector<int>{0, 1, 0, 1}));
}

TEST(FaceClustering, ZeroAndNanItemsStayAlone) {
  const std::vector<Embedding> items = {{1, 0}, {0, 0}, {1, 0.01f}, {NAN, 1}};
  EXPECT_EQ(cluster_identities(items, 0.5), (std::vector<int>{0, 1, 0, 2}));
}

TEST(FaceClustering, ItemsOfDifferentLengthsThrow) {
  EXPECT_THROW(cluster_identities({{1, 0}, {1, 0, 0}}, 0.5), std::invalid_argument);
}

TEST(FaceClustering, RecoversWellSeparatedGroupsExactly) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<int> truth;
    // 128-dimensional random centres are nearly orthogonal; noise 0.03 per value keeps each
    // item about 0.9 alike to its centre's other items.
    const std::vector<Embedding> items = noisy_groups(rng, 8, 25, 128, 0.03f, truth);
    const std::vector<int> labels = cluster_identities(items, 0.5);
    EXPECT_TRUE(same_partition(labels, truth)) << "trial " << trial;
    expect_first_seen_numbering(labels);
    EXPECT_EQ(*std::max_element(labels.begin(), labels.end()), 7);
  }
}

TEST(FaceClustering, MatchesNaiveAverageLinkageOnRandomSets) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> size_dist(1, 30), dim_dist(2, 6);
  std::uniform_real_distribution<double> threshold_dist(-0.3, 0.9);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = size_dist(rng), dim = dim_dist(rng);
    const double threshold = threshold_dist(rng);
    std::vector<Embedding> items;
    // Random directions with random lengths: the clustering must normalise.
    std::uniform_real_distribution<float> length(0.1f, 10.0f);
    for (int i = 0; i < n; ++i) {
      Embedding e = random_unit(rng, dim);
      const float l = length(rng);
      for (float& v : e) v *= l;
      items.push_back(e);
    }
    SCOPED_TRACE("trial " + std::to_string(trial) + ", n " + std::to_string(n) + ", threshold " +
                 std::to_string(threshold));

    const NaiveResult naive = naive_average_linkage(items, threshold);
    const std::vector<ClusterMerge> merges = average_linkage_merges(items, threshold);
    ASSERT_EQ(merges.size(), naive.merges.size());
    for (size_t k = 0; k < merges.size(); ++k) {
      EXPECT_EQ(merges[k].a, naive.merges[k].a) << "merge " << k;
      EXPECT_EQ(merges[k].b, naive.merges[k].b) << "merge " << k;
      EXPECT_NEAR(merges[k].similarity, naive.merges[k].similarity, 1e-9) << "merge " << k;
      EXPECT_GE(merges[k].similarity, threshold);
      if (k > 0) {
        EXPECT_LE(merges[k].similarity, merges[k - 1].similarity + 1e-12);
      }
    }

    const std::vector<int> labels = cluster_identities(items, threshold);
    ASSERT_EQ(labels.size(), static_cast<size_t>(n));
    expect_first_seen_numbering(labels);
    // The naive clusters, in order of their smallest item, are labels 0, 1, ...
    ASSERT_EQ(*std::max_element(labels.begin(), labels.end()) + 1,
              static_cast<int>(naive.clusters.size()));
    for (size_t c = 0; c < naive.clusters.size(); ++c) {
      for (int i : naive.clusters[c]) EXPECT_EQ(labels[i], static_cast<int>(c)) << "item " << i;
    }
    // No two final clusters are alike enough on average to merge.
    for (size_t x = 0; x < naive.clusters.size(); ++x) {
      for (size_t y = x + 1; y < naive.clusters.size(); ++y) {
        EXPECT_LT(mean_similarity(naive, naive.clusters[x], naive.clusters[y]), threshold);
      }
    }
  }
}

TEST(FaceClustering, BreaksTiesLikeNaiveAverageLinkage) {
  // Items on the coordinate axes have cosines of exactly 1, 0 or -1, and the averages over
  // clusters tie often: the merge order then rests on the tie rule alone.
  std::mt19937 rng(77);
  std::uniform_int_distribution<int> size_dist(2, 16), axis_dist(0, 5);
  for (int trial = 0; trial < 200; ++trial) {
    const int n = size_dist(rng);
    std::vector<Embedding> items;
    for (int i = 0; i < n; ++i) {
      const int axis = axis_dist(rng);
      Embedding e(3, 0.0f);
      e[axis % 3] = axis < 3 ? 1.0f : -1.0f;
      items.push_back(e);
    }
    for (double threshold : {-0.5, 0.0, 0.25}) {
      SCOPED_TRACE("trial " + std::to_string(trial) + ", threshold " + std::to_string(threshold));
      const NaiveResult naive = naive_average_linkage(items, threshold);
      const std::vector<ClusterMerge> merges = average_linkage_merges(items, threshold);
      ASSERT_EQ(merges.size(), naive.merges.size());
      for (size_t k = 0; k < merges.size(); ++k) {
        EXPECT_EQ(merges[k].a, naive.merges[k].a) << "merge " << k;
        EXPECT_EQ(merges[k].b, naive.merges[k].b) << "merge " << k;
      }
    }
  }
}

TEST(FaceClustering, HandlesAFewThousandItems) {
  std::mt19937 rng(9);
  std::vector<int> truth;
  const std::vector<Embedding> items = noisy_groups(rng, 60, 40, 128, 0.03f, truth);
  const std::vector<int> labels = cluster_identities(items, 0.5);
  EXPECT_TRUE(same_partition(labels, truth));
}

}  // namespace
}  // namespace fp::faces
