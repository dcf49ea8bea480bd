// JsonlWriter: one JSON object per line, written under a temporary name until commit().
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "io/pending_file.hpp"

namespace fp::io {

class JsonlWriter {
 public:
  static Result<JsonlWriter> open(const std::filesystem::path& path);

  // Each row is flushed as it is written, so the .partial file of a run that died holds whole
  // rows up to its last frame: what was done is not lost.
  Status write(const nlohmann::ordered_json& row);
  // Flushes, closes and renames the file into place.
  Status commit();
  int64_t rows() const { return rows_; }
  const PendingFile& file() const { return file_; }

 private:
  explicit JsonlWriter(PendingFile file) : file_(std::move(file)) {}
  PendingFile file_;
  std::ofstream out_;
  int64_t rows_ = 0;
};

}  // namespace fp::io
