#include "count/counter.hpp"

namespace fp::count {

Point anchor_point(const Box& box, Anchor anchor) {
  const float x = (box.x1 + box.x2) / 2;
  return {x, anchor == Anchor::kCenter ? (box.y1 + box.y2) / 2 : box.y2};
}

Counter::Counter(const CounterOptions& options)
    : anchor_(options.anchor), classes_(options.classes) {
  for (const Zone& zone : options.zones) counts_.zones.push_back({zone});
  for (const Line& line : options.lines) counts_.lines.push_back({line});
}

bool Counter::counted(const Detection& object) const {
  return object.track_id != 0 && (classes_.empty() || classes_.count(object.label) > 0);
}

const Counts& Counter::update(const std::vector<Detection>& objects) {
  for (ZoneCount& zone : counts_.zones) zone.occupancy = 0;
  for (const Detection& object : objects) {
    if (!counted(object)) continue;
    const Point point = anchor_point(object.box, anchor_);
    const auto [it, first] = tracks_.try_emplace(object.track_id);
    TrackState& track = it->second;
    if (first) {
      track.inside.resize(counts_.zones.size());
      track.lines.resize(counts_.lines.size());
    }
    update_zones(point, track, first);
    update_lines(point, track);
  }
  return counts_;
}

void Counter::update_zones(Point point, TrackState& track, bool first) {
  for (size_t z = 0; z < counts_.zones.size(); ++z) {
    ZoneCount& zone = counts_.zones[z];
    const bool in = inside(zone.zone.polygon, point);
    if (in) ++zone.occupancy;
    if (!first && in != track.inside[z]) ++(in ? zone.entries : zone.exits);
    track.inside[z] = in;
  }
}

void Counter::update_lines(Point point, TrackState& track) {
  for (size_t l = 0; l < counts_.lines.size(); ++l) {
    LineCount& line = counts_.lines[l];
    LinePosition& last = track.lines[l];
    const int side = side_of(line.line.from, line.line.to, point);
    if (side == 0) continue;  // on the line: on neither side yet
    if (last.side != 0 && crosses(last.point, point, line.line.from, line.line.to)) {
      ++(side == in_side(line.line) ? line.in : line.out);
    }
    last = {side, point};
  }
}

void Counter::forget(const std::vector<int64_t>& track_ids) {
  for (int64_t id : track_ids) tracks_.erase(id);
}

}  // namespace fp::count
