#include "serve/job_store.hpp"

#include <sqlite3.h>

namespace fp::serve {

namespace {

// A prepared statement, finalized when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK) statement_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return statement_; }
  Error error() const { return Error(std::string("job store: ") + sqlite3_errmsg(db_)); }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<JobStore>> JobStore::open(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error("cannot open the job store " + file.string() + ": " + message);
  }
  std::unique_ptr<JobStore> store(new JobStore(db));
  sqlite3_busy_timeout(db, 5000);
  FP_RETURN_IF_ERROR(store->exec("PRAGMA journal_mode=WAL"));
  FP_RETURN_IF_ERROR(store->exec("PRAGMA synchronous=FULL"));
  FP_RETURN_IF_ERROR(
      store->exec("CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, "
                  "state TEXT NOT NULL, document TEXT NOT NULL)"));
  return store;
}

JobStore::~JobStore() { sqlite3_close(db_); }

Status JobStore::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    Error error(std::string("job store: ") + (message != nullptr ? message : "failed"));
    sqlite3_free(message);
    return error;
  }
  return ok_status();
}

Status JobStore::insert(const Job& job) {
  std::lock_guard lock(mutex_);
  Statement statement(db_, "INSERT INTO jobs (id, state, document) VALUES (?, ?, ?)");
  if (statement.get() == nullptr) return statement.error();
  const std::string text = to_document(job);
  sqlite3_bind_int64(statement.get(), 1, job.id);
  sqlite3_bind_text(statement.get(), 2, state_name(job.state), -1, SQLITE_STATIC);
  sqlite3_bind_text(statement.get(), 3, text.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(statement.get()) != SQLITE_DONE) return statement.error();
  return ok_status();
}

Status JobStore::update(const Job& job) {
  std::lock_guard lock(mutex_);
  Statement statement(db_, "UPDATE jobs SET state = ?, document = ? WHERE id = ?");
  if (statement.get() == nullptr) return statement.error();
  const std::string text = to_document(job);
  sqlite3_bind_text(statement.get(), 1, state_name(job.state), -1, SQLITE_STATIC);
  sqlite3_bind_text(statement.get(), 2, text.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(statement.get(), 3, job.id);
  if (sqlite3_step(statement.get()) != SQLITE_DONE) return statement.error();
  return ok_status();
}

Result<std::vector<Job>> JobStore::load_all() {
  std::lock_guard lock(mutex_);
  Statement statement(db_, "SELECT document FROM jobs ORDER BY id");
  if (statement.get() == nullptr) return statement.error();
  std::vector<Job> jobs;
  int step;
  while ((step = sqlite3_step(statement.get())) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), 0));
    FP_ASSIGN_OR_RETURN(Job job, from_document(text));
    jobs.push_back(std::move(job));
  }
  if (step != SQLITE_DONE) return statement.error();
  return jobs;
}

}  // namespace fp::serve
