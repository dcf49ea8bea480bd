// JobStore: every job the service accepted, in SQLite (WAL mode) at DATA/jobs.db, so that a
// restarted server shows them all. A job is one row: its id, state, and its JSON document
// (serve/job.hpp). Every write is a transaction that is durable when the call returns.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "serve/job.hpp"

struct sqlite3;

namespace fp::serve {

class JobStore {
 public:
  static Result<std::unique_ptr<JobStore>> open(const std::filesystem::path& file);
  ~JobStore();
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  // Stores a new job (its id not yet in the store).
  Status insert(const Job& job);
  Status update(const Job& job);
  // Every job, oldest first.
  Result<std::vector<Job>> load_all();

 private:
  explicit JobStore(sqlite3* db) : db_(db) {}
  Status exec(const char* sql);
  std::mutex mutex_;
  sqlite3* db_;
};

}  // namespace fp::serve
