// FuseStage: merges the boxes that several branches found for the same object into one, after a
// join put them side by side (a global detector and a tiled one, two models): per class name, by
// NMS or NMM with IoU or IoS (BoxMerge). Objects of other classes pass untouched; an object found
// within one that was merged away loses its parent.
//
// YAML (a node after a join):
//   - name: fused
//     input: both             # the join
//     fuse:
//       classes: [person]     # the classes to merge (default: every class)
//       merge: nms            # nms | nmm (default nms)
//       match: ios            # iou | ios (default iou)
//       threshold: 0.5        # overlap above which two boxes are one object (default 0.5)
//
// Stateless; it must come before any faces node (whose crops are indexed like the objects).
// run.json: `merged` (boxes merged away); the stage timing NAME.merge.
#pragma once

#include <atomic>
#include <memory>
#include <set>
#include <string>

#include "pipeline/box_merge.hpp"
#include "pipeline/stage.hpp"

namespace fp::pipeline {

class FuseStage : public Stage {
 public:
  static Result<std::unique_ptr<Stage>> create(const StageContext& context);

  const std::string& name() const override { return name_; }
  Status process(FrameResult& item) override;
  nlohmann::ordered_json report() const override;

 private:
  std::string name_;
  std::set<std::string> classes_;  // empty: all
  BoxMerge merge_;
  std::atomic<int64_t> merged_{0};
};

}  // namespace fp::pipeline
