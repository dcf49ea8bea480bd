#include "io/pending_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fp::io {

namespace fs = std::filesystem;

PendingFile::PendingFile(fs::path path) : path_(std::move(path)) {
  temp_path_ = path_;
  temp_path_ += ".partial";
}

Status PendingFile::commit() const {
  std::error_code ec;
  fs::rename(temp_path_, path_, ec);
  if (ec) return Error("cannot move " + temp_path_.string() + " into place: " + ec.message());
  return ok_status();
}

Status write_file_atomically(const fs::path& path, const std::string& content) {
  PendingFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out)
      return Error("cannot write " + file.temp_path().string() + ": " + std::strerror(errno));
  }
  return file.commit();
}

Status ensure_writable_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error("cannot create output directory '" + dir.string() + "': " + ec.message());
  if (!fs::is_directory(dir)) return Error("output path '" + dir.string() + "' is not a directory");
  // Permission bits do not tell (root ignores them, read-only mounts do not show): try it.
  const fs::path probe = dir / (".framepipe-write-test-" + std::to_string(getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return Error("output directory '" + dir.string() +
                 "' is not writable: " + std::strerror(errno));
  }
  ::close(fd);
  fs::remove(probe, ec);
  return ok_status();
}

}  // namespace fp::io
