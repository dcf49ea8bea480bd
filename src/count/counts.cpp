#include "count/counts.hpp"

#include <iterator>

namespace fp::count {

int in_side(const Line& line) { return line.in == Direction::kLeftToRight ? 1 : -1; }

void Counts::append(Counts&& other) {
  zones.insert(zones.end(), std::make_move_iterator(other.zones.begin()),
               std::make_move_iterator(other.zones.end()));
  lines.insert(lines.end(), std::make_move_iterator(other.lines.begin()),
               std::make_move_iterator(other.lines.end()));
}

nlohmann::ordered_json counts_json(const Counts& counts) {
  nlohmann::ordered_json zones = nlohmann::ordered_json::array();
  for (const ZoneCount& z : counts.zones) {
    zones.push_back({{"name", z.zone.name},
                     {"occupancy", z.occupancy},
                     {"entries", z.entries},
                     {"exits", z.exits}});
  }
  nlohmann::ordered_json lines = nlohmann::ordered_json::array();
  for (const LineCount& l : counts.lines) {
    lines.push_back({{"name", l.line.name}, {"in", l.in}, {"out", l.out}});
  }
  return {{"zones", std::move(zones)}, {"lines", std::move(lines)}};
}

}  // namespace fp::count
