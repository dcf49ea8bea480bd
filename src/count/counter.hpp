// Counter: people counting for one stream. Frame after frame it takes the tracked objects and
// updates, for each zone, how many are inside and how many came in and went out, and for each
// line, how many crossed it each way.
//
// The rules:
// - An object counts when it has a track id and is of a counted class; each is one point, its
//   anchor: the middle of its box's bottom edge (where a person stands) or its centre.
// - Occupancy is the number of objects whose point is inside the zone (or on its outline) on the
//   frame. An entry is a track whose point was outside on its previous frame and is inside now; an
//   exit, the other way round. A track's first frame counts neither, wherever it is: a track that
//   appears inside (at the start of the video, or found late by the detector) is not an entry.
// - A line counts a track once each time its point moves, between two frames of the track, from
//   one side of the line strictly to the other, through the segment itself (its ends included;
//   passing beyond an end does not count). A point exactly on the line is not on either side: the
//   track keeps the side it came from, so touching the line and going back counts nothing, and
//   crossing by way of a point on it counts once. A track that goes back and forth counts every
//   crossing, "in" or "out" by its direction.
// - A track the tracker ended is forgotten, so the state stays as big as the tracks alive.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/detection.hpp"
#include "count/counts.hpp"

namespace fp::count {

// Which point of its box stands for an object.
enum class Anchor { kBottomCenter, kCenter };

Point anchor_point(const Box& box, Anchor anchor);

struct CounterOptions {
  Anchor anchor = Anchor::kBottomCenter;
  std::set<std::string> classes;  // class names counted; empty: every class
  std::vector<Zone> zones;
  std::vector<Line> lines;
};

class Counter {
 public:
  explicit Counter(const CounterOptions& options);

  // The objects of the stream's next frame; returns the counts after it.
  const Counts& update(const std::vector<Detection>& objects);
  // Forgets the tracks with these ids (those the tracker ended).
  void forget(const std::vector<int64_t>& track_ids);
  const Counts& counts() const { return counts_; }
  // How many tracks it remembers.
  size_t tracks() const { return tracks_.size(); }

 private:
  // Where a track last was off a line: its side (0 before it ever was) and its point there.
  struct LinePosition {
    int side = 0;
    Point point;
  };
  struct TrackState {
    std::vector<bool> inside;  // by zone, on the track's last frame
    std::vector<LinePosition> lines;
  };
  bool counted(const Detection& object) const;
  void update_zones(Point point, TrackState& track, bool first);
  void update_lines(Point point, TrackState& track);

  Anchor anchor_;
  std::set<std::string> classes_;
  Counts counts_;
  std::unordered_map<int64_t, TrackState> tracks_;  // by track id
};

}  // namespace fp::count
