// The face harvest end to end on the shared clips (examples/faces.yaml: detect -> track ->
// face_select -> faces): what the embedder gets, tracks, identities, and bad input.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "test_support.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kFaces = (source_dir() / "examples/faces.yaml").string();

// run.json's entry for the face embedder.
json embedder_report(const fs::path& out) {
  const json report = json::parse(read_file(out / "run.json"));
  for (const json& model : report["models"]) {
    if (model["model"] == "mobilefacenet_128d") return model;
  }
  return json();
}
// run.json's entry for the stage named `name`.
json stage_report(const fs::path& out, const std::string& name) {
  const json report = json::parse(read_file(out / "run.json"));
  for (const json& stage : report["stages"]) {
    if (stage["name"] == name) return stage;
  }
  return json();
}

// Track id -> (identity, the identity's faces), from identities.json.
std::map<int64_t, std::pair<int, int64_t>> identity_of_track(const fs::path& out) {
  std::map<int64_t, std::pair<int, int64_t>> by_track;
  const json identities = json::parse(read_file(out / "identities.json"));
  for (const json& identity : identities["identities"]) {
    for (const json& track : identity["tracks"]) {
      by_track[track["track_id"].get<int64_t>()] = {identity["identity"].get<int>(),
                                                    identity["faces"].get<int64_t>()};
    }
  }
  return by_track;
}

// examples/faces.yaml (detect -> track -> face_select -> faces) on the whole Hamilton clip, and
// the same pipeline with face_select taking every face (`best: 0`): what the pipeline embedded
// before face_select existed (305 faces, 4 identities of 213, 36, 32 and 24 faces).
class FaceVideo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string example = read_file(kFaces);
    const std::string best = "      best: 5 ";
    const size_t at = example.find(best);
    ASSERT_NE(at, std::string::npos) << "examples/faces.yaml no longer says '" << best << "'";
    std::string every_face = example;
    every_face.replace(at, best.size(), "      best: 0 ");
    write_file(*dir_ / "every_face.yaml", every_face);
    const std::string clip = media_path("video/short_hamilton_clip.mp4").string();
    selected_ = run_framepipe(
        {"run", kFaces, clip, "--out", (*dir_ / "selected").string(), "--no-progress"});
    every_ = run_framepipe({"run", (*dir_ / "every_face.yaml").string(), clip, "--out",
                            (*dir_ / "every").string(), "--no-progress"});
  }
  static void TearDownTestSuite() { delete dir_; }

  static fs::path selected() { return *dir_ / "selected"; }
  static fs::path every() { return *dir_ / "every"; }

  static TempDir* dir_;
  static CommandResult selected_, every_;
};
TempDir* FaceVideo::dir_ = nullptr;
CommandResult FaceVideo::selected_;
CommandResult FaceVideo::every_;

// The embedder gets a third of the faces or fewer, exactly those face_select took.
void expect_a_third_of_the_requests(const fs::path& selected, const fs::path& every) {
  const json every_model = embedder_report(every);
  const json selected_model = embedder_report(selected);
  ASSERT_TRUE(selected_model.is_object());
  // 305: the faces the pipeline embedded before face_select (every face that passes the checks).
  EXPECT_EQ(every_model["requests"], 305);
  EXPECT_LE(selected_model["requests"].get<int>(), 305 / 3) << selected_model;
  EXPECT_GT(selected_model["requests"].get<int>(), 0);
  // What was asked of the embedder is what face_select took and the faces stage embedded.
  const json select = stage_report(selected, "face_select");
  EXPECT_EQ(select["taken"], selected_model["requests"]) << select;
  EXPECT_EQ(stage_report(selected, "faces")["embedded"], selected_model["requests"]);
  EXPECT_EQ(select["passed_checks"], every_model["requests"]) << select;
}

// The main faces make the same identities, of as many faces, as when every face is embedded.
void expect_the_same_grouping(const fs::path& selected, const fs::path& every) {
  // The clip's main faces: tracks with at least 10 faces that pass the checks.
  std::map<int64_t, int> good_faces;
  for (const json& row : read_jsonl(every / "faces.jsonl")) {
    if (row.contains("embedding") && !row["track_id"].is_null()) ++good_faces[row["track_id"]];
  }
  std::vector<int64_t> main_tracks;
  for (const auto& [track, count] : good_faces) {
    if (count >= 10) main_tracks.push_back(track);
  }
  ASSERT_GE(main_tracks.size(), 3u);
  const auto reference = identity_of_track(every);
  const auto selected_identities = identity_of_track(selected);
  for (int64_t a : main_tracks) {
    ASSERT_EQ(reference.count(a), 1u) << a;
    ASSERT_EQ(selected_identities.count(a), 1u) << a;
    // Its identity has as many faces, not-sampled faces included.
    EXPECT_EQ(selected_identities.at(a).second, reference.at(a).second) << "track " << a;
    for (int64_t b : main_tracks) {
      EXPECT_EQ(selected_identities.at(a).first == selected_identities.at(b).first,
                reference.at(a).first == reference.at(b).first)
          << "tracks " << a << " and " << b;
    }
  }
  const json identities = json::parse(read_file(selected / "identities.json"))["identities"];
  EXPECT_EQ(identities.size(),
            json::parse(read_file(every / "identities.json"))["identities"].size());
}

// Faces not sampled are the other faces that pass the checks, with their quality and identity.
void expect_not_sampled_faces_in_their_identity(const fs::path& selected, const fs::path& every) {
  const std::vector<json> rows = read_jsonl(selected / "faces.jsonl");
  const std::vector<json> every_rows = read_jsonl(every / "faces.jsonl");
  ASSERT_EQ(rows.size(), every_rows.size());
  const auto identities = identity_of_track(selected);
  int not_sampled = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& row = rows[i];
    // The same faces, checked alike: only faces the other run embedded are not sampled here.
    EXPECT_EQ(row["box"], every_rows[i]["box"]);
    if (row.value("skipped", "") != "not_sampled") {
      EXPECT_EQ(row.value("skipped", ""), every_rows[i].value("skipped", "")) << row;
      continue;
    }
    ++not_sampled;
    EXPECT_TRUE(every_rows[i].contains("embedding")) << every_rows[i];
    ASSERT_FALSE(row["track_id"].is_null()) << row;  // faces without a track are all embedded
    EXPECT_FALSE(row.contains("embedding")) << row;
    EXPECT_FALSE(row.contains("crop")) << row;
    EXPECT_EQ(row["quality"], every_rows[i]["quality"]) << row;
    EXPECT_EQ(row["identity"], identities.at(row["track_id"].get<int64_t>()).first) << row;
  }
  EXPECT_GE(not_sampled, 305 - 305 / 3);
}

TEST_F(FaceVideo, HamiltonFacesAreBatchedTrackedAndGroupedIntoFewIdentities) {
  ASSERT_EQ(every_.exit_code, 0) << every_.output;
  ASSERT_EQ(selected_.exit_code, 0) << selected_.output;
  const std::set<std::string> reasons = {
      "bad_source_frame", "invalid_bbox",        "too_small",  "blurry",
      "low_confidence",   "zero_norm_embedding", "not_sampled"};
  for (const fs::path& out : {every(), selected()}) {
    const std::vector<json> rows = read_jsonl(out / "faces.jsonl");
    int embedded = 0;
    std::set<int64_t> tracks;
    for (const json& row : rows) {
      ASSERT_TRUE(row.contains("track_id")) << row;
      if (row.contains("skipped")) {
        EXPECT_EQ(reasons.count(row["skipped"].get<std::string>()), 1u) << row;
        EXPECT_FALSE(row.contains("embedding"));
        continue;
      }
      ++embedded;
      EXPECT_EQ(row["embedding"].size(), 128u);
      if (!row["track_id"].is_null()) tracks.insert(row["track_id"].get<int64_t>());
    }
    const json faces = stage_report(out, "faces");
    EXPECT_EQ(faces["embedded"], embedded) << out;
    // The 2-3 people of the clip: a few identities, not one per track.
    const json identities = json::parse(read_file(out / "identities.json"))["identities"];
    EXPECT_GE(tracks.size(), 3u) << out;
    EXPECT_LE(identities.size(), 6u) << out;
    EXPECT_LT(identities.size(), tracks.size()) << out;
    for (const json& identity : identities) {
      if (identity["tracks"].empty()) continue;
      EXPECT_TRUE(fs::exists(out / identity["thumbnail"].get<std::string>())) << identity;
    }
    if (out == every()) {
      EXPECT_GT(embedded, 100);
      // Batched: at least two faces per embedder call on average.
      EXPECT_LE(2 * faces["embedder_invocations"].get<int>(), embedded) << faces;
    }
  }
}

TEST_F(FaceVideo, FaceSelectEmbedsAThirdOfTheFacesAndGroupsTheMainOnesLikeEmbeddingEveryFace) {
  ASSERT_EQ(every_.exit_code, 0) << every_.output;
  ASSERT_EQ(selected_.exit_code, 0) << selected_.output;
  {
    SCOPED_TRACE("requests");
    expect_a_third_of_the_requests(selected(), every());
  }
  {
    SCOPED_TRACE("grouping");
    expect_the_same_grouping(selected(), every());
  }
  {
    SCOPED_TRACE("not_sampled rows");
    expect_not_sampled_faces_in_their_identity(selected(), every());
  }
}

TEST(FaceVideoDetectEvery, PredictedBoxesOfSkippedFramesAreNotFaces) {
  // With the detector on every 3rd frame, the tracker puts predicted boxes (no landmarks) on the
  // others, before face_select and faces: those are not faces to check or embed.
  TempDir dir;
  std::string yaml = read_file(kFaces);
  const std::string nms = "      nms: 0.3\n";
  const size_t at = yaml.find(nms);
  ASSERT_NE(at, std::string::npos);
  yaml.insert(at + nms.size(), "      detect_every: 3\n");
  write_file(dir / "every3.yaml", yaml);
  const auto r = run_framepipe({"run", (dir / "every3.yaml").string(),
                                media_path("video/short_hamilton_clip.mp4").string(), "--out",
                                (dir / "out").string(), "--end", "3", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::set<int64_t> detected_frames;
  int predicted = 0;
  for (const json& row : read_jsonl(dir / "out" / "detections.jsonl")) {
    for (const json& d : row["detections"]) {
      if (d.value("predicted", false)) {
        ++predicted;
      } else {
        detected_frames.insert(row["frame"].get<int64_t>());
      }
    }
  }
  EXPECT_GT(predicted, 0);
  const std::vector<json> rows = read_jsonl(dir / "out" / "faces.jsonl");
  ASSERT_FALSE(rows.empty());
  for (const json& row : rows) {
    EXPECT_EQ(row["frame"].get<int64_t>() % 3, 0) << row;
    EXPECT_EQ(detected_frames.count(row["frame"].get<int64_t>()), 1u) << row;
    EXPECT_TRUE(row.contains("landmarks")) << row;
  }
}

TEST(FaceVideoBadInput, AVideoWithoutFacesGivesCompleteEmptyOutputs) {
  TempDir dir;
  const fs::path video = dir / "black.mp4";
  const auto made = run_program({"ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                                 "color=black:size=320x240:duration=1:rate=10", "-c:v", "libx264",
                                 "-pix_fmt", "yuv420p", video.string()});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const auto r = run_framepipe(
      {"run", kFaces, video.string(), "--out", (dir / "out").string(), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(read_jsonl(dir / "out" / "faces.jsonl").empty());
  EXPECT_TRUE(json::parse(read_file(dir / "out" / "identities.json"))["identities"].empty());
  EXPECT_EQ(read_jsonl(dir / "out" / "detections.jsonl").size(), 10u);
}

}  // namespace
}  // namespace fp::test
