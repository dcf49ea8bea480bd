// Loading a gallery folder with stand-in models: a photo's face is the whole photo unless it is
// grey, and its embedding is its colour, so each test says what each photo gives.
#include "faces/gallery_loader.hpp"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "test_support.hpp"

namespace fp::faces {
namespace {

namespace fs = std::filesystem;

const cv::Scalar kGrey(90, 90, 90);

// A 64x64 photo of one colour.
void write_photo(const fs::path& path, const cv::Scalar& colour) {
  fs::create_directories(path.parent_path());
  ASSERT_TRUE(cv::imwrite(path.string(), cv::Mat(64, 64, CV_8UC3, colour)));
}

GalleryModels stand_in_models() {
  GalleryModels models;
  models.detect = [](const cv::Mat& image) -> Result<std::vector<Detection>> {
    const cv::Scalar mean = cv::mean(image);
    if (mean == kGrey) return std::vector<Detection>{};
    Detection face;
    face.box = {0, 0, static_cast<float>(image.cols), static_cast<float>(image.rows)};
    return std::vector<Detection>{face};
  };
  models.embed = [](const cv::Mat& aligned) -> Result<Embedding> {
    const cv::Scalar mean = cv::mean(aligned);
    Embedding e{static_cast<float>(mean[0]), static_cast<float>(mean[1]),
                static_cast<float>(mean[2])};
    if (!l2_normalize(e)) e.clear();
    return e;
  };
  return models;
}

TEST(GalleryLoader, EachPersonsPhotosBecomeTheirReferences) {
  test::TempDir dir;
  write_photo(dir / "ada" / "1.png", {255, 0, 0});
  write_photo(dir / "ada" / "2.jpg", {250, 10, 0});
  write_photo(dir / "grace" / "1.png", {0, 0, 255});
  test::write_file(dir / "grace" / "notes.txt", "not a photo");  // ignored
  auto loaded = load_gallery(dir.path(), stand_in_models());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->gallery->people(), (std::vector<std::string>{"ada", "grace"}));
  EXPECT_EQ(loaded->gallery->best_match({0, 0, 1}, 0.9)->person, "grace");
  EXPECT_EQ(loaded->report["photos_by_person"]["ada"], 2);
  EXPECT_EQ(loaded->report["photos_by_person"]["grace"], 1);
  EXPECT_TRUE(loaded->report["problems"].empty());
}

TEST(GalleryLoader, EmptyFolderIsAnError) {
  test::TempDir dir;
  auto loaded = load_gallery(dir.path(), stand_in_models());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message().find("no face found in any photo"), std::string::npos)
      << loaded.error().message();
  loaded = load_gallery(dir / "nowhere", stand_in_models());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message().find("is not a folder"), std::string::npos);
}

TEST(GalleryLoader, PhotosWithoutAUsableFaceAreProblemsNotErrors) {
  test::TempDir dir;
  write_photo(dir / "ada" / "1.png", {255, 0, 0});
  write_photo(dir / "ada" / "grey.png", kGrey);                // no face
  test::write_file(dir / "ada" / "broken.jpg", "not a jpeg");  // unreadable
  write_photo(dir / "nobody" / "black.png", {0, 0, 0});        // a face that embeds to zero
  auto loaded = load_gallery(dir.path(), stand_in_models());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->gallery->people(), (std::vector<std::string>{"ada"}));
  EXPECT_EQ(loaded->report["photos_by_person"]["ada"], 1);
  EXPECT_EQ(loaded->report["photos_by_person"]["nobody"], 0);
  // In folder and name order, each "NAME: problem" starting as expected.
  const std::vector<std::string> expected = {
      "broken.jpg: unreadable image (", "grey.png: no face found", "black.png: zero-norm embedding",
      "nobody: no usable photo: this person cannot be matched"};
  const auto& problems = loaded->report["problems"];
  ASSERT_EQ(problems.size(), expected.size()) << problems;
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string problem =
        fs::path(problems[i]["path"].get<std::string>()).filename().string() + ": " +
        problems[i]["problem"].get<std::string>();
    EXPECT_EQ(problem.rfind(expected[i], 0), 0u) << problem;
  }
}

TEST(GalleryLoader, OnlyFacelessPhotosIsAnError) {
  test::TempDir dir;
  write_photo(dir / "ada" / "grey.png", kGrey);
  auto loaded = load_gallery(dir.path(), stand_in_models());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message().find("no face found in any photo"), std::string::npos);
}

TEST(GalleryLoader, AModelErrorStopsTheLoading) {
  test::TempDir dir;
  write_photo(dir / "ada" / "1.png", {255, 0, 0});
  GalleryModels models = stand_in_models();
  models.embed = [](const cv::Mat&) -> Result<Embedding> { return Error("embedder broke"); };
  auto loaded = load_gallery(dir.path(), models);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message(), "embedder broke");
}

}  // namespace
}  // namespace fp::faces
