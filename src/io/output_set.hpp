// OutputSet: a run's outputs, staged under their .partial names (PendingFile) and committed
// together, so that a reader finds either none of them under their final names or all of them.
//
// commit() first makes the staged files durable (fsync), then writes a journal beside them
// (DIR/.framepipe-commit, the list of renames) through a temporary file renamed into place: that
// one rename is the commit. The renames it lists follow, then the journal is removed. A process
// killed between the two leaves the journal; recover(DIR), which the next run in DIR calls before
// anything else, finishes the renames it lists. So a crash either commits nothing (no journal:
// every output keeps its .partial name) or everything (the journal: finished on recovery).
#pragma once

#include <filesystem>
#include <vector>

#include "core/result.hpp"
#include "io/pending_file.hpp"

namespace fp::io {

class OutputSet {
 public:
  // `dir`: where the journal goes (the run's output folder).
  explicit OutputSet(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // A file or folder, finished under its temporary name, to commit with the others.
  void add(PendingFile file) { files_.push_back(std::move(file)); }
  const std::vector<PendingFile>& files() const { return files_; }

  // Commits every added file: an existing file or folder at a final name is replaced. An Error
  // before the journal is in place means nothing was committed; after it, the commit stands and
  // recover() completes what failed.
  Status commit();

  // Completes a commit that the journal in `dir` records, if any; then removes the journal.
  static Status recover(const std::filesystem::path& dir);
  static std::filesystem::path journal_path(const std::filesystem::path& dir);

 private:
  std::filesystem::path dir_;
  std::vector<PendingFile> files_;
};

}  // namespace fp::io
