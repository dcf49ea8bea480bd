#include "io/jsonl_writer.hpp"

#include <gtest/gtest.h>

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
