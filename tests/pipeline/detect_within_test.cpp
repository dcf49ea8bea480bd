// A detector run `within:` the objects of an earlier one (secondary detection): YuNet inside
// YOLOX's persons on the shared photos, against YuNet on the whole photo; ids and parents in
// detections.jsonl; the faces stage after it; bad settings.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* kPhotos[] = {"two_people.jpg", "obama_and_biden.jpg", "coco_000000001000.jpg",
                         "messi5.jpg"};

const std::string kFacesInPersons =
    "stages:\n"
    "  - detect: {model: yolox_nano_416, classes: [person]}\n"
    "  - detect:\n"
    "      model: yunet_2023mar\n"
    "      within: {classes: [person], margin: 0.1}\n";

double iou(const json& a, const json& b) {
  const double ix = std::max(0.0, std::min(a[2].get<double>(), b[2].get<double>()) -
                                      std::max(a[0].get<double>(), b[0].get<double>()));
  const double iy = std::max(0.0, std::min(a[3].get<double>(), b[3].get<double>()) -
                                      std::max(a[1].get<double>(), b[1].get<double>()));
  const auto area = [](const json& r) {
    return (r[2].get<double>() - r[0].get<double>()) * (r[3].get<double>() - r[1].get<double>());
  };
  const double inter = ix * iy;
  return inter / (area(a) + area(b) - inter);
}

bool inside(const json& point_box, const json& box) {  // the centre of one box inside another
  const double cx = (point_box[0].get<double>() + point_box[2].get<double>()) / 2;
  const double cy = (point_box[1].get<double>() + point_box[3].get<double>()) / 2;
  return cx >= box[0].get<double>() && cx <= box[2].get<double>() && cy >= box[1].get<double>() &&
         cy <= box[3].get<double>();
}

// detections.jsonl of `yaml` over the photos, by file name.
std::map<std::string, json> run_photos(const TempDir& dir, const std::string& name,
                                       const std::string& yaml) {
  if (!fs::exists(dir / "photos")) {
    fs::create_directories(dir / "photos");
    for (const char* photo : kPhotos)
      fs::copy_file(media_path(std::string("images/") + photo), dir / "photos" / photo);
  }
  write_file(dir / (name + ".yaml"), "name: " + name + "\n" + yaml);
  const auto r = run_framepipe({"run", (dir / (name + ".yaml")).string(), (dir / "photos").string(),
                                "--out", (dir / name).string(), "--no-progress"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::map<std::string, json> rows;
  for (json& row : read_jsonl(dir / name / "detections.jsonl")) {
    rows[fs::path(row["file"].get<std::string>()).filename()] = row["detections"];
  }
  return rows;
}

TEST(DetectWithin, FindsTheFacesOfThePersonsWithTheirParentsAndLeavesThePersons) {
  TempDir dir;
  const auto persons =
      run_photos(dir, "persons", kFacesInPersons.substr(0, kFacesInPersons.find("  - detect:\n")));
  const auto whole = run_photos(dir, "whole", "stages:\n  - detect: {model: yunet_2023mar}\n");
  const auto within = run_photos(dir, "within", kFacesInPersons);
  ASSERT_EQ(within.size(), std::size(kPhotos));
  int reference = 0, found = 0;
  for (const auto& [file, objects] : within) {
    std::vector<json> kept_persons, faces;
    std::map<int64_t, json> by_id;
    for (const json& o : objects) {
      by_id[o["id"].get<int64_t>()] = o;
      (o["class"] == "person" ? kept_persons : faces).push_back(o);
    }
    EXPECT_EQ(by_id.size(), objects.size()) << file << ": ids are unique within the frame";
    // The persons are those of the persons-only run, numbered first.
    ASSERT_EQ(kept_persons.size(), persons.at(file).size()) << file;
    for (size_t i = 0; i < kept_persons.size(); ++i) {
      EXPECT_EQ(kept_persons[i]["box"], persons.at(file)[i]["box"]) << file;
      EXPECT_EQ(kept_persons[i]["id"], i + 1) << file;
      EXPECT_FALSE(kept_persons[i].contains("parent")) << file;
    }
    // Every face names the person it was found in, and lies in that person's box.
    for (const json& face : faces) {
      EXPECT_EQ(face["class"], "face");
      ASSERT_TRUE(face.contains("parent")) << file << face;
      const json& parent = by_id.at(face["parent"].get<int64_t>());
      EXPECT_EQ(parent["class"], "person") << file;
      EXPECT_TRUE(inside(face["box"], parent["box"])) << file << face << parent;
      EXPECT_EQ(face["landmarks"].size(), 5u) << file;
    }
    // No face kept twice (overlapping persons' crops see the same face).
    for (size_t a = 0; a < faces.size(); ++a) {
      for (size_t b = a + 1; b < faces.size(); ++b) {
        EXPECT_LE(iou(faces[a]["box"], faces[b]["box"]), 0.5) << file;
      }
    }
    // The whole-photo faces that lie in a person are found again, in frame pixels.
    for (const json& face : whole.at(file)) {
      const bool in_a_person =
          std::any_of(kept_persons.begin(), kept_persons.end(),
                      [&](const json& p) { return inside(face["box"], p["box"]); });
      if (!in_a_person) continue;
      ++reference;
      found += std::any_of(faces.begin(), faces.end(),
                           [&](const json& f) { return iou(f["box"], face["box"]) > 0.5; });
    }
  }
  ASSERT_GE(reference, 15);  // two_people 2, obama_and_biden 2+, the children about 12
  EXPECT_GE(found, reference * 9 / 10) << found << " of " << reference;  // 18 of 18 when written
  size_t all_persons = 0;
  for (const auto& [file, objects] : persons) all_persons += objects.size();
  const json report = json::parse(read_file(dir / "within" / "run.json"));
  EXPECT_EQ(report["stages"][1]["regions_searched"], all_persons);
}

TEST(DetectWithin, TheFacesStageTakesOnlyTheFaces) {
  TempDir dir;
  fs::create_directories(dir / "photos");
  fs::copy_file(media_path("images/two_people.jpg"), dir / "photos" / "two_people.jpg");
  write_file(dir / "p.yaml",
             "name: p\n" + kFacesInPersons + "  - faces: {embedder: mobilefacenet_128d}\n");
  const auto r = run_framepipe({"run", (dir / "p.yaml").string(), (dir / "photos").string(),
                                "--out", (dir / "out").string(), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<json> detections = read_jsonl(dir / "out" / "detections.jsonl");
  ASSERT_EQ(detections.size(), 1u);
  int faces = 0;
  for (const json& o : detections[0]["detections"]) faces += o["class"] == "face";
  const std::vector<json> rows = read_jsonl(dir / "out" / "faces.jsonl");
  EXPECT_EQ(rows.size(), static_cast<size_t>(faces));
  EXPECT_EQ(faces, 2);  // MODELS.md: two_people has 2 faces
  for (const json& row : rows) EXPECT_TRUE(row.contains("embedding")) << row;
}

TEST(DetectWithin, BadSettingsNameFileLineColumn) {
  const std::string yunet = "  - detect:\n      model: yunet_2023mar\n";
  const std::string persons = "  - detect: {model: yolox_nano_416}\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"stages:\n" + yunet + "      within: {classes: [person]}\n",
       "p.yaml:5:15: stage 'detect' searches within objects, but no detector comes before it"},
      {"stages:\n" + persons + yunet + "      within: {margin: 0.1}\n",
       "p.yaml:6:7: 'within' needs 'classes': the objects to search in"},
      {"stages:\n" + persons + yunet + "      within: {classes: []}\n",
       "p.yaml:6:25: 'classes' is an empty list"},
      {"stages:\n" + persons + yunet + "      within: {classes: [person], margin: 2}\n",
       "p.yaml:6:43: 'margin' must be from 0 to 1"},
      {"stages:\n" + persons + yunet + "      within: {classes: [person], magrin: 0.1}\n",
       "p.yaml:6:35: unknown key 'magrin'"},
      {"stages:\n" + persons + yunet + "      within: person\n",
       "p.yaml:6:15: within must be a mapping"},
  };
  expect_config_errors(cases);
}

}  // namespace
}  // namespace fp::test
