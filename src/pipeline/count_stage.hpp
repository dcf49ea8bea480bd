// CountStage: people counting (issue 14). Counts each stream's tracked objects in named zones
// (occupancy, entries, exits) and across named lines (in, out), by the rules of
// count/counter.hpp.
//
// YAML (after a `track` stage; README "Counting"):
//   - count:
//       anchor: bottom_center    # or center: the point of each box that is counted
//       classes: [person]        # only objects of these classes (default: all)
//       zones:
//         - name: door
//           polygon: [[100, 200], [400, 200], [400, 500], [100, 500]]  # pixels, >= 3 points
//       lines:
//         - name: entrance
//           points: [[0, 300], [640, 300]]  # a segment, from -> to
//           in: left_to_right   # or right_to_left: crossings counted "in"; left and right as
//                               # seen on the image from the first point facing the second
//
// Every frame gets the counts after it in FrameResult::counts (counts.jsonl, the annotated video);
// the report gives each stream's totals at its last frame. The stage is stateful (one worker at a
// time, each stream in frame order); a track's state is dropped when the tracker ends it.
#pragma once

#include <map>
#include <memory>

#include "count/counter.hpp"
#include "pipeline/stage.hpp"

namespace fp::pipeline {

class CountStage : public Stage {
 public:
  static Result<std::unique_ptr<Stage>> create(const StageContext& context);

  const std::string& name() const override { return name_; }
  Status process(FrameResult& item) override;
  bool in_order() const override { return true; }
  bool gives_counts() const override { return true; }
  nlohmann::ordered_json report() const override;

 private:
  CountStage() = default;

  std::string name_;
  count::CounterOptions options_;
  std::map<int, count::Counter> counters_;  // by stream
};

}  // namespace fp::pipeline
