// Output files are written under a temporary name (PATH.partial) and renamed when complete, so a
// crash or failed run never leaves a half file that looks whole.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "core/result.hpp"

namespace fp::io {

// How far a write goes before it returns: into the page cache (it survives the process being
// killed) or onto the disk (fsync: it survives a power cut too).
enum class Durability { kPageCache, kOnDisk };

// A file being written at temp_path() that becomes path() on commit(). Without commit() the
// partial file stays, clearly named, so what a failed run produced can still be inspected.
class PendingFile {
 public:
  explicit PendingFile(std::filesystem::path path);
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& temp_path() const { return temp_path_; }
  // Writes `content` to the temporary file; one that fails (a full disk) is removed.
  Status write(const std::string& content, Durability durability) const;
  // Renames the temporary file into place (replacing any older file of that name).
  Status commit() const;

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_path_;
};

// Writes `content` to `path` through a temporary file renamed into place, so `path` holds either
// its old content or all of the new. A write that fails (a full disk) removes the temporary file.
Status write_file_atomically(const std::filesystem::path& path, const std::string& content,
                             Durability durability = Durability::kPageCache);

// Creates `dir` if needed and proves a file can be created in it (by creating and removing
// one); the Error says why not.
Status ensure_writable_dir(const std::filesystem::path& dir);

}  // namespace fp::io
