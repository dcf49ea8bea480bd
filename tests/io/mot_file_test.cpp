#include "io/mot_file.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "test_support.hpp"

namespace fp::io {
namespace {

using test::TempDir;

// Whether `text` holds `part`, showing both when it does not.
::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

class MotFileReading : public ::testing::Test {
 protected:
  // Writes `content` to a file and reads it with `options`.
  Result<MotFile> read(const std::string& content, const MotReadOptions& options = {}) {
    test::write_file(path_, content);
    return read_mot_file(path_, options);
  }

  // The error of reading `content`, which must fail.
  std::string error_of(const std::string& content, const MotReadOptions& options = {}) {
    Result<MotFile> file = read(content, options);
    EXPECT_FALSE(file.ok()) << "expected an error reading:\n" << content;
    return file.ok() ? std::string() : file.error().message();
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_ / "boxes.txt";
};

TEST_F(MotFileReading, ReadsFieldsAndDefaultsConfToOne) {
  auto file = read("1,3,10.5,20,30,40,0.9,-1,-1,-1\n2,4,1,2,3,4\n");
  ASSERT_TRUE(file.ok()) << file.error().message();
  ASSERT_EQ(file->rows.size(), 2u);
  const MotRow& first = file->rows[0];
  EXPECT_EQ(first.frame, 1);
  EXPECT_EQ(first.id, 3);
  EXPECT_DOUBLE_EQ(first.x, 10.5);
  EXPECT_DOUBLE_EQ(first.y, 20);
  EXPECT_DOUBLE_EQ(first.w, 30);
  EXPECT_DOUBLE_EQ(first.h, 40);
  EXPECT_DOUBLE_EQ(first.conf, 0.9);
  EXPECT_DOUBLE_EQ(file->rows[1].conf, 1.0);
  EXPECT_FALSE(file->unsorted);
  EXPECT_TRUE(mot_read_notes(path_, *file).empty());
}

TEST_F(MotFileReading, MalformedLineNamesFileAndLineNumber) {
  const std::string error = error_of("1,1,0,0,10,10,1\n\n1,2,abc,0,10,10,1\n");
  // The blank line still counts: the bad line is the third.
  EXPECT_TRUE(contains(error, path_.string() + ":3:"));
  EXPECT_TRUE(contains(error, "'abc' is not a number"));
}

TEST_F(MotFileReading, TooFewFieldsIsAnError) {
  EXPECT_TRUE(contains(error_of("1,1,0,0,10\n"), "at least 6"));
}

TEST_F(MotFileReading, NonNumericFieldsAreErrors) {
  EXPECT_TRUE(contains(error_of("one,1,0,0,10,10\n"), "'one' is not a number"));
  EXPECT_TRUE(contains(error_of("1,1,0,0,10,10,high\n"), "conf"));
  EXPECT_TRUE(contains(error_of("1,1,0,0,,10\n"), "is not a number"));
}

TEST_F(MotFileReading, NonFiniteNumbersAreErrors) {
  EXPECT_TRUE(contains(error_of("1,1,nan,0,10,10\n"), "not a finite number"));
  EXPECT_TRUE(contains(error_of("1,1,0,0,inf,10\n"), "not a finite number"));
  EXPECT_TRUE(contains(error_of("1,1,0,0,10,10,-inf\n"), "not a finite number"));
}

// Issue 10 (fuzzing): x = 1e96 was accepted and became an infinite float box. The exact input the
// fuzzer found is tests/fuzz/regressions/mot_file/issue10-box-beyond-float-range.bin.
TEST_F(MotFileReading, Issue10_CoordinateBeyondFloatRangeIsAnError) {
  EXPECT_TRUE(contains(error_of("1,3,1e96,733,122,388\n"), ":1: x '1e96' is out of range"));
  EXPECT_TRUE(contains(error_of("1,3,0,0,10,1e39\n"), "h '1e39' is out of range"));
  // The largest accepted values still make a finite float box.
  auto file = read("1,3,-1e9,1e9,1e9,1e9\n");
  ASSERT_TRUE(file.ok()) << file.error().message();
  const Box box = file->rows[0].box();
  EXPECT_TRUE(std::isfinite(box.x1) && std::isfinite(box.y2) && std::isfinite(box.area()));
}

TEST_F(MotFileReading, FrameBelowOneIsAnError) {
  EXPECT_TRUE(contains(error_of("0,1,0,0,10,10\n"), "1-based"));
  EXPECT_TRUE(contains(error_of("-3,1,0,0,10,10\n"), "below 1"));
}

TEST_F(MotFileReading, FractionalFrameOrIdIsAnError) {
  EXPECT_TRUE(contains(error_of("1.5,1,0,0,10,10\n"), "frame '1.5' is not a whole number"));
  EXPECT_TRUE(contains(error_of("1,2.25,0,0,10,10\n"), "id '2.25' is not a whole number"));
  // A whole number written with a decimal point is fine (some tools write `1.0`).
  auto file = read("2.0,7.0,0,0,10,10\n");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->rows[0].frame, 2);
  EXPECT_EQ(file->rows[0].id, 7);
}

TEST_F(MotFileReading, EmptyFileIsAnErrorUnlessAllowed) {
  EXPECT_TRUE(contains(error_of(""), "no usable rows"));
  EXPECT_TRUE(contains(error_of("\n  \n"), "no usable rows"));
  auto file = read("", {.allow_empty = true});
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_TRUE(file->rows.empty());
}

TEST_F(MotFileReading, MissingFileIsAnError) {
  auto file = read_mot_file(dir_ / "nowhere.txt", {.allow_empty = true});
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(contains(file.error().message(), "nowhere.txt"));
}

TEST_F(MotFileReading, UnsortedFramesAreSortedStablyAndFlagged) {
  auto file = read("3,1,0,0,10,10\n1,5,0,0,10,10\n3,2,0,0,10,10\n1,4,0,0,10,10\n2,1,0,0,10,10\n");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_TRUE(file->unsorted);
  std::vector<std::pair<int64_t, int64_t>> order;
  for (const MotRow& row : file->rows) order.emplace_back(row.frame, row.id);
  const std::vector<std::pair<int64_t, int64_t>> expected = {
      {1, 5}, {1, 4}, {2, 1}, {3, 1}, {3, 2}};
  EXPECT_EQ(order, expected);
  const auto notes = mot_read_notes(path_, *file);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(contains(notes[0], "sorted by frame"));
}

TEST_F(MotFileReading, EmptyBoxesAreSkippedAndCountedWithTheFirstLine) {
  auto file = read("1,1,0,0,10,10\n1,2,0,0,0,10\n2,1,0,0,10,-4\n2,2,0,0,10,10\n");
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->rows.size(), 2u);
  EXPECT_EQ(file->skipped_boxes, 2);
  EXPECT_EQ(file->first_skipped_line, 2);
  const auto notes = mot_read_notes(path_, *file);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(contains(notes[0], "skipped 2 row(s)"));
  EXPECT_TRUE(contains(notes[0], "line 2"));
}

TEST_F(MotFileReading, OnlyEmptyBoxesIsAnEmptyFile) {
  EXPECT_TRUE(contains(error_of("1,1,0,0,0,0\n"), "no usable rows"));
}

TEST_F(MotFileReading, ZeroConfRowsAreLeftOutOnlyWithSkipZeroConf) {
  const std::string content = "1,1,0,0,10,10,0\n1,2,0,0,10,10,1\n2,1,0,0,10,10,0.0\n";
  auto gt = read(content, {.skip_zero_conf = true});
  ASSERT_TRUE(gt.ok()) << gt.error().message();
  ASSERT_EQ(gt->rows.size(), 1u);
  EXPECT_EQ(gt->rows[0].id, 2);
  EXPECT_EQ(gt->skipped_ignored, 2);
  const auto notes = mot_read_notes(path_, *gt);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(contains(notes[0], "conf 0"));

  auto result = read(content);
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->skipped_ignored, 0);
}

TEST_F(MotFileReading, DuplicateIdInOneFrameIsAnErrorWithUniqueIds) {
  // Id 2 twice in frame 4, with another row between them and the file out of order.
  const std::string content = "4,2,0,0,10,10\n1,2,0,0,10,10\n4,3,0,0,10,10\n4,2,5,5,10,10\n";
  const std::string error = error_of(content, {.unique_ids = true});
  EXPECT_TRUE(contains(error, "id 2 appears twice in frame 4"));
  EXPECT_TRUE(contains(error, path_.string()));
  EXPECT_TRUE(read(content).ok());
  // The same id in different frames is what a track is.
  EXPECT_TRUE(read("1,2,0,0,10,10\n2,2,0,0,10,10\n", {.unique_ids = true}).ok());
}

TEST_F(MotFileReading, WhitespaceSeparatedLinesAndBlankLinesAreRead) {
  auto file = read("\n1 1 0 0 10 10 0.5\r\n\t\n2\t3  4 5 6 7\n   \n1, 2, 1, 1, 3, 3, 1\r\n");
  ASSERT_TRUE(file.ok()) << file.error().message();
  ASSERT_EQ(file->rows.size(), 3u);
  EXPECT_DOUBLE_EQ(file->rows[0].conf, 0.5);
  EXPECT_EQ(file->rows[1].id, 2);
  EXPECT_DOUBLE_EQ(file->rows[1].w, 3);
  EXPECT_EQ(file->rows[2].frame, 2);
  EXPECT_DOUBLE_EQ(file->rows[2].h, 7);
}

TEST_F(MotFileReading, ReadsTheSharedGroundTruth) {
  auto file = read_mot_file(test::media_path("mot/TUD-Campus/gt.txt"),
                            {.skip_zero_conf = true, .unique_ids = true});
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->rows.size(), 359u);
  EXPECT_EQ(file->rows.back().frame, 71);
}

TEST(MotLine, WritesTenMotChallengeFields) {
  EXPECT_EQ(mot_line(3, 7, Box{1, 2, 11, 22}, 0.5), "3,7,1.00,2.00,10.00,20.00,0.5,-1,-1,-1");
}

}  // namespace
}  // namespace fp::io
