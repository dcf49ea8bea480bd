#include "io/jsonl_writer.hpp"

#include <gtest/gtest.h>

#include "disk_faults.hpp"
#include "test_support.hpp"

namespace fp::io {
namespace {

namespace fs = std::filesystem;

TEST(JsonlWriter, FileAppearsUnderItsNameOnlyAfterCommit) {
  test::TempDir dir;
  auto writer = JsonlWriter::open(dir / "rows.jsonl");
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  ASSERT_TRUE(writer->write({{"frame", 0}}).ok());
  ASSERT_TRUE(writer->write({{"frame", 1}, {"text", "a\nb"}}).ok());
  EXPECT_FALSE(fs::exists(dir / "rows.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "rows.jsonl.partial"));
  ASSERT_TRUE(writer->finish().ok());
  EXPECT_FALSE(fs::exists(dir / "rows.jsonl"));  // finished, not yet committed
  ASSERT_TRUE(writer->file().commit().ok());
  EXPECT_TRUE(fs::exists(dir / "rows.jsonl"));
  EXPECT_FALSE(fs::exists(dir / "rows.jsonl.partial"));
  EXPECT_EQ(test::read_file(dir / "rows.jsonl"),
            "{\"frame\":0}\n{\"frame\":1,\"text\":\"a\\nb\"}\n");
  EXPECT_EQ(writer->rows(), 2);
}

TEST(JsonlWriter, UnwritablePlaceIsAnErrorNamingThePath) {
  test::TempDir dir;
  test::write_file(dir / "file", "x");
  auto writer = JsonlWriter::open(dir / "file" / "rows.jsonl");  // parent is a file
  ASSERT_FALSE(writer.ok());
  EXPECT_NE(writer.error().message().find("rows.jsonl.partial"), std::string::npos);
}

// A disk that fills up part way through a row: the file keeps only its whole rows (issue 10).
TEST(JsonlWriter, FailedWriteLeavesOnlyWholeRows) {
  test::TempDir dir;
  const nlohmann::ordered_json row = {{"pad", std::string(989, 'x')}};  // 1000 bytes with "\n"
  const int rows_written = test::run_with_file_size_limit(4096, [&] {
    auto writer = JsonlWriter::open(dir / "rows.jsonl");
    if (!writer.ok()) return 90;
    for (int i = 0; i < 10; ++i) {
      if (writer->write(row).ok()) continue;
      const bool later_calls_fail = !writer->write(row).ok() && !writer->finish().ok();
      return later_calls_fail ? static_cast<int>(writer->rows()) : 91;
    }
    return 92;  // the limit never hit
  });
  ASSERT_EQ(rows_written, 4);
  const std::string text = test::read_file(dir / "rows.jsonl.partial");
  EXPECT_EQ(text.size(), 4000u);  // the fifth row's first 96 bytes are gone again
  EXPECT_EQ(test::read_jsonl(dir / "rows.jsonl.partial").size(), 4u);
}

TEST(JsonlWriter, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(dump_json({{"file", std::string("caf\xe9.jpg")}}),
            "{\"file\":\"caf\xef\xbf\xbd.jpg\"}");
}

TEST(PendingFile, WriteFileAtomicallyReplacesOldContent) {
  test::TempDir dir;
  ASSERT_TRUE(write_file_atomically(dir / "a.json", "old").ok());
  ASSERT_TRUE(write_file_atomically(dir / "a.json", "new").ok());
  EXPECT_EQ(test::read_file(dir / "a.json"), "new");
  EXPECT_FALSE(fs::exists(dir / "a.json.partial"));
}

TEST(PendingFile, FailedWriteKeepsTheOldFileAndLeavesNoPartial) {
  test::TempDir dir;
  ASSERT_TRUE(write_file_atomically(dir / "a.json", "old").ok());
  const int result = test::run_with_file_size_limit(1024, [&] {
    const Status written = write_file_atomically(dir / "a.json", std::string(10000, 'x'));
    if (written.ok()) return 1;
    return written.error().message().find("a.json.partial: File too large") != std::string::npos
               ? 0
               : 2;
  });
  EXPECT_EQ(result, 0);
  EXPECT_EQ(test::read_file(dir / "a.json"), "old");
  EXPECT_FALSE(fs::exists(dir / "a.json.partial"));
}

TEST(PendingFile, EnsureWritableDirCreatesAndRejects) {
  test::TempDir dir;
  EXPECT_TRUE(ensure_writable_dir(dir / "x" / "y").ok());
  EXPECT_TRUE(fs::is_directory(dir / "x" / "y"));
  test::write_file(dir / "plain", "x");
  const Status under_file = ensure_writable_dir(dir / "plain" / "out");
  ASSERT_FALSE(under_file.ok());
  EXPECT_NE(under_file.error().message().find("plain/out"), std::string::npos);
  EXPECT_FALSE(ensure_writable_dir("/proc/framepipe-out").ok());
}

}  // namespace
}  // namespace fp::io
