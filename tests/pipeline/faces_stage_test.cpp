// The face harvest end to end on the shared photos: counts, names from a gallery, identities,
// outputs, and bad input (the clips: face_video_test.cpp).
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

// faces, identities, crops and thumbs are outputs of their own: only those listed are written, each
// as the default run writes it (faces.jsonl without crops names none).
TEST(FaceOutputs, EachFaceOutputIsChosenByName) {
  TempDir dir;
  copy_photo("two_people.jpg", dir / "photos");
  copy_photo("obama_and_biden.jpg", dir / "photos");
  const std::string pipeline = read_file(kPhotos);
  auto run = [&](const std::string& name, const std::string& outputs) {
    write_file(dir / (name + ".yaml"), pipeline + outputs);
    return run_framepipe({"run", (dir / (name + ".yaml")).string(), (dir / "photos").string(),
                          "--out", (dir / name).string(), "--no-progress"});
  };
  const auto all = run("all", "");
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_EQ(files_in(dir / "all"),
            (std::set<std::string>{"detections.jsonl", "faces.jsonl", "identities.json", "crops",
                                   "thumbs", "run.json"}));

  const auto grouped = run("grouped", "outputs: [identities, thumbs]\n");
  ASSERT_EQ(grouped.exit_code, 0) << grouped.output;
  EXPECT_EQ(files_in(dir / "grouped"),
            (std::set<std::string>{"identities.json", "thumbs", "run.json"}));
  EXPECT_EQ(read_file(dir / "grouped" / "identities.json"),
            read_file(dir / "all" / "identities.json"));
  EXPECT_EQ(files_in(dir / "grouped" / "thumbs"), files_in(dir / "all" / "thumbs"));

  const auto rows_only = run("rows", "outputs: [faces]\n");
  ASSERT_EQ(rows_only.exit_code, 0) << rows_only.output;
  EXPECT_EQ(files_in(dir / "rows"), (std::set<std::string>{"faces.jsonl", "run.json"}));
  std::vector<json> expected = read_jsonl(dir / "all" / "faces.jsonl");
  ASSERT_FALSE(expected.empty());
  for (json& row : expected) row.erase("crop");
  EXPECT_EQ(read_jsonl(dir / "rows" / "faces.jsonl"), expected);

  std::string no_crops = pipeline;
  no_crops.replace(no_crops.find("crops: true"), 11, "crops: false");
  write_file(dir / "bad.yaml", no_crops + "outputs: [faces, crops]\n");
  const auto bad = run_framepipe({"run", (dir / "bad.yaml").string(), (dir / "photos").string(),
                                  "--out", (dir / "bad").string(), "--no-progress"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("bad.yaml:"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find(": output 'crops' is turned off by the faces stage's 'crops: false'"),
            std::string::npos)
      << bad.output;
  EXPECT_FALSE(fs::exists(dir / "bad" / "faces.jsonl"));
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
