#include "drivers/sqlite/sqlite_driver.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "drivers/sql/sql_session.h"
#include "drivers/sqlite/sqlite_dialect.h"
#include "drivers/url.h"

namespace clobber {
namespace {

/// Closes a connection; sqlite3_close_v2 defers the close until statements are finalized.
struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
/// Finalizes a prepared statement.
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using ConnectionPtr = std::unique_ptr<sqlite3, ConnectionCloser>;
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

/// A result code and its name.
struct CodeName {
  int code;
  const char* name;
};

#define CLOBBER_SQLITE_CODE(name) \
  { name, #name }
/// Every primary and extended error code of SQLite 3.40.
constexpr CodeName kCodeNames[] = {
    CLOBBER_SQLITE_CODE(SQLITE_ERROR),
    CLOBBER_SQLITE_CODE(SQLITE_INTERNAL),
    CLOBBER_SQLITE_CODE(SQLITE_PERM),
    CLOBBER_SQLITE_CODE(SQLITE_ABORT),
    CLOBBER_SQLITE_CODE(SQLITE_BUSY),
    CLOBBER_SQLITE_CODE(SQLITE_LOCKED),
    CLOBBER_SQLITE_CODE(SQLITE_NOMEM),
    CLOBBER_SQLITE_CODE(SQLITE_READONLY),
    CLOBBER_SQLITE_CODE(SQLITE_INTERRUPT),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR),
    CLOBBER_SQLITE_CODE(SQLITE_CORRUPT),
    CLOBBER_SQLITE_CODE(SQLITE_NOTFOUND),
    CLOBBER_SQLITE_CODE(SQLITE_FULL),
    CLOBBER_SQLITE_CODE(SQLITE_CANTOPEN),
    CLOBBER_SQLITE_CODE(SQLITE_PROTOCOL),
    CLOBBER_SQLITE_CODE(SQLITE_EMPTY),
    CLOBBER_SQLITE_CODE(SQLITE_SCHEMA),
    CLOBBER_SQLITE_CODE(SQLITE_TOOBIG),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT),
    CLOBBER_SQLITE_CODE(SQLITE_MISMATCH),
    CLOBBER_SQLITE_CODE(SQLITE_MISUSE),
    CLOBBER_SQLITE_CODE(SQLITE_NOLFS),
    CLOBBER_SQLITE_CODE(SQLITE_AUTH),
    CLOBBER_SQLITE_CODE(SQLITE_FORMAT),
    CLOBBER_SQLITE_CODE(SQLITE_RANGE),
    CLOBBER_SQLITE_CODE(SQLITE_NOTADB),
    CLOBBER_SQLITE_CODE(SQLITE_NOTICE),
    CLOBBER_SQLITE_CODE(SQLITE_WARNING),
    CLOBBER_SQLITE_CODE(SQLITE_ERROR_MISSING_COLLSEQ),
    CLOBBER_SQLITE_CODE(SQLITE_ERROR_RETRY),
    CLOBBER_SQLITE_CODE(SQLITE_ERROR_SNAPSHOT),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_READ),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_SHORT_READ),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_WRITE),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_FSYNC),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_DIR_FSYNC),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_TRUNCATE),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_FSTAT),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_UNLOCK),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_RDLOCK),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_DELETE),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_BLOCKED),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_NOMEM),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_ACCESS),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_CHECKRESERVEDLOCK),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_LOCK),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_CLOSE),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_DIR_CLOSE),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_SHMOPEN),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_SHMSIZE),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_SHMLOCK),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_SHMMAP),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_SEEK),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_DELETE_NOENT),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_MMAP),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_GETTEMPPATH),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_CONVPATH),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_VNODE),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_AUTH),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_BEGIN_ATOMIC),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_COMMIT_ATOMIC),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_ROLLBACK_ATOMIC),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_DATA),
    CLOBBER_SQLITE_CODE(SQLITE_IOERR_CORRUPTFS),
    CLOBBER_SQLITE_CODE(SQLITE_LOCKED_SHAREDCACHE),
    CLOBBER_SQLITE_CODE(SQLITE_LOCKED_VTAB),
    CLOBBER_SQLITE_CODE(SQLITE_BUSY_RECOVERY),
    CLOBBER_SQLITE_CODE(SQLITE_BUSY_SNAPSHOT),
    CLOBBER_SQLITE_CODE(SQLITE_BUSY_TIMEOUT),
    CLOBBER_SQLITE_CODE(SQLITE_CANTOPEN_NOTEMPDIR),
    CLOBBER_SQLITE_CODE(SQLITE_CANTOPEN_ISDIR),
    CLOBBER_SQLITE_CODE(SQLITE_CANTOPEN_FULLPATH),
    CLOBBER_SQLITE_CODE(SQLITE_CANTOPEN_CONVPATH),
    CLOBBER_SQLITE_CODE(SQLITE_CANTOPEN_DIRTYWAL),
    CLOBBER_SQLITE_CODE(SQLITE_CANTOPEN_SYMLINK),
    CLOBBER_SQLITE_CODE(SQLITE_CORRUPT_VTAB),
    CLOBBER_SQLITE_CODE(SQLITE_CORRUPT_SEQUENCE),
    CLOBBER_SQLITE_CODE(SQLITE_CORRUPT_INDEX),
    CLOBBER_SQLITE_CODE(SQLITE_READONLY_RECOVERY),
    CLOBBER_SQLITE_CODE(SQLITE_READONLY_CANTLOCK),
    CLOBBER_SQLITE_CODE(SQLITE_READONLY_ROLLBACK),
    CLOBBER_SQLITE_CODE(SQLITE_READONLY_DBMOVED),
    CLOBBER_SQLITE_CODE(SQLITE_READONLY_CANTINIT),
    CLOBBER_SQLITE_CODE(SQLITE_READONLY_DIRECTORY),
    CLOBBER_SQLITE_CODE(SQLITE_ABORT_ROLLBACK),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_CHECK),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_COMMITHOOK),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_FOREIGNKEY),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_FUNCTION),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_NOTNULL),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_PRIMARYKEY),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_TRIGGER),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_UNIQUE),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_VTAB),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_ROWID),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_PINNED),
    CLOBBER_SQLITE_CODE(SQLITE_CONSTRAINT_DATATYPE),
    CLOBBER_SQLITE_CODE(SQLITE_NOTICE_RECOVER_WAL),
    CLOBBER_SQLITE_CODE(SQLITE_NOTICE_RECOVER_ROLLBACK),
    CLOBBER_SQLITE_CODE(SQLITE_WARNING_AUTOINDEX),
    CLOBBER_SQLITE_CODE(SQLITE_AUTH_USER),
};
#undef CLOBBER_SQLITE_CODE

/// The name of a (possibly extended) result code, e.g. "SQLITE_BUSY_SNAPSHOT".
std::string result_code_name(int code) {
  for (const CodeName& entry : kCodeNames)
    if (entry.code == code) return entry.name;
  return "SQLITE_" + std::to_string(code);
}

/// Why an error code ended an attempt: a stale snapshot is a serialization
/// failure, any other busy or locked database a lock timeout.
AbortCause cause_of(int code) {
  if (code == SQLITE_BUSY_SNAPSHOT) return AbortCause::serialization;
  int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return AbortCause::lock_timeout;
  return AbortCause::other;
}

/// "SQLITE_CODE: message" for exceptions.
std::string describe(sqlite3* db, int code) {
  return result_code_name(code) + ": " +
         (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code));
}

/// What a connection's busy handler waits for: the busy timeout, or a cancel.
/// sqlite3_interrupt() does not reach a statement waiting for a lock.
struct BusyWait {
  int timeout_ms = 0;
  std::atomic<bool> cancelled{false};  // set by Session::cancel(), cleared as a statement starts
};

/// Busy handler: waits in short steps (50 us growing to 1 ms) until the busy
/// timeout of its BusyWait (the context; null: none) has elapsed or a cancel
/// came. SQLite's own handler sleeps up to 100 ms at a time, which under
/// contention costs far more than the wait.
int wait_while_busy(void* context, int calls) {
  const auto* wait = static_cast<const BusyWait*>(context);
  if (wait->cancelled.load(std::memory_order_relaxed)) return 0;
  const int64_t timeout_us = static_cast<int64_t>(wait->timeout_ms) * 1000;
  constexpr int64_t kStep = 50, kMaxDelay = 1000, kRamp = kMaxDelay / kStep;
  const int64_t n = calls;
  const int64_t waited = n <= kRamp ? kStep * n * (n + 1) / 2
                                    : kStep * kRamp * (kRamp + 1) / 2 + (n - kRamp) * kMaxDelay;
  if (waited >= timeout_us) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(std::min(kStep * (n + 1), kMaxDelay)));
  return 1;
}

/// Opens a connection with extended result codes, the busy handler and
/// synchronous=NORMAL (WAL stays consistent; only the last commits of a power
/// loss could go, which does not matter for clobber's own tables).
ConnectionPtr open_connection(const std::string& path, BusyWait& busy) {
  sqlite3* raw = nullptr;
  int code =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  ConnectionPtr db(raw);
  if (code != SQLITE_OK)
    throw DatabaseError("cannot open SQLite database " + path + ": " + describe(db.get(), code));
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_handler(db.get(), wait_while_busy, &busy);
  char* error = nullptr;
  if (sqlite3_exec(db.get(), "PRAGMA synchronous=NORMAL", nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw DatabaseError("cannot set synchronous=NORMAL on " + path + ": " + message);
  }
  return db;
}

/// Prepares one statement for repeated use, or throws DatabaseError naming it.
StatementPtr prepare_statement(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int code = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  StatementPtr statement(raw);
  if (code != SQLITE_OK)
    throw DatabaseError("cannot prepare SQLite statement '" + sql + "': " + describe(db, code));
  if (statement == nullptr) throw DatabaseError("SQLite statement '" + sql + "' is empty");
  if (std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos)
    throw DatabaseError("SQLite statement '" + sql + "' holds more than one statement");
  return statement;
}

/// A statement prepared on a session, kept with what execute() needs to know.
struct Prepared {
  StatementPtr statement;
  int param_count = 0;
  bool read_only = false;  // SELECT: rows_affected counts rows returned
};

/// One connection to the database file.
class SqliteSession final : public SqlSession {
 public:
  SqliteSession(std::string path, int busy_timeout_ms) : path_(std::move(path)) {
    busy_.timeout_ms = busy_timeout_ms;
    open();
  }

  using SqlSession::prepare;
  StatementHandle prepare(const std::string& sql, int param_count) override {
    Prepared prepared = make_prepared(sql);
    if (prepared.param_count != param_count)
      throw DatabaseError("SQLite statement '" + sql + "' has " +
                          std::to_string(prepared.param_count) + " parameters, expected " +
                          std::to_string(param_count));
    statements_.push_back(std::move(prepared));
    sql_.push_back(sql);
    return static_cast<StatementHandle>(statements_.size() - 1);
  }

  Outcome begin(Isolation level) override {
    if (level == Isolation::none) return {};
    if (level != Isolation::serializable)
      throw DatabaseError("SQLite cannot begin a transaction at " + std::string(to_string(level)));
    starting();
    failure_.reset();
    return step_control(begin_.get());
  }

  Outcome commit() override {
    if (sqlite3_get_autocommit(db_.get())) return {};
    if (failure_) {
      // SQLite undid only the failed statement; the transaction is the
      // harness's unit, so the failure ends it (drivers/driver.h).
      Outcome outcome = std::move(*failure_);
      rollback();
      outcome.message = "transaction rolled back at COMMIT after: " + outcome.message;
      return outcome;
    }
    Outcome outcome = step_control(commit_.get());
    // A failed COMMIT (busy, deferred constraint) leaves the transaction open.
    if (!outcome.ok() && !sqlite3_get_autocommit(db_.get())) step_control(rollback_.get());
    return outcome;
  }

  Outcome rollback() override {
    failure_.reset();
    if (sqlite3_get_autocommit(db_.get())) return {};
    return step_control(rollback_.get());
  }

  Outcome execute(StatementHandle handle, std::span<const int64_t> params, std::span<int64_t> row,
                  StatementResult& result) override {
    starting();
    if (handle < 0 || static_cast<size_t>(handle) >= statements_.size())
      throw std::out_of_range("unknown SQLite statement handle " + std::to_string(handle));
    Prepared& prepared = statements_[handle];
    if (params.size() != static_cast<size_t>(prepared.param_count))
      throw std::invalid_argument("SQLite statement '" + sql_[handle] + "' takes " +
                                  std::to_string(prepared.param_count) + " parameters, got " +
                                  std::to_string(params.size()));
    sqlite3_stmt* statement = prepared.statement.get();
    for (size_t i = 0; i < params.size(); ++i)
      sqlite3_bind_int64(statement, static_cast<int>(i + 1), params[i]);

    int64_t changes_before = sqlite3_total_changes64(db_.get());
    int64_t rows = 0;
    int code;
    while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
      if (rows++ == 0) {
        size_t columns = std::min(row.size(), static_cast<size_t>(sqlite3_column_count(statement)));
        for (size_t i = 0; i < columns; ++i)
          row[i] = sqlite3_column_int64(statement, static_cast<int>(i));
      }
    }
    if (code != SQLITE_DONE) {
      Outcome outcome = failure(code);
      sqlite3_reset(statement);
      return remember(std::move(outcome));
    }
    result.has_row = rows > 0;
    if (prepared.read_only)
      result.rows_affected = rows;
    else
      result.rows_affected =
          sqlite3_total_changes64(db_.get()) == changes_before ? 0 : sqlite3_changes64(db_.get());
    // Resetting ends the statement, so an autocommit read releases its snapshot.
    sqlite3_reset(statement);
    return {};
  }

  QueryRows query(const std::string& sql) override {
    starting();
    QueryRows rows;
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int code =
        sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
    StatementPtr statement(raw);
    if (code != SQLITE_OK) throw query_error(sql, code);
    if (statement == nullptr) throw DatabaseError("no SQL statement to run: " + sql);
    if (std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos)
      throw DatabaseError("more than one SQL statement in one query: " + sql);
    code = step_rows(statement.get(), rows);
    if (code != SQLITE_DONE) throw query_error(sql, code);
    return rows;
  }

  QueryRows read_only_query(const std::string& sql) override {
    starting();
    query("PRAGMA query_only = ON");
    QueryRows rows;
    try {
      rows = query(sql);
    } catch (const DatabaseError&) {
      query("PRAGMA query_only = OFF");
      throw;
    }
    query("PRAGMA query_only = OFF");
    return rows;
  }

  Outcome execute_text(const std::string& sql, TextResult& result) override {
    starting();
    result = TextResult{};
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int code =
        sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
    StatementPtr statement(raw);
    if (code != SQLITE_OK) return failure(code);
    if (statement == nullptr)
      return Outcome::failure(AbortCause::other, "SQLITE_MISUSE", "no SQL statement to run");
    if (std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos)
      return Outcome::failure(AbortCause::other, "SQLITE_MISUSE",
                              "more than one SQL statement in one step");
    const int64_t changes_before = sqlite3_total_changes64(db_.get());
    code = step_rows(statement.get(), result.rows);
    if (code != SQLITE_DONE) return remember(failure(code));
    if (result.rows.columns.empty())
      result.rows_affected =
          sqlite3_total_changes64(db_.get()) == changes_before ? 0 : sqlite3_changes64(db_.get());
    return {};
  }

  std::string backend_id() override { return {}; }

  bool kill_session(const std::string&) override {
    throw DatabaseError("SQLite has no server sessions to kill");
  }

  void cancel() override {
    busy_.cancelled.store(true, std::memory_order_relaxed);  // ends a wait for a lock
    std::lock_guard lock(db_mutex_);
    if (db_) sqlite3_interrupt(db_.get());
  }

  void hold_run_lock(const RunOwner&) override {}

  bool claim_run_lock(const RunOwner& owner) override {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0 || owner.host != host) return false;
    if (owner.pid <= 0 || owner.pid == getpid()) return false;
    return kill(static_cast<pid_t>(owner.pid), 0) != 0 && errno == ESRCH;
  }

  void release_run_lock(const RunOwner&) override {}

  bool table_exists(const std::string& name) override {
    sqlite3_stmt* raw = nullptr;
    const char* sql =
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE";
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr) != SQLITE_OK)
      throw DatabaseError(std::string("SQLite: cannot look up table ") + name + ": " +
                          sqlite3_errmsg(db_.get()));
    StatementPtr statement(raw);
    sqlite3_bind_text(raw, 1, name.c_str(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    const int code = sqlite3_step(raw);
    if (code != SQLITE_ROW && code != SQLITE_DONE) throw query_error(sql, code);
    return code == SQLITE_ROW;
  }

  void limit_lock_waits(std::chrono::milliseconds) override {}  // the busy timeout applies

  Outcome reconnect() override {
    failure_.reset();
    try {
      open();
      std::vector<Prepared> statements;
      for (const std::string& sql : sql_) statements.push_back(make_prepared(sql));
      statements_ = std::move(statements);
    } catch (const DatabaseError& error) {
      return Outcome::failure(AbortCause::connection, "SQLITE_CANTOPEN", error.what());
    }
    return {};
  }

 protected:
  const SqlDialect& dialect() const override { return sqlite_dialect(); }

 private:
  /// Keeps the first failure inside an open transaction for commit(); returns
  /// it. A failure that ended the transaction itself (SQLite rolls back the
  /// whole transaction on some, e.g. SQLITE_FULL) is not kept.
  Outcome remember(Outcome outcome) {
    if (!sqlite3_get_autocommit(db_.get()) && !failure_) failure_ = outcome;
    return outcome;
  }

  /// (Re)opens the connection and prepares the transaction-control statements;
  /// leaves the session as it was when that fails. Statements of a replaced
  /// connection must be prepared again (sqlite3_close_v2 waits for them).
  void open() {
    ConnectionPtr db = open_connection(path_, busy_);
    StatementPtr begin = prepare_statement(db.get(), "BEGIN");
    StatementPtr commit = prepare_statement(db.get(), "COMMIT");
    StatementPtr rollback = prepare_statement(db.get(), "ROLLBACK");
    std::lock_guard lock(db_mutex_);  // cancel() may be interrupting the old one
    db_ = std::move(db);
    begin_ = std::move(begin);
    commit_ = std::move(commit);
    rollback_ = std::move(rollback);
  }

  /// Prepares `sql` on the current connection.
  Prepared make_prepared(const std::string& sql) {
    Prepared prepared;
    prepared.statement = prepare_statement(db_.get(), sql);
    prepared.param_count = sqlite3_bind_parameter_count(prepared.statement.get());
    prepared.read_only = sqlite3_stmt_readonly(prepared.statement.get()) != 0;
    return prepared;
  }

  /// Steps `statement` to its end; when it returns columns, its rows replace
  /// `rows` (so of several statements the last returning rows gives the result).
  /// Returns SQLITE_DONE or the error code, read before the statement is reset.
  static int step_rows(sqlite3_stmt* statement, QueryRows& rows) {
    const int columns = sqlite3_column_count(statement);
    if (columns > 0) {
      rows = QueryRows{};
      for (int i = 0; i < columns; ++i)
        rows.columns.emplace_back(sqlite3_column_name(statement, i));
    }
    int code;
    while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
      auto& values = rows.rows.emplace_back();
      values.reserve(columns);
      for (int i = 0; i < columns; ++i) {
        const auto* text = sqlite3_column_text(statement, i);
        if (text == nullptr)
          values.emplace_back(std::nullopt);
        else
          values.emplace_back(
              std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(statement, i)));
      }
    }
    return code;
  }

  /// Runs BEGIN, COMMIT or ROLLBACK.
  Outcome step_control(sqlite3_stmt* statement) {
    int code = sqlite3_step(statement);
    Outcome outcome = code == SQLITE_DONE ? Outcome{} : failure(code);
    sqlite3_reset(statement);
    return outcome;
  }

  /// The outcome for a failed call, read before the statement is reset.
  Outcome failure(int code) const {
    return Outcome::failure(cause_of(code), result_code_name(code), sqlite3_errmsg(db_.get()));
  }

  /// The exception for a failed query().
  /// A statement starts: a cancel from before it (the signal thread sends
  /// them again until the session is gone) no longer ends its lock waits.
  void starting() { busy_.cancelled.store(false, std::memory_order_relaxed); }

  DatabaseError query_error(const std::string& sql, int code) const {
    return DatabaseError("SQLite query failed (" + describe(db_.get(), code) + "): " + sql);
  }

  std::string path_;
  BusyWait busy_;        // the busy handler's context: outlives every connection of the session
  std::mutex db_mutex_;  // held by cancel() and while db_ is replaced
  ConnectionPtr db_;
  StatementPtr begin_;
  StatementPtr commit_;
  StatementPtr rollback_;
  std::vector<Prepared> statements_;  // indexed by StatementHandle
  std::vector<std::string> sql_;      // their text, to re-prepare on reconnect
  std::optional<Outcome> failure_;    // first error inside the open transaction
};

/// Parses the busy_timeout option: milliseconds, 0 or more.
int parse_busy_timeout(const DatabaseUrl& url, const std::string& text) {
  int value = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0)
    throw bad_database_url(url.masked,
                           "busy_timeout must be milliseconds (a whole number, 0 or "
                           "more), not '" +
                               text + "'");
  return value;
}

}  // namespace

SqliteDriver::SqliteDriver(DatabaseUrl url) : url_(std::move(url)) {
  for (const auto& [key, value] : url_.options) {
    if (key == "busy_timeout")
      busy_timeout_ms_ = parse_busy_timeout(url_, value);
    else
      throw bad_database_url(url_.masked,
                             "unknown SQLite option '" + key + "' (known: busy_timeout)");
  }
  BusyWait busy;
  busy.timeout_ms = busy_timeout_ms_;
  ConnectionPtr db = open_connection(url_.database, busy);
  StatementPtr statement = prepare_statement(db.get(), "PRAGMA journal_mode=WAL");
  int code = sqlite3_step(statement.get());
  if (code != SQLITE_ROW)
    throw DatabaseError("cannot switch SQLite database " + url_.database +
                        " to WAL mode: " + describe(db.get(), code));
  std::string mode(reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), 0)));
  if (mode != "wal")
    throw DatabaseError("cannot switch SQLite database " + url_.database +
                        " to WAL mode: journal mode stays '" + mode + "'");
}

SqliteDriver::~SqliteDriver() {
  if (!url_.temporary) return;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    std::remove((url_.database + suffix).c_str());
}

std::string SqliteDriver::server_version() {
  return sqlite3_libversion();
}

std::unique_ptr<Session> SqliteDriver::connect() {
  return std::make_unique<SqliteSession>(url_.database, busy_timeout_ms_);
}

std::optional<std::string> SqliteDriver::unsupported_isolation(Isolation level) const {
  switch (level) {
    case Isolation::none:
    case Isolation::serializable:
      return std::nullopt;
    case Isolation::read_uncommitted:
    case Isolation::read_committed:
    case Isolation::repeatable_read:
      return "SQLite transactions are always serializable; clobber does not run " +
             std::string(to_string(level)) + " as another level";
  }
  return "unknown isolation level";
}

std::optional<std::string> SqliteDriver::unsupported_locking(Locking mode) const {
  switch (mode) {
    case Locking::for_update:
    case Locking::for_share:
      return "SQLite has no row locks: no SELECT ... FOR UPDATE/FOR SHARE";
    case Locking::advisory:
      return "SQLite has no advisory locks";
    case Locking::none:
    case Locking::optimistic:
    case Locking::compare_and_set:
    case Locking::atomic:
    case Locking::single_writer:
      return std::nullopt;
  }
  return "unknown locking mode";
}

}  // namespace clobber
