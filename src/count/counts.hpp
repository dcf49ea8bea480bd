// What a `count` stage counts: its zones and lines, and their totals on a frame of one stream.
// Plain data that travels with each frame to the outputs (counts.jsonl, the annotated video) and
// into the run report.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "count/geometry.hpp"

namespace fp::count {

// A named polygon: how many tracked objects are inside it, and how many came in and went out.
struct Zone {
  std::string name;
  std::vector<Point> polygon;  // at least 3 points
};

// Which crossings of a line count as "in" (geometry.hpp: side_of): from the left of the segment
// from -> to to its right, or from its right to its left.
enum class Direction { kLeftToRight, kRightToLeft };

// A named segment that tracked objects cross, "in" one way and "out" the other.
struct Line {
  std::string name;
  Point from, to;
  Direction in = Direction::kLeftToRight;
};

// The side of `line` (geometry.hpp: side_of) that its "in" crossings go to: +1 or -1.
int in_side(const Line& line);

struct ZoneCount {
  Zone zone;
  int64_t occupancy = 0;  // objects inside on this frame
  int64_t entries = 0;    // outside -> inside, since the stream began
  int64_t exits = 0;      // inside -> outside, since the stream began
};

struct LineCount {
  Line line;
  int64_t in = 0;   // crossings in the `in` direction, since the stream began
  int64_t out = 0;  // crossings the other way
};

// A frame's counts; a frame that went through several count stages has all their zones and lines.
struct Counts {
  std::vector<ZoneCount> zones;
  std::vector<LineCount> lines;

  bool empty() const { return zones.empty() && lines.empty(); }
  // Adds the zones and lines of `other` after these.
  void append(Counts&& other);
};

// {"zones": [{"name", "occupancy", "entries", "exits"}], "lines": [{"name", "in", "out"}]}, the
// counts as counts.jsonl and the run report write them (README "The `count` stage").
nlohmann::ordered_json counts_json(const Counts& counts);

}  // namespace fp::count
