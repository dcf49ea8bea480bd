#include "pipeline/frame_traits.hpp"

#include <gtest/gtest.h>

#include "faces/face_attributes.hpp"

namespace fp::pipeline {
namespace {

FrameResult frame_with(std::vector<std::string> labels) {
  FrameResult item;
  for (size_t i = 0; i < labels.size(); ++i) {
    Detection d;
    d.label = labels[i];
    set_attribute(d.attributes, faces::kFaceQuality, 0.5);
    item.detections.push_back(d);
    // One pixel holding the label's letter, to tell which face's crop is which.
    item.aligned_faces.emplace_back(1, 1, CV_8UC1, cv::Scalar(labels[i][0]));
  }
  return item;
}

TEST(FrameTraits, AJoinAppendsABranchsDetectionsAndKeepsEachFaceOnItsOwnDetection) {
  FrameResult into = frame_with({"a", "b"});
  into.timings = {{"decode", 1.0}, {"global.inference", 5.0}};
  FrameResult from = frame_with({"c"});
  from.timings = {{"decode", 1.0}, {"tiles.inference", 9.0}};
  const std::string join = "j", branch = "tiles";
  FrameTraits::merge(into, std::move(from),
                     graph::Merge{join, branch, graph::JoinPolicy::kStrictSync, 0, 0, 2.5});
  ASSERT_EQ(into.detections.size(), 3u);
  ASSERT_EQ(faces::checked_faces(into.detections).size(), 3u);
  ASSERT_EQ(into.aligned_faces.size(), 3u);
  for (size_t i = 0; i < into.aligned_faces.size(); ++i) {
    EXPECT_EQ(into.aligned_faces[i].at<uchar>(0, 0), into.detections[i].label[0]);
  }
  EXPECT_EQ(into.detections[2].label, "c");
  // The decode timing is not counted twice; the branch's own timing and the join's wait are added.
  const std::vector<std::pair<std::string, double>> timings = {
      {"decode", 1.0}, {"global.inference", 5.0}, {"tiles.inference", 9.0}, {"j.wait", 2.5}};
  EXPECT_EQ(into.timings, timings);
}

// A count stage on each branch: the joined frame carries both stages' zones and lines.
TEST(FrameTraits, AJoinKeepsTheCountsOfBothBranches) {
  FrameResult into, from;
  into.counts.lines.push_back({count::Line{"gate", {0, 0}, {9, 0}}, 3, 1});
  from.counts.zones.push_back({count::Zone{"door", {{0, 0}, {9, 0}, {9, 9}}}, 2, 5, 4});
  from.counts.lines.push_back({count::Line{"exit", {0, 5}, {9, 5}}, 0, 7});
  FrameTraits::merge(into, std::move(from),
                     graph::Merge{"j", "b", graph::JoinPolicy::kStrictSync, 0, 0, 0});
  ASSERT_EQ(into.counts.lines.size(), 2u);
  EXPECT_EQ(into.counts.lines[0].line.name, "gate");
  EXPECT_EQ(into.counts.lines[0].in, 3);
  EXPECT_EQ(into.counts.lines[1].line.name, "exit");
  EXPECT_EQ(into.counts.lines[1].out, 7);
  ASSERT_EQ(into.counts.zones.size(), 1u);
  EXPECT_EQ(into.counts.zones[0].zone.name, "door");
  EXPECT_EQ(into.counts.zones[0].entries, 5);
}

// Both branches number their objects from 1: the join shifts the branch's ids (and the parents
// that point at them) past the frame's, so every id stays unique and every parent right.
TEST(FrameTraits, AJoinShiftsABranchsObjectIdsAndParents) {
  FrameResult into = frame_with({"a", "b"});
  number_objects(into.detections);
  FrameResult from = frame_with({"person", "face", "other"});
  number_objects(from.detections);
  from.detections[1].parent = 1;  // the face was found in the person
  FrameTraits::merge(into, std::move(from),
                     graph::Merge{"j", "tiles", graph::JoinPolicy::kStrictSync, 0, 0, 0});
  ASSERT_EQ(into.detections.size(), 5u);
  const std::vector<int64_t> ids = {into.detections[0].id, into.detections[1].id,
                                    into.detections[2].id, into.detections[3].id,
                                    into.detections[4].id};
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(into.detections[3].parent, 3);  // the person, now id 3
  EXPECT_EQ(into.detections[2].parent, 0);
  EXPECT_EQ(into.detections[4].parent, 0);
}

TEST(FrameTraits, NumberingGivesOnlyNewObjectsTheNextIds) {
  std::vector<Detection> objects(4);
  objects[1].id = 7;
  number_objects(objects);
  EXPECT_EQ(objects[0].id, 8);
  EXPECT_EQ(objects[1].id, 7);
  EXPECT_EQ(objects[2].id, 9);
  EXPECT_EQ(objects[3].id, 10);
  EXPECT_EQ(largest_id(objects), 10);
  EXPECT_EQ(largest_id({}), 0);
}

TEST(FrameTraits, AJoinPadsTheAlignedFacesOfTheSideWithoutFaces) {
  FrameResult into;
  into.detections.push_back(Detection{.label = "person"});
  const std::string join = "j", branch = "faces";
  FrameTraits::merge(into, frame_with({"a"}),
                     graph::Merge{join, branch, graph::JoinPolicy::kStrictSync, 0, 0, 0});
  ASSERT_EQ(into.aligned_faces.size(), 2u);
  EXPECT_TRUE(into.aligned_faces[0].empty());
  EXPECT_EQ(into.aligned_faces[1].at<uchar>(0, 0), 'a');
}

TEST(FrameTraits, AsyncOverlayRecordsTheBranchAndItsAge) {
  FrameResult into = frame_with({});
  const std::string join = "j", branch = "tiles";
  FrameTraits::merge(into, frame_with({"x"}),
                     graph::Merge{join, branch, graph::JoinPolicy::kAsyncOverlay, 3, 120.0, 0});
  ASSERT_EQ(into.overlays.size(), 1u);
  EXPECT_EQ(into.overlays[0].branch, "tiles");
  EXPECT_EQ(into.overlays[0].age_frames, 3);
  EXPECT_DOUBLE_EQ(into.overlays[0].age_ms, 120.0);
  EXPECT_EQ(into.detections.size(), 1u);
}

}  // namespace
}  // namespace fp::pipeline
