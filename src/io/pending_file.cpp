#include "io/pending_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fp::io {

namespace fs = std::filesystem;

namespace {

Error write_error(const fs::path& path, int error) {
  return Error("cannot write " + path.string() + ": " + std::strerror(error));
}

// Writes all of `content` to a new file at `path`; on an error the file may hold part of it.
Status write_whole_file(const fs::path& path, const std::string& content, Durability durability) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return write_error(path, errno);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return write_error(path, error);
    }
    done += static_cast<size_t>(n);
  }
  if (durability == Durability::kOnDisk && ::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    return write_error(path, error);
  }
  // Some file systems report a lack of space only when the file is closed.
  if (::close(fd) != 0) return write_error(path, errno);
  return ok_status();
}

}  // namespace

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

Status PendingFile::write(const std::string& content, Durability durability) const {
  const Status written = write_whole_file(temp_path_, content, durability);
  if (!written.ok()) {
    // A temporary file cut short by a full disk helps nobody and takes space: it goes.
    std::error_code ignored;
    fs::remove(temp_path_, ignored);
  }
  return written;
}

Status write_file_atomically(const fs::path& path, const std::string& content,
                             Durability durability) {
  const PendingFile file(path);
  FP_RETURN_IF_ERROR(file.write(content, durability));
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
