// The face harvest end to end on the shared photos and clips: counts, names from a gallery,
// identities, batching, outputs, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "test_support.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kPhotos = (source_dir() / "examples/photos.yaml").string();
const std::string kFaces = (source_dir() / "examples/faces.yaml").string();

void copy_photo(const std::string& name, const fs::path& to_dir) {
  fs::create_directories(to_dir);
  fs::copy_file(media_path("images/" + name), to_dir / name);
}

// A gallery of one photo each of Obama and Biden (MEDIA.md identities A and B).
void make_gallery(const fs::path& dir) {
  copy_photo("obama.jpg", dir / "Obama");
  copy_photo("biden.jpg", dir / "Biden");
}

// MEDIA.md places faces by the left edge of their box.
double left_x(const json& row) { return row["box"][0].get<double>(); }

// The face of `file` whose box starts nearest `x`.
const json* face_near(const std::vector<json>& rows, const std::string& file, double x) {
  const json* best = nullptr;
  for (const json& row : rows) {
    if (fs::path(row["file"].get<std::string>()).filename() != file) continue;
    if (best == nullptr || std::abs(left_x(row) - x) < std::abs(left_x(*best) - x)) best = &row;
  }
  return best;
}

class FacePhotos : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    for (const char* name : {"obama.jpg", "obama2.jpg", "biden.jpg", "two_people.jpg",
                             "obama_and_biden.jpg", "lena.jpg"}) {
      copy_photo(name, *dir_ / "photos");
    }
    make_gallery(*dir_ / "gallery");
    result_ = run_framepipe({"run", kPhotos, (*dir_ / "photos").string(), "--out",
                             (*dir_ / "out").string(), "--gallery", (*dir_ / "gallery").string(),
                             "--no-progress"});
  }
  static void TearDownTestSuite() { delete dir_; }
  fs::path out() const { return *dir_ / "out"; }

  static TempDir* dir_;
  static CommandResult result_;
};
TempDir* FacePhotos::dir_ = nullptr;
CommandResult FacePhotos::result_;

TEST_F(FacePhotos, CountsNamesAndIdentitiesMatchTheReference) {
  ASSERT_EQ(result_.exit_code, 0) << result_.output;
  const std::vector<json> rows = read_jsonl(out() / "faces.jsonl");
  std::map<std::string, int> per_photo;
  for (const json& row : rows) {
    ASSERT_FALSE(row.contains("skipped")) << row;
    ++per_photo[fs::path(row["file"].get<std::string>()).filename().string()];
  }
  // MODELS.md: 1 face in lena, 2 in two_people, 3 in obama_and_biden.
  EXPECT_EQ(per_photo["lena.jpg"], 1);
  EXPECT_EQ(per_photo["two_people.jpg"], 2);
  EXPECT_EQ(per_photo["obama_and_biden.jpg"], 3);
  EXPECT_EQ(per_photo["obama.jpg"], 1);

  // MEDIA.md: who is where.
  const std::vector<std::tuple<std::string, double, std::string>> expected = {
      {"obama.jpg", 0, "Obama"},
      {"obama2.jpg", 0, "Obama"},
      {"two_people.jpg", 239, "Obama"},
      {"obama_and_biden.jpg", 1141, "Obama"},
      {"biden.jpg", 0, "Biden"},
      {"two_people.jpg", 786, "Biden"},
      {"obama_and_biden.jpg", 765, "Biden"},
      {"obama_and_biden.jpg", 1618, ""},
      {"lena.jpg", 0, ""}};
  std::map<std::string, std::set<int>> identities_of;
  std::set<int> others;
  for (const auto& [file, x, person] : expected) {
    const json* face = face_near(rows, file, x);
    ASSERT_NE(face, nullptr) << file;
    if (x > 0) EXPECT_NEAR(left_x(*face), x, 15) << file;
    if (person.empty()) {
      EXPECT_TRUE((*face)["gallery"].is_null()) << file << " " << *face;
      others.insert((*face)["identity"].get<int>());
    } else {
      ASSERT_TRUE((*face)["gallery"].is_object()) << file << " " << x;
      EXPECT_EQ((*face)["gallery"]["person"], person) << file << " " << x;
      identities_of[person].insert((*face)["identity"].get<int>());
    }
    ASSERT_EQ((*face)["embedding"].size(), 128u);
    double norm = 0;
    for (const json& v : (*face)["embedding"]) norm += v.get<double>() * v.get<double>();
    EXPECT_NEAR(norm, 1.0, 1e-4);
  }
  // Every Obama face in one identity and every Biden face in another, with nothing else in either.
  ASSERT_EQ(identities_of["Obama"].size(), 1u);
  ASSERT_EQ(identities_of["Biden"].size(), 1u);
  const int obama = *identities_of["Obama"].begin();
  const int biden = *identities_of["Biden"].begin();
  EXPECT_NE(obama, biden);
  EXPECT_EQ(others.count(obama) + others.count(biden), 0u);

  const json identities = json::parse(read_file(out() / "identities.json"))["identities"];
  std::map<int, json> by_id;
  for (const json& identity : identities) by_id[identity["identity"]] = identity;
  EXPECT_EQ(by_id[obama]["faces"], 4);
  EXPECT_EQ(by_id[biden]["faces"], 3);
  EXPECT_EQ(by_id[obama]["gallery"]["person"], "Obama");
  EXPECT_EQ(by_id[biden]["gallery"]["person"], "Biden");
  EXPECT_TRUE(fs::exists(out() / by_id[obama]["thumbnail"].get<std::string>()));
}

TEST_F(FacePhotos, CropsAreAlignedFacesAndTheReportCountsThem) {
  ASSERT_EQ(result_.exit_code, 0) << result_.output;
  const std::vector<json> rows = read_jsonl(out() / "faces.jsonl");
  ASSERT_FALSE(rows.empty());
  for (const json& row : rows) {
    const cv::Mat crop = cv::imread((out() / row["crop"].get<std::string>()).string());
    ASSERT_FALSE(crop.empty()) << row["crop"];
    EXPECT_EQ(crop.cols, 112);
    EXPECT_EQ(crop.rows, 112);
  }
  const json report = json::parse(read_file(out() / "run.json"));
  const json& faces = report["stages"][1];
  EXPECT_EQ(faces["faces"], rows.size());
  EXPECT_EQ(faces["embedded"], rows.size());
  EXPECT_EQ(faces["gallery"]["photos_by_person"]["Obama"], 1);
  EXPECT_FALSE(fs::exists(out() / ".faces.rows.partial"));
  EXPECT_FALSE(fs::exists(out() / "crops.partial"));
}

TEST(FacePhotosUltraFace, BoxesOnlyFacesAreCroppedAndEmbedded) {
  TempDir dir;
  copy_photo("lena.jpg", dir / "photos");
  copy_photo("two_people.jpg", dir / "photos");
  write_file(dir / "ultra.yaml",
             "name: u\nstages:\n  - detect:\n      model: ultraface_rfb_320\n"
             "  - faces:\n      embedder: mobilefacenet_128d\n");
  const auto r = run_framepipe({"run", (dir / "ultra.yaml").string(), (dir / "photos").string(),
                                "--out", (dir / "out").string(), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<json> rows = read_jsonl(dir / "out" / "faces.jsonl");
  ASSERT_EQ(rows.size(), 3u);  // MODELS.md: lena 1, two_people 2
  for (const json& row : rows) {
    EXPECT_FALSE(row.contains("landmarks")) << row;
    ASSERT_TRUE(row.contains("embedding")) << row;
    EXPECT_EQ(row["embedding"].size(), 128u);
  }
}

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

TEST(FacePhotosBadInput, GalleryProblemsAreReportedAndAnEmptyGalleryIsAnError) {
  TempDir dir;
  copy_photo("lena.jpg", dir / "photos");
  // A gallery with one good person, a person whose only photo has no face, and an unreadable file.
  copy_photo("obama.jpg", dir / "gallery" / "Obama");
  fs::create_directories(dir / "gallery" / "Nobody");
  cv::imwrite((dir / "gallery" / "Nobody" / "grey.png").string(),
              cv::Mat(200, 200, CV_8UC3, cv::Scalar(90, 90, 90)));
  write_file(dir / "gallery" / "Obama" / "broken.jpg", "not a jpeg");
  auto r =
      run_framepipe({"run", kPhotos, (dir / "photos").string(), "--out", (dir / "out").string(),
                     "--gallery", (dir / "gallery").string(), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("broken.jpg: unreadable image"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("grey.png: no face found"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Nobody: no usable photo"), std::string::npos) << r.output;
  const json gallery = json::parse(read_file(dir / "out" / "run.json"))["stages"][1]["gallery"];
  EXPECT_EQ(gallery["photos_by_person"]["Obama"], 1);
  EXPECT_EQ(gallery["photos_by_person"]["Nobody"], 0);
  EXPECT_EQ(gallery["problems"].size(), 3u);

  // Only faceless photos: nothing can be matched, so the run does not start.
  fs::remove_all(dir / "gallery" / "Obama");
  r = run_framepipe({"run", kPhotos, (dir / "photos").string(), "--out", (dir / "out2").string(),
                     "--gallery", (dir / "gallery").string(), "--no-progress"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--gallery: gallery"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no face found in any photo"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out2" / "faces.jsonl"));

  r = run_framepipe({"run", kPhotos, (dir / "photos").string(), "--out", (dir / "out3").string(),
                     "--gallery", (dir / "nowhere").string(), "--no-progress"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("is not a folder"), std::string::npos) << r.output;
}

TEST(FacePhotosBadInput, FacesCutByTheImageBorderAreEmbeddedOrSkippedNeverACrash) {
  TempDir dir;
  // lena's face is at x 209..352: cut the image through it, and keep only a sliver of it.
  const cv::Mat lena = cv::imread(media_path("images/lena.jpg").string());
  fs::create_directories(dir / "photos");
  cv::imwrite((dir / "photos" / "cut_half.png").string(), lena(cv::Rect(280, 0, 232, 512)));
  cv::imwrite((dir / "photos" / "cut_top.png").string(), lena(cv::Rect(0, 300, 512, 212)));
  const auto r = run_framepipe({"run", kPhotos, (dir / "photos").string(), "--out",
                                (dir / "out").string(), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const json& row : read_jsonl(dir / "out" / "faces.jsonl")) {
    EXPECT_TRUE(row.contains("embedding") || row.contains("skipped")) << row;
    EXPECT_GE(row["box"][0].get<double>(), 0);
  }
}

TEST(FacesStageBadInput, BadSettingsNameFileLineColumn) {
  TempDir dir;
  const std::string head = "name: f\nstages:\n  - detect:\n      model: yunet_2023mar\n";
  const std::string tracked = head + "  - track: {}\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + "  - faces:\n      embedder: yolox_nano_416\n",
       "6:17: model 'yolox_nano_416' is a detector, not an embedder"},
      {head + "  - faces:\n      gallery_detector: mobilefacenet_128d\n",
       "is a embedder, not a face detector"},
      {head + "  - faces:\n      identity_threshold: 2\n", "'identity_threshold' must be a cosine"},
      {head + "  - faces:\n      min_face_size: 0\n", "'min_face_size' must be from 1"},
      {head + "  - faces:\n      min_score: -0.5\n", "'min_score' must be from 0 to 1"},
      {head + "  - faces:\n      gallery: /nonexistent/people\n", "is not a folder"},
      // face_select: after `tracked` on line 6, its keys on line 7, the faces stage on line 8.
      {head + "  - face_select: {}\n  - faces: {}\n",
       "bad.yaml:5:18: stage 'face_select' picks faces per track, but no track stage comes before "
       "it"},
      {tracked + "  - face_select:\n      best: -1\n  - faces: {}\n",
       "bad.yaml:7:13: 'best' must be from 0 (no limit) to 1000 faces"},
      {tracked + "  - face_select:\n      best: five\n  - faces: {}\n",
       "bad.yaml:7:13: 'best' in stage 'face_select' must be an integer"},
      {tracked + "  - face_select:\n      every: 0\n  - faces: {}\n",
       "bad.yaml:7:14: 'every' must be from 1 (any frame) to 1000000 frames"},
      {tracked + "  - face_select:\n      max: -2\n  - faces: {}\n",
       "bad.yaml:7:12: 'max' must be from 0 (no limit) to 1000000 faces"},
      {tracked + "  - face_select:\n      max: .nan\n  - faces: {}\n",
       "bad.yaml:7:12: 'max' in stage 'face_select' must be an integer"},
      {tracked + "  - face_select:\n      evry: 3\n  - faces: {}\n",
       "bad.yaml:7:7: unknown key 'evry' in stage 'face_select'"},
      {tracked + "  - face_select:\n      min_sharpness: -1\n  - faces: {}\n",
       "bad.yaml:7:22: 'min_sharpness' must be 0 or more"},
      {tracked + "  - face_select: {}\n  - faces:\n      min_sharpness: 30\n",
       "bad.yaml:8:22: 'min_sharpness' is for the face_select stage before this one, which checks "
       "the faces: set it there"},
  };
  for (const auto& [yaml, message] : cases) {
    write_file(dir / "bad.yaml", yaml);
    const auto r =
        run_framepipe({"run", (dir / "bad.yaml").string(), media_path("images/lena.jpg").string(),
                       "--out", (dir / "out").string(), "--no-progress"});
    EXPECT_EQ(r.exit_code, 2) << yaml << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << yaml << r.output;
  }
}

}  // namespace
}  // namespace fp::test
