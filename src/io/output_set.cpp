#include "io/output_set.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace fp::io {

namespace fs = std::filesystem;

namespace {

// Flushes a file, or a folder's entries, to the disk.
Status sync_path(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error("cannot open " + path.string() + ": " + std::strerror(errno));
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) return Error("cannot sync " + path.string() + ": " + std::strerror(error));
  return ok_status();
}

// Flushes a staged file, or a staged folder with every file in it, to the disk.
Status sync_tree(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file()) FP_RETURN_IF_ERROR(sync_path(it->path()));
    }
    if (ec) return Error("cannot read " + path.string() + ": " + ec.message());
  }
  return sync_path(path);
}

// Moves a staged file or folder into place, replacing an old folder there (rename replaces files).
Status move_into_place(const fs::path& temp, const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(temp, ec) && fs::exists(path, ec)) fs::remove_all(path, ec);
  fs::rename(temp, path, ec);
  if (ec) return Error("cannot move " + temp.string() + " into place: " + ec.message());
  return ok_status();
}

// Renames every listed file that is still staged, then syncs the folders that changed.
Status finish_renames(const std::vector<fs::path>& paths) {
  Status first = ok_status();
  std::set<fs::path> folders;
  for (const fs::path& path : paths) {
    const PendingFile file(path);
    std::error_code ec;
    if (!fs::exists(file.temp_path(), ec)) continue;  // renamed before a crash
    const Status moved = move_into_place(file.temp_path(), path);
    if (!moved.ok() && first.ok()) first = moved;
    folders.insert(path.parent_path());
  }
  for (const fs::path& folder : folders) {
    const Status synced = sync_path(folder.empty() ? fs::path(".") : folder);
    if (!synced.ok() && first.ok()) first = synced;
  }
  return first;
}

}  // namespace

fs::path OutputSet::journal_path(const fs::path& dir) { return dir / ".framepipe-commit"; }

Status OutputSet::commit() {
  nlohmann::json journal = nlohmann::json::array();
  std::vector<fs::path> paths;
  for (const PendingFile& file : files_) {
    FP_RETURN_IF_ERROR(sync_tree(file.temp_path()));
    paths.push_back(fs::absolute(file.path()));
    journal.push_back(paths.back().string());
  }
  const fs::path journal_file = journal_path(dir_);
  const Status written =
      write_file_atomically(journal_file, journal.dump() + "\n", Durability::kOnDisk);
  if (!written.ok()) return written.error().with_context("committing the outputs");
  FP_RETURN_IF_ERROR(sync_path(dir_));  // the journal's rename: the commit
  const Status renamed = finish_renames(paths);
  if (!renamed.ok()) return renamed;  // the journal stays for recover()
  std::error_code ec;
  fs::remove(journal_file, ec);
  return ok_status();
}

Status OutputSet::recover(const fs::path& dir) {
  const fs::path journal_file = journal_path(dir);
  std::error_code ec;
  if (!fs::exists(journal_file, ec)) return ok_status();
  std::ifstream in(journal_file);
  const nlohmann::json journal = nlohmann::json::parse(in, nullptr, false);
  if (!journal.is_array()) {
    return Error(journal_file.string() +
                 " is not a commit journal framepipe wrote: remove it, then run again");
  }
  std::vector<fs::path> paths;
  for (const nlohmann::json& path : journal) {
    if (path.is_string()) paths.emplace_back(path.get<std::string>());
  }
  const Status renamed = finish_renames(paths);
  if (!renamed.ok())
    return renamed.error().with_context("finishing the commit an earlier run left");
  fs::remove(journal_file, ec);
  return ok_status();
}

}  // namespace fp::io
