// The `attributes` stage (secondary inference) on the shared photos and video, against the
// reference results in ../shared/models/MODELS.md section 5, and its bad configs.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "test_support.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kFaceAttributes = R"(name: face_attributes
stages:
  - detect: {model: yunet_2023mar}
  - attributes: {model: genderage_v1, name: genderage}
  - attributes: {model: emotion_mini_xception, name: emotion}
  - attributes: {model: gender_mini_xception, name: gender_xception, attribute: gender_xception}
  - attributes: {model: pfld_68, name: landmarks}
)";

// Runs `yaml` over `input` into dir/out; the run's detection rows.
std::vector<json> run_rows(const TempDir& dir, const std::string& yaml, const std::string& input,
                           const std::vector<std::string>& extra = {}) {
  write_file(dir / "p.yaml", yaml);
  std::vector<std::string> args{"run",   (dir / "p.yaml").string(), input,
                                "--out", (dir / "out").string(),    "--no-progress"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_framepipe(args);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return read_jsonl(dir / "out" / "detections.jsonl");
}

// Mean distance of PFLD's points to YuNet's 5 (eye centres, nose tip, mouth corners) over the
// distance between the eyes.
double landmark_error(const json& face) {
  const json& pfld = face["attributes"]["landmarks68"];
  const json& yunet = face["landmarks"];
  auto point = [&](int i) { return cv::Point2d(pfld[2 * i], pfld[2 * i + 1]); };
  auto centre = [&](int from) {
    cv::Point2d sum;
    for (int i = from; i < from + 6; ++i) sum += point(i);
    return sum / 6.0;
  };
  // YuNet's order: the subject's right eye, left eye, nose, right and left mouth corner.
  const cv::Point2d pfld5[] = {centre(36), centre(42), point(30), point(48), point(54)};
  double total = 0;
  for (int k = 0; k < 5; ++k) total += cv::norm(pfld5[k] - cv::Point2d(yunet[k][0], yunet[k][1]));
  const double eyes =
      cv::norm(cv::Point2d(yunet[0][0], yunet[0][1]) - cv::Point2d(yunet[1][0], yunet[1][1]));
  return total / 5 / eyes;
}

TEST(Attributes, FaceModelsAgreeWithTheirReferenceResults) {
  TempDir dir;
  fs::create_directories(dir / "photos");
  for (const char* photo : {"obama.jpg", "obama2.jpg", "biden.jpg", "lena.jpg"}) {
    fs::create_symlink(media_path(std::string("images/") + photo), dir / "photos" / photo);
  }
  // MODELS.md: gender and age (InsightFace) and emotion per photo; ages are off by up to about 15
  // years by the model's own account (and the face alignment moves them a few years).
  const std::map<std::string, std::tuple<std::string, double, std::string>> reference = {
      {"obama.jpg", {"male", 64, "happy"}},
      {"obama2.jpg", {"male", 50, ""}},
      {"biden.jpg", {"male", 72, "neutral"}},
      {"lena.jpg", {"female", 29, ""}}};
  const std::vector<json> rows = run_rows(dir, kFaceAttributes, (dir / "photos").string());
  ASSERT_EQ(rows.size(), 4u);
  for (const json& row : rows) {
    const std::string photo = fs::path(row["file"].get<std::string>()).filename();
    ASSERT_EQ(row["detections"].size(), 1u) << row;
    const json& attributes = row["detections"][0]["attributes"];
    const auto& [gender, age, emotion] = reference.at(photo);
    EXPECT_EQ(attributes["gender"]["label"], gender) << photo;
    EXPECT_EQ(attributes["gender_xception"]["label"], gender) << photo;
    EXPECT_NEAR(attributes["age"].get<double>(), age, 15) << photo;
    if (!emotion.empty()) EXPECT_EQ(attributes["emotion"]["label"], emotion) << photo;
    EXPECT_EQ(attributes["landmarks68"].size(), 136u);
    EXPECT_LT(landmark_error(row["detections"][0]), 0.15) << photo;  // MODELS.md: 0.06-0.15
  }
  const json report = json::parse(read_file(dir / "out" / "run.json"));
  const json& genderage = report["stages"][1];
  EXPECT_EQ(genderage["model"], "genderage_v1");
  EXPECT_EQ(genderage["objects"], 4);
  EXPECT_EQ(genderage["inferred"], 4);
}

// Per track: OSNet embeds a person at most twice per track, ten frames apart, on the video.
TEST(Attributes, PerTrackSelectionEmbedsAFewObjectsOfEachTrack) {
  TempDir dir;
  const std::vector<json> rows =
      run_rows(dir, R"(name: reid
stages:
  - detect: {model: yolox_nano_416, classes: [person]}
  - track: {}
  - attributes:
      model: osnet_x0_25_msmt17
      attribute: reid
      min_size: 30
      per_track: {every: 10, max: 2}
)",
               media_path("video/vtest_480x360.avi").string(), {"--end", "4"});
  std::map<int64_t, int> embedded_per_track;
  int64_t objects = 0;
  for (const json& row : rows) {
    for (const json& d : row["detections"]) {
      ++objects;
      if (!d.contains("attributes")) continue;
      const json& reid = d["attributes"]["reid"];
      ASSERT_EQ(reid.size(), 512u);
      double norm = 0;
      for (const json& v : reid) norm += v.get<double>() * v.get<double>();
      EXPECT_NEAR(norm, 1.0, 1e-3);
      ++embedded_per_track[d["track_id"].is_null() ? 0 : d["track_id"].get<int64_t>()];
    }
  }
  int64_t embedded = 0;
  for (const auto& [track, count] : embedded_per_track) {
    if (track != 0) EXPECT_LE(count, 2) << "track " << track;
    embedded += count;
  }
  EXPECT_GT(embedded, 0);
  EXPECT_LT(embedded * 3, objects);  // most objects are not embedded
  const json stage = json::parse(read_file(dir / "out" / "run.json"))["stages"][2];
  EXPECT_EQ(stage["inferred"], embedded);
  EXPECT_GT(stage["skipped"]["not_sampled"].get<int64_t>(), 0) << stage;
  EXPECT_EQ(stage["per_track"]["max"], 2);
}

TEST(Attributes, BadConfigsNameFileLineColumn) {
  const std::string head = "name: p\nstages:\n  - detect: {model: yunet_2023mar}\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + "  - attributes: {model: genderage_v1, per_track: {max: 1}}\n",
       "p.yaml:4:50: 'per_track' needs a track stage before this one"},
      {head + "  - attributes: {model: yolox_nano_416}\n",
       "p.yaml:4:25: model 'yolox_nano_416' is a detector, not an attribute model or an embedder"},
      {head + "  - attributes: {model: genderage_v1, attribute: x}\n",
       "model 'genderage_v1' gives 'age' and 'gender'"},
      {head + "  - attributes: {model: osnet_x0_25_msmt17, attribute: face_embedding}\n",
       "'face_embedding' is a name the faces stage writes: choose another"},
      {head + "  - attributes: {model: genderage_v1, min_size: -1}\n",
       "'min_size' must be 0 or more"},
      {head + "  - attributes: {model: genderage_v1, min_sise: 1}\n", "unknown key 'min_sise'"},
      {"name: p\nstages:\n  - attributes: {model: genderage_v1}\n",
       "p.yaml:3:17: stage 'attributes' runs a model on detected objects, but no detector comes "
       "before it"},
  };
  for (const auto& [yaml, expected] : cases) {
    TempDir dir;
    write_file(dir / "p.yaml", yaml);
    const auto r =
        run_framepipe({"run", (dir / "p.yaml").string(), media_path("images/obama.jpg").string(),
                       "--out", (dir / "out").string()});
    EXPECT_EQ(r.exit_code, 2) << yaml << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << yaml << r.output;
  }
}

}  // namespace
}  // namespace fp::test
