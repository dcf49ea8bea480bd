// People counting on one stream (count/counter.hpp): tracks walked by hand across lines and
// through zones, each expected count worked out from the walk.
#include "count/counter.hpp"

#include <gtest/gtest.h>

namespace fp::count {
namespace {

// A person of track `track` standing at (x, y): a 20x40 box whose bottom middle is there.
Detection person(int64_t track, float x, float y, const std::string& label = "person") {
  Detection d;
  d.box = Box{x - 10, y - 40, x + 10, y};
  d.label = label;
  d.track_id = track;
  return d;
}

// y = 100 from x = 0 to 200, pointing right: its left is above (y < 100), its right below.
CounterOptions across(Direction in = Direction::kLeftToRight) {
  CounterOptions options;
  options.lines.push_back({"gate", {0, 100}, {200, 100}, in});
  return options;
}

// The (in, out) totals of the only line after walking track 1 through the points, one per frame.
std::pair<int64_t, int64_t> walk(const CounterOptions& options, const std::vector<Point>& points) {
  Counter counter(options);
  for (const Point& p : points) counter.update({person(1, p.x, p.y)});
  const LineCount& line = counter.counts().lines.at(0);
  return {line.in, line.out};
}

using InOut = std::pair<int64_t, int64_t>;

TEST(Counter, TrackWalkingAcrossALineCountsOnce) {
  Counter counter(across());
  const std::vector<float> ys = {40, 70, 95, 120, 160, 200};
  const std::vector<int64_t> in_after = {0, 0, 0, 1, 1, 1};
  for (size_t i = 0; i < ys.size(); ++i) {
    const Counts& counts = counter.update({person(1, 100, ys[i])});
    EXPECT_EQ(counts.lines[0].in, in_after[i]) << "after y = " << ys[i];
    EXPECT_EQ(counts.lines[0].out, 0);
  }
  EXPECT_EQ(counter.counts().lines[0].line.name, "gate");
}

TEST(Counter, BackAndForthCountsEveryCrossing) {
  EXPECT_EQ(walk(across(), {{100, 50}, {100, 150}, {100, 50}, {100, 150}, {100, 50}}),
            (InOut{2, 2}));
  EXPECT_EQ(walk(across(), {{100, 150}, {100, 50}, {100, 150}}), (InOut{1, 1}));
}

TEST(Counter, DirectionRightToLeftCountsTheOtherWayIn) {
  const CounterOptions upward = across(Direction::kRightToLeft);
  EXPECT_EQ(walk(upward, {{100, 50}, {100, 150}}), (InOut{0, 1}));
  EXPECT_EQ(walk(upward, {{100, 150}, {100, 50}}), (InOut{1, 0}));
}

TEST(Counter, VerticalLineCountsByTheSidesFacingAlongIt) {
  // x = 100 from y = 0 down to y = 200: facing down, the right hand points to smaller x.
  CounterOptions options;
  options.lines.push_back({"door", {100, 0}, {100, 200}, Direction::kLeftToRight});
  EXPECT_EQ(walk(options, {{150, 120}, {50, 120}}), (InOut{1, 0}));
  EXPECT_EQ(walk(options, {{50, 120}, {150, 120}}), (InOut{0, 1}));
}

TEST(Counter, MotionAlongOrParallelToALineCountsNothing) {
  EXPECT_EQ(walk(across(), {{0, 50}, {100, 50}, {200, 50}, {300, 50}}), (InOut{0, 0}));
  EXPECT_EQ(walk(across(), {{0, 100}, {100, 100}, {200, 100}}), (InOut{0, 0}));
}

TEST(Counter, CrossingTheLinesExtensionCountsNothing) {
  EXPECT_EQ(walk(across(), {{300, 50}, {300, 150}, {260, 50}}), (InOut{0, 0}));
  // Slanting past the end: meets y = 100 at x = 230.
  EXPECT_EQ(walk(across(), {{250, 50}, {210, 150}}), (InOut{0, 0}));
  // Exactly through the end counts.
  EXPECT_EQ(walk(across(), {{200, 50}, {200, 150}}), (InOut{1, 0}));
}

TEST(Counter, TouchingTheLineCountsOnlyWhenTheTrackGoesOn) {
  EXPECT_EQ(walk(across(), {{100, 50}, {100, 100}, {100, 50}}), (InOut{0, 0}));
  EXPECT_EQ(walk(across(), {{100, 50}, {100, 100}, {100, 100}, {100, 150}}), (InOut{1, 0}));
  // First seen on the line: no side to come from, so reaching one counts nothing.
  EXPECT_EQ(walk(across(), {{100, 100}, {100, 150}, {100, 50}}), (InOut{0, 1}));
}

TEST(Counter, CrossingIsBetweenSightingsOfTheTrackNotFrames) {
  Counter counter(across());
  counter.update({person(1, 100, 50)});
  counter.update({});  // not seen (occluded)
  counter.update({person(2, 30, 150)});
  counter.update({person(1, 100, 150), person(2, 30, 150)});
  EXPECT_EQ(counter.counts().lines[0].in, 1);
  EXPECT_EQ(counter.counts().lines[0].out, 0);
}

TEST(Counter, AnchorChoosesThePointOfTheBoxThatCounts) {
  // Box bottoms go from y = 90 to 110 (across the line); centres from 70 to 90 (not across).
  for (const Anchor anchor : {Anchor::kBottomCenter, Anchor::kCenter}) {
    CounterOptions options = across();
    options.anchor = anchor;
    EXPECT_EQ(walk(options, {{100, 90}, {100, 110}}),
              (anchor == Anchor::kBottomCenter ? InOut{1, 0} : InOut{0, 0}));
  }
  EXPECT_EQ(anchor_point(Box{10, 20, 30, 60}, Anchor::kBottomCenter), Point(20, 60));
  EXPECT_EQ(anchor_point(Box{10, 20, 30, 60}, Anchor::kCenter), Point(20, 40));
}

CounterOptions square_zone() {
  CounterOptions options;
  options.zones.push_back({"square", {{0, 0}, {100, 0}, {100, 100}, {0, 100}}});
  return options;
}

TEST(Counter, ZoneCountsOccupancyEntriesAndExits) {
  Counter counter(square_zone());
  struct Step {
    std::vector<Detection> objects;
    int64_t occupancy, entries, exits;
  };
  const std::vector<Step> steps = {
      {{person(1, 150, 50), person(2, 50, 50)}, 1, 0, 0},   // 2 appears inside: no entry
      {{person(1, 60, 50), person(2, 50, 60)}, 2, 1, 0},    // 1 comes in
      {{person(1, 40, 50), person(2, 50, 150)}, 1, 1, 1},   // 2 goes out
      {{person(1, 100, 50), person(2, 50, 160)}, 1, 1, 1},  // 1 on the outline: still inside
      {{person(1, 120, 50), person(3, 50, 150)}, 0, 1, 2},  // 1 goes out; 3 appears outside
      {{person(1, 90, 90), person(3, 50, 90)}, 2, 3, 2},    // both come in
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    const ZoneCount& zone = counter.update(steps[i].objects).zones.at(0);
    EXPECT_EQ(zone.occupancy, steps[i].occupancy) << "frame " << i;
    EXPECT_EQ(zone.entries, steps[i].entries) << "frame " << i;
    EXPECT_EQ(zone.exits, steps[i].exits) << "frame " << i;
  }
}

TEST(Counter, UntrackedObjectsAndOtherClassesAreNotCounted) {
  CounterOptions options = square_zone();
  options.lines = across().lines;
  options.classes = {"person"};
  Counter counter(options);
  counter.update({person(0, 50, 50), person(1, 50, 50, "car"), person(2, 150, 150)});
  const Counts& counts =
      counter.update({person(0, 50, 150), person(1, 50, 150, "car"), person(2, 50, 50)});
  EXPECT_EQ(counts.zones[0].occupancy, 1);  // track 2 only
  EXPECT_EQ(counts.zones[0].entries, 1);
  EXPECT_EQ(counts.zones[0].exits, 0);
  EXPECT_EQ(counts.lines[0].in, 0);
  EXPECT_EQ(counts.lines[0].out, 1);  // track 2, upwards
  EXPECT_EQ(counter.tracks(), 1u);

  // Without `classes`, every class counts.
  options.classes.clear();
  Counter all(options);
  all.update({person(1, 50, 50, "car")});
  EXPECT_EQ(all.update({person(1, 50, 150, "car")}).lines[0].in, 1);
}

TEST(Counter, EndedTracksAreForgotten) {
  CounterOptions options = square_zone();
  options.lines = across().lines;
  Counter counter(options);
  for (int64_t id = 1; id <= 50; ++id) {
    counter.update({person(id, 50, 50)});
    counter.forget({id});
  }
  EXPECT_EQ(counter.tracks(), 0u);
  // Track 1 back below the line and out of the zone is a new track: nothing to cross from.
  const Counts& counts = counter.update({person(1, 50, 150)});
  EXPECT_EQ(counts.lines[0].in, 0);
  EXPECT_EQ(counts.zones[0].exits, 0);
  EXPECT_EQ(counts.zones[0].occupancy, 0);
  EXPECT_EQ(counter.tracks(), 1u);
  counter.forget({7, 8});  // ids it does not know
  EXPECT_EQ(counter.tracks(), 1u);
}

TEST(Counter, CountsAsJson) {
  CounterOptions options = square_zone();
  options.lines = across().lines;
  Counter counter(options);
  counter.update({person(1, 50, 50)});
  counter.update({person(1, 50, 150)});
  EXPECT_EQ(counts_json(counter.counts()).dump(),
            R"({"zones":[{"name":"square","occupancy":0,"entries":0,"exits":1}],)"
            R"("lines":[{"name":"gate","in":1,"out":0}]})");
}

}  // namespace
}  // namespace fp::count
