// io::OutputSet: a set of staged outputs committed in one journalled step, and finished by
// recover() when the process died between the journal and the renames.
#include "io/output_set.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace fp::io {
namespace {

namespace fs = std::filesystem;
using test::read_file;
using test::write_file;

// Stages a file and a folder with one file in it under their .partial names.
OutputSet staged_pair(const fs::path& dir) {
  OutputSet set(dir);
  const PendingFile rows(dir / "rows.jsonl");
  write_file(rows.temp_path(), "new rows\n");
  const PendingFile crops(dir / "crops");
  fs::create_directories(crops.temp_path());
  write_file(crops.temp_path() / "a.jpg", "new crop");
  set.add(rows);
  set.add(crops);
  return set;
}

TEST(OutputSet, CommitMovesEveryFileAndFolderIntoPlaceReplacingOldOnes) {
  test::TempDir dir;
  write_file(dir / "rows.jsonl", "old rows\n");
  fs::create_directories(dir / "crops");
  write_file(dir / "crops" / "stale.jpg", "old crop");
  OutputSet set = staged_pair(dir.path());
  ASSERT_TRUE(set.commit().ok());
  EXPECT_EQ(read_file(dir / "rows.jsonl"), "new rows\n");
  EXPECT_EQ(read_file(dir / "crops" / "a.jpg"), "new crop");
  EXPECT_FALSE(fs::exists(dir / "crops" / "stale.jpg"));  // the folder was replaced, not merged
  EXPECT_FALSE(fs::exists(dir / "rows.jsonl.partial"));
  EXPECT_FALSE(fs::exists(OutputSet::journal_path(dir.path())));
}

TEST(OutputSet, AMissingStagedFileFailsBeforeTheJournalSoNothingIsCommitted) {
  test::TempDir dir;
  OutputSet set = staged_pair(dir.path());
  set.add(PendingFile(dir / "never_written.txt"));
  const Status committed = set.commit();
  ASSERT_FALSE(committed.ok());
  EXPECT_NE(committed.error().message().find("never_written.txt.partial"), std::string::npos)
      << committed.error().message();
  EXPECT_FALSE(fs::exists(dir / "rows.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "rows.jsonl.partial"));
  EXPECT_FALSE(fs::exists(OutputSet::journal_path(dir.path())));
}

// A run killed after writing the journal, with one rename done: recover() does the rest.
TEST(OutputSet, RecoverFinishesTheRenamesAJournalLists) {
  test::TempDir dir;
  staged_pair(dir.path());
  fs::rename(dir / "rows.jsonl.partial", dir / "rows.jsonl");  // done before the kill
  write_file(OutputSet::journal_path(dir.path()),
             "[\"" + (dir / "rows.jsonl").string() + "\", \"" + (dir / "crops").string() + "\"]\n");
  ASSERT_TRUE(OutputSet::recover(dir.path()).ok());
  EXPECT_EQ(read_file(dir / "rows.jsonl"), "new rows\n");
  EXPECT_EQ(read_file(dir / "crops" / "a.jpg"), "new crop");
  EXPECT_FALSE(fs::exists(dir / "crops.partial"));
  EXPECT_FALSE(fs::exists(OutputSet::journal_path(dir.path())));
  EXPECT_TRUE(OutputSet::recover(dir.path()).ok());  // nothing left to do
}

TEST(OutputSet, RecoverRefusesAJournalItCannotRead) {
  test::TempDir dir;
  write_file(OutputSet::journal_path(dir.path()), "{not json");
  const Status recovered = OutputSet::recover(dir.path());
  ASSERT_FALSE(recovered.ok());
  EXPECT_NE(recovered.error().message().find("is not a commit journal framepipe wrote"),
            std::string::npos)
      << recovered.error().message();
}

}  // namespace
}  // namespace fp::io
