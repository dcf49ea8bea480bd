#include "io/jsonl_writer.hpp"

#include <cerrno>
#include <cstring>

namespace fp::io {

std::string dump_json(const nlohmann::ordered_json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<JsonlWriter> JsonlWriter::open(const std::filesystem::path& path) {
  JsonlWriter writer{PendingFile(path)};
  writer.out_.open(writer.file_.temp_path(), std::ios::binary | std::ios::trunc);
  if (!writer.out_) {
    return Error("cannot create " + writer.file_.temp_path().string() + ": " +
                 std::strerror(errno));
  }
  return writer;
}

Status JsonlWriter::write(const nlohmann::ordered_json& row) {
  if (!failure_.empty()) return Error(failure_);
  const std::string line = dump_json(row) + "\n";
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.flush();
  if (!out_) return fail("cannot write " + file_.temp_path().string() + " (disk full?)");
  whole_rows_bytes_ += line.size();
  ++rows_;
  return ok_status();
}

Status JsonlWriter::finish() {
  if (!failure_.empty()) return Error(failure_);
  out_.flush();
  out_.close();
  if (out_.fail()) return fail("cannot finish " + file_.temp_path().string() + " (disk full?)");
  return ok_status();
}

Status JsonlWriter::fail(std::string message) {
  // A row written in part is a line no reader can parse: cut the file back to its last whole row.
  out_.close();
  std::error_code ec;
  std::filesystem::resize_file(file_.temp_path(), whole_rows_bytes_, ec);
  if (ec) message += "; cannot cut it back to its last whole row: " + ec.message();
  failure_ = message;
  return Error(std::move(message));
}

}  // namespace fp::io
