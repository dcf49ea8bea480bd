// OutputWriter: sinks on threads of their own, fed in order, failures reported, files listed.
#include "outputs/output_writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace fp::outputs {
namespace {

// Records the frames it gets (stream, index); fails on frame `fail_at`; sleeps `delay` per frame.
class RecordingSink : public Sink {
 public:
  RecordingSink(std::vector<std::pair<int, int64_t>>* seen, int64_t fail_at = -1,
                std::chrono::milliseconds delay = {}, bool metadata = false)
      : seen_(seen), fail_at_(fail_at), delay_(delay), metadata_(metadata) {}
  Status write(const FrameResult& item) override {
    std::this_thread::sleep_for(delay_);
    if (item.frame.index == fail_at_) return Error(ErrorCode::kIo, "disk full");
    seen_->emplace_back(item.frame.stream, item.frame.index);
    return ok_status();
  }
  Status finish() override {
    finished = true;
    return ok_status();
  }
  std::vector<io::PendingFile> files() const override { return {io::PendingFile("out.txt")}; }
  bool takes_metadata() const override { return metadata_; }
  bool finished = false;

 private:
  std::vector<std::pair<int, int64_t>>* seen_;
  int64_t fail_at_;
  std::chrono::milliseconds delay_;
  bool metadata_;
};

std::shared_ptr<const FrameResult> frame(int stream, int64_t index, std::string metadata_of = "") {
  auto item = std::make_shared<FrameResult>();
  item->frame.stream = stream;
  item->frame.index = index;
  item->metadata_of = std::move(metadata_of);
  return item;
}

TEST(OutputWriter, EverySinkGetsEveryFrameInTheOrderGiven) {
  std::vector<std::pair<int, int64_t>> fast, slow;
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::make_unique<RecordingSink>(&fast));
  sinks.push_back(std::make_unique<RecordingSink>(&slow, -1, std::chrono::milliseconds(2)));
  OutputWriter writer(std::move(sinks), 2);
  std::vector<std::pair<int, int64_t>> given;
  for (int64_t i = 0; i < 30; ++i) {
    given.emplace_back(static_cast<int>(i % 2), i);
    ASSERT_TRUE(writer.write(frame(static_cast<int>(i % 2), i)).ok());
  }
  ASSERT_TRUE(writer.finish().ok());
  EXPECT_EQ(fast, given);
  EXPECT_EQ(slow, given);
  EXPECT_EQ(writer.frames_written(), 30);
  EXPECT_EQ(writer.files().size(), 2u);
}

TEST(OutputWriter, MetadataResultsGoOnlyToTheSinksThatTakeThem) {
  std::vector<std::pair<int, int64_t>> rows, video;
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::make_unique<RecordingSink>(&rows, -1, std::chrono::milliseconds(0), true));
  sinks.push_back(std::make_unique<RecordingSink>(&video));
  OutputWriter writer(std::move(sinks), 4);
  ASSERT_TRUE(writer.write(frame(0, 0)).ok());
  ASSERT_TRUE(writer.write(frame(0, 0, "tiles")).ok());
  ASSERT_TRUE(writer.write(frame(0, 1)).ok());
  ASSERT_TRUE(writer.finish().ok());
  EXPECT_EQ(rows.size(), 3u);
  EXPECT_EQ(video.size(), 2u);
  EXPECT_EQ(writer.frames_written(), 2);  // the metadata row is not a frame
}

// A sink that fails stops writing, the others go on until the caller stops, write() reports the
// failure, and every sink is still finished.
TEST(OutputWriter, AFailedSinkIsReportedAndNothingBlocks) {
  std::vector<std::pair<int, int64_t>> failing, healthy;
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::make_unique<RecordingSink>(&failing, 3));
  auto healthy_sink = std::make_unique<RecordingSink>(&healthy);
  RecordingSink* healthy_view = healthy_sink.get();
  sinks.push_back(std::move(healthy_sink));
  OutputWriter writer(std::move(sinks), 1);
  Status reported = ok_status();
  for (int64_t i = 0; i < 1000 && reported.ok(); ++i) reported = writer.write(frame(0, i));
  ASSERT_FALSE(reported.ok());  // seen at a later write, once the sink's thread got there
  EXPECT_EQ(reported.error().message(), "disk full");
  EXPECT_EQ(reported.error().code(), ErrorCode::kIo);
  const Status finished = writer.finish();
  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().message(), "disk full");
  EXPECT_EQ(failing.size(), 3u);  // frames 0..2, then nothing
  EXPECT_TRUE(healthy_view->finished);
  EXPECT_EQ(writer.frames_written(), 3);
}

TEST(OutputWriter, OutputsJsonNamesEachFileByItsFinalOrPartialPath) {
  const std::vector<io::PendingFile> files{io::PendingFile("out/a.jsonl"),
                                           io::PendingFile("out/crops")};
  EXPECT_EQ(outputs_json(files, true).dump(), R"({"a.jsonl":"out/a.jsonl","crops":"out/crops"})");
  EXPECT_EQ(outputs_json(files, false).dump(),
            R"({"a.jsonl":"out/a.jsonl.partial","crops":"out/crops.partial"})");
}

}  // namespace
}  // namespace fp::outputs
