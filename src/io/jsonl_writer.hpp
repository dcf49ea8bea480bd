// JsonlWriter: one JSON object per line, written under a temporary name until commit().
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "io/pending_file.hpp"

namespace fp::io {

// JSON text of `value`; bytes that are not UTF-8 (a file name, a decoder message) become U+FFFD
// instead of throwing. indent < 0 gives one line.
std::string dump_json(const nlohmann::ordered_json& value, int indent = -1);

class JsonlWriter {
 public:
  static Result<JsonlWriter> open(const std::filesystem::path& path);

  // Each row is flushed as it is written, so the .partial file of a run that died holds whole
  // rows up to its last frame: what was done is not lost. A write that fails (a full disk) cuts
  // the file back to its last whole row and closes it; every later call returns that error.
  Status write(const nlohmann::ordered_json& row);
  // Flushes and closes the file, still under its temporary name (file().commit() renames it).
  Status finish();
  int64_t rows() const { return rows_; }
  const PendingFile& file() const { return file_; }

 private:
  explicit JsonlWriter(PendingFile file) : file_(std::move(file)) {}
  // Closes the file at its last whole row and keeps `message` for every later call.
  Status fail(std::string message);
  PendingFile file_;
  std::ofstream out_;
  int64_t rows_ = 0;
  uintmax_t whole_rows_bytes_ = 0;  // the file's size up to the end of its last whole row
  std::string failure_;             // the error that closed the file; empty while it is open
};

}  // namespace fp::io
