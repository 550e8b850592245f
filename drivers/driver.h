// The one interface between the harness and a database. Each backend turns its
// library's errors into an Outcome (cause + SQLSTATE / error number) at this
// boundary: aborts are values, exceptions (DatabaseError) are harness failures.
// One Session is one connection, used by exactly one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/errors.h"
#include "common/types.h"
#include "drivers/lock_wait_probe.h"
#include "drivers/operation.h"

namespace clobber {

/// What a statement or transaction-control call produced.
struct Outcome {
  AbortCause cause = AbortCause::none;  // none: success
  std::string code;                     // SQLSTATE, MySQL error number or SQLite code name
  std::string message;                  // the server's message, first line
  /// True when the call succeeded.
  bool ok() const { return cause == AbortCause::none; }
  /// A failed outcome with the given cause, code and message.
  static Outcome failure(AbortCause cause, std::string code, std::string message) {
    return Outcome{cause, std::move(code), std::move(message)};
  }
};

/// What a failed call did to the transaction open on its session
/// (Session::effect_of). The servers differ: PostgreSQL aborts the whole
/// transaction on any error, MySQL/MariaDB undo most failed statements alone,
/// SQLite undoes the statement unless it had to give up the whole transaction.
enum class TransactionEffect {
  none,                     // the call succeeded: the transaction goes on as it was
  statement_rolled_back,    // only the failed statement was undone: the transaction is
                            // open, keeps its other writes and locks, and may commit them
  transaction_rolled_back,  // the whole transaction is undone, or aborted until rolled back
  connection_lost,          // the connection broke: the server ends the transaction
};

/// Handle of a statement prepared on one session.
using StatementHandle = int;

/// What executing a prepared statement produced besides its outcome.
struct StatementResult {
  int64_t rows_affected = 0;  // rows changed by UPDATE/INSERT/DELETE, rows returned by SELECT
  bool has_row = false;       // a first row was returned and copied out
};

/// All rows of a text query (setup, final state, invariants); NULL is nullopt.
struct QueryRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

/// What a statement run as SQL text (Session::execute_text) returned.
struct TextResult {
  QueryRows rows;              // its rows; no columns when it returns none
  int64_t rows_affected = -1;  // rows changed by INSERT/UPDATE/DELETE; -1 when it returns rows
};

/// A parsed database URL (see drivers/url.h); no secret of it ever leaves it:
/// output shows `masked`, and drivers scrub `secrets` out of their messages.
struct DatabaseUrl {
  DatabaseKind kind = DatabaseKind::sqlite;
  std::string text;      // as given, secrets included: never shown
  std::string masked;    // as shown in output: rebuilt from the fields, secrets as ***
  std::string user;      // empty for sqlite
  std::string password;  // empty when none
  std::string host;      // empty for sqlite; PostgreSQL: libpq's host list ("h1,h2", "/tmp")
  int port = 0;          // the (first) port, or the driver's default
  std::string ports;     // PostgreSQL: libpq's port list as given ("5433,5434"); "" for none
  std::string database;  // database name, or the SQLite file path
  /// URL query, in order; PostgreSQL: every other libpq keyword the URL sets.
  std::vector<std::pair<std::string, std::string>> options;
  /// Every secret (passwords, secret options, PGPASSWORD / MYSQL_PWD), raw and
  /// percent-encoded, longest first: scrubbed from every driver message.
  std::vector<std::string> secrets;
  bool temporary = false;  // sqlite file created by clobber and removed at exit
};

/// True for a URL option that holds a secret: its name contains "password" in
/// any case (password, sslpassword, PASSWORD, ssl_password...). See drivers/secrets.h.
bool is_secret_option(std::string_view name);

/// Who owns a clobber run's tables (harness/runner/table_registry.h): the run's
/// random id, and the host and process it runs in.
struct RunOwner {
  std::string run_id;  // 16 hex digits
  std::string host;    // gethostname()
  int64_t pid = 0;     // getpid()
};

/// The name of the table registry (harness/runner/table_registry.h): an SQL
/// table, or the Redis hash of that name (docs/redis.md, "The run lock").
inline constexpr const char* kRegistryTable = "clobber_registry";

/// One entry of the table registry: a table and the run that created it.
struct RegisteredTable {
  std::string table;
  RunOwner owner;
  std::string created_at;  // ISO 8601 UTC, as the owner's clock had it
};

/// One connection to the database, used by one thread only (cancel() excepted).
class Session {
 public:
  virtual ~Session() = default;

  /// Prepares `sql` (placeholders in the dialect's style, all int64) and returns
  /// its handle. Throws DatabaseError: statements are prepared before a run.
  /// Only for drivers whose DriverTraits::runs_sql is true.
  virtual StatementHandle prepare(const std::string& sql, int param_count) = 0;
  /// Lowers a typed operation (drivers/operation.h) into this database's
  /// language, prepares it and returns its handle; execute() then runs it with
  /// the parameters and returns the row the operation's comment describes.
  /// Throws DatabaseError.
  virtual StatementHandle prepare(const Operation& operation) = 0;

  /// Starts a transaction at `level`; for Isolation::none does nothing (autocommit).
  /// A driver may hold BEGIN back and send it with the transaction's first
  /// statement (PostgreSQL does: its snapshot is taken at the first statement
  /// anyway); a failure of BEGIN is then that statement's outcome.
  virtual Outcome begin(Isolation level) = 0;
  /// Commits the open transaction; a connection failure here means the commit is
  /// indeterminate. For Isolation::none does nothing.
  virtual Outcome commit() = 0;
  /// Rolls back the open transaction, if any; harmless when none is open.
  virtual Outcome rollback() = 0;

  /// Executes a prepared statement with int64 parameters. Copies the first
  /// returned row's columns (as int64, NULL as 0) into `row`, up to row.size().
  virtual Outcome execute(StatementHandle statement, std::span<const int64_t> params,
                          std::span<int64_t> row, StatementResult& result) = 0;

  /// True when execute_then_commit() sends the statement and COMMIT together,
  /// in one round trip (PostgreSQL's pipeline mode); the runner then commits a
  /// transaction with its last write where that cannot change what the
  /// transaction does (TransactionPlan::commit_with_last_write).
  virtual bool commits_with_statement() const { return false; }
  /// Executes a prepared statement in the open transaction and then commits it:
  /// returns the statement's outcome and sets `commit` to COMMIT's. When the
  /// statement fails, COMMIT is not run (`commit` is that failure too) and the
  /// transaction is left for rollback(). A connection failure of either means
  /// the commit is indeterminate: COMMIT may have reached the server.
  virtual Outcome execute_then_commit(StatementHandle statement, std::span<const int64_t> params,
                                      std::span<int64_t> row, StatementResult& result,
                                      Outcome& commit) {
    Outcome outcome = execute(statement, params, row, result);
    commit = outcome.ok() ? this->commit() : outcome;
    return outcome;
  }

  /// Runs one SQL statement given as text outside the measured path (setup,
  /// seeding, final state) and returns every row. Text holding more than one
  /// statement fails: PostgreSQL's extended protocol, MySQL without
  /// CLIENT_MULTI_STATEMENTS and SQLite's prepare tail all refuse it. Throws
  /// DatabaseError on failure.
  virtual QueryRows query(const std::string& sql) = 0;

  /// Runs one query given as text in a READ ONLY transaction of its own
  /// (PostgreSQL BEGIN READ ONLY, MySQL START TRANSACTION READ ONLY, SQLite
  /// PRAGMA query_only), so the server itself refuses any write, then rolls it
  /// back; returns every row. For the user's checks (workload invariants,
  /// scenario anomaly_if.sql). Called on the session's own thread with no
  /// transaction open. Throws DatabaseError on failure, a refused write included.
  virtual QueryRows read_only_query(const std::string& sql) = 0;

  /// Runs one SQL statement given as text in the open transaction (or by itself
  /// when none is open) and returns its rows. Unlike query(), a failure is an
  /// outcome, not an exception, and counts as the transaction's own as with
  /// execute() (commit() then reports it). Used by scenarios, which send the
  /// user's statements one at a time.
  virtual Outcome execute_text(const std::string& sql, TextResult& result) = 0;

  /// The server's id of this connection, as its lock views name it:
  /// pg_backend_pid() on PostgreSQL, CONNECTION_ID() on MySQL; empty when the
  /// database has none (SQLite). Asked on the session's own thread.
  virtual std::string backend_id() = 0;

  /// Re-establishes a broken connection and re-prepares every statement.
  /// Returns a failed outcome (cause connection) when the server is unreachable.
  virtual Outcome reconnect() = 0;

  /// Asks the server to cancel the statement this session is running, if any
  /// (Ctrl-C): the statement then returns a failed outcome (or query() throws)
  /// on its own thread. The one call that is safe from any other thread while
  /// the session is in use; never throws (a cancel that cannot be sent is lost).
  /// PostgreSQL: a libpq cancel request; MySQL: KILL QUERY from a connection of
  /// its own; SQLite: sqlite3_interrupt.
  virtual void cancel() = 0;

  // ---- Run ownership (harness/runner/table_registry.h) ----------------------
  // Each run proves it is alive by a lock its registry session holds for the
  // run's whole life; a cleaner drops a run's tables only after claiming that
  // lock itself. All on the session's own thread; failures throw DatabaseError.

  /// Takes the lock of run `owner` and holds it until the session closes:
  /// PostgreSQL pg_advisory_lock on the run id, MySQL GET_LOCK('clobber_run_<id>').
  /// SQLite has no such lock: its owner's host and pid prove it alive.
  virtual void hold_run_lock(const RunOwner& owner) = 0;
  /// True when run `owner` is dead, and then this session holds its lock until
  /// release_run_lock() (so two cleaners never clean one run at once):
  /// PostgreSQL pg_try_advisory_lock, MySQL GET_LOCK(name, 0); SQLite: `owner`
  /// ran on this host and its process no longer exists (another host: false).
  virtual bool claim_run_lock(const RunOwner& owner) = 0;
  /// Releases a lock claim_run_lock() took.
  virtual void release_run_lock(const RunOwner& owner) = 0;
  /// True when a table named `name` (unquoted, as clobber creates it) exists
  /// where this session's unqualified names resolve.
  virtual bool table_exists(const std::string& name) = 0;

  // ---- The table registry (harness/runner/table_registry.h) -----------------
  // The registry lists every table a run creates, with its owner. The SQL
  // drivers share one implementation (drivers/sql_registry.h, through query(),
  // in SqlSession); a store that runs no SQL has its own. On the session's own
  // thread; failures throw DatabaseError.

  /// Creates the registry when it is missing; two runs may do so at once.
  virtual void registry_create() = 0;
  /// Records `entry`. Also succeeds when the registry already holds this table
  /// for the same run (the call sent again after a lost connection); throws
  /// when another run holds it.
  virtual void registry_add(const RegisteredTable& entry) = 0;
  /// Deletes the entry of `table`, if there is one.
  virtual void registry_remove(const std::string& table) = 0;
  /// Every entry, by run id and then table; none when there is no registry
  /// (never creates it).
  virtual std::vector<RegisteredTable> registry_entries() = 0;
  // ---- A cell's tables (harness/runner/cell_tables.h) ----------------------
  // Outside the measured path, on the session's own thread, no transaction
  // open; failures throw DatabaseError.

  /// Creates `table` with its hidden columns (drivers/operation.h), empty.
  virtual void create_table(const TableShape& table) = 0;
  /// Drops the table named `name` with everything in it; nothing when it does not exist.
  virtual void drop_table(const std::string& name) = 0;
  /// Adds `rows` (one value per column of `table`, hidden columns 0) to `table`.
  virtual void insert_rows(const TableShape& table,
                           std::span<const std::vector<CellValue>> rows) = 0;
  /// Every row of `table`, by ascending key: the integer `columns` in order,
  /// then the last writer's id.
  virtual std::vector<std::vector<int64_t>> read_rows(const TableShape& table,
                                                      std::span<const size_t> columns) = 0;
  /// Ends the server session `backend_id` (as backend_id() gave it) from this
  /// one (chaos testing); false when it was already gone.
  virtual bool kill_session(const std::string& backend_id) = 0;

  /// Makes this session's statements (DROP TABLE) give up waiting for a lock
  /// after `limit` (PostgreSQL lock_timeout, MySQL lock_wait_timeout and
  /// innodb_lock_wait_timeout in whole seconds; SQLite keeps its busy timeout).
  virtual void limit_lock_waits(std::chrono::milliseconds limit) = 0;

  // ---- What an error does to the transaction (scenarios) --------------------

  /// What `outcome`, just returned by a call on this session inside a
  /// transaction, did to that transaction, as the server handles it. Asked on
  /// the session's own thread right after that call, before any other; may ask
  /// the server (MySQL reads innodb_rollback_on_timeout once), never throws.
  /// By default the harness's own rule: any failure ends the transaction
  /// (transaction_rolled_back; connection_lost for cause `connection`).
  virtual TransactionEffect effect_of(const Outcome& outcome);
  /// Goes on with the open transaction after a failure whose effect_of() was
  /// statement_rolled_back, as an application that handles the error does:
  /// commit() then commits what the server kept instead of reporting the
  /// failure (see commit()). Scenarios do this; `clobber run` never does (it
  /// rolls the whole transaction back before a retry). Nothing to do for a
  /// driver whose effect_of() never says statement_rolled_back.
  virtual void continue_transaction() {}

 protected:
  /// read_only_query() for servers that open a read-only transaction with
  /// `begin_sql`: runs `sql` in it, then rolls it back whatever happened (on a
  /// broken connection there is nothing left to roll back).
  QueryRows query_read_only(const std::string& begin_sql, const std::string& sql);
};

/// A database a run can connect to: opens sessions and says what it supports.
/// connect() is called from every worker thread at once when a cell starts;
/// the other calls come from the one thread that runs the cell.
class Driver {
 public:
  virtual ~Driver() = default;
  /// Which family this is.
  virtual DatabaseKind kind() const = 0;
  /// What the plan must know of this database (drivers/operation.h).
  virtual DriverTraits traits() const = 0;
  /// The URL it connects to (password masked in `masked`).
  virtual const DatabaseUrl& url() const = 0;
  /// The server's version string, e.g. "15.20" or "10.11.19-MariaDB" or "3.40.1".
  virtual std::string server_version() = 0;
  /// Opens a new connection. Throws DatabaseError when it cannot.
  virtual std::unique_ptr<Session> connect() = 0;
  /// Why this database cannot run `level`, or nullopt when it can.
  virtual std::optional<std::string> unsupported_isolation(Isolation level) const = 0;
  /// Why this database cannot run `mode`, or nullopt when it can.
  virtual std::optional<std::string> unsupported_locking(Locking mode) const = 0;
  /// What every report must say of a cell that ran at `level` with `mode`
  /// on this database, beyond what its checks found (a protection that is
  /// weaker here than its name says); none by default.
  virtual std::vector<std::string> cell_notes(Isolation level, Locking mode) const {
    (void)level;
    (void)mode;
    return {};
  }
  /// Settings reported with every cell (URL session settings, and server settings
  /// that decide behaviour). By default the URL's options, except secret ones.
  virtual std::vector<std::pair<std::string, std::string>> reported_settings() {
    std::vector<std::pair<std::string, std::string>> settings;
    for (const auto& option : url().options)
      if (!is_secret_option(option.first)) settings.push_back(option);
    return settings;
  }

  // ---- Scenarios (harness/scenario/) ---------------------------------------

  /// A probe that asks the server which sessions wait for another transaction,
  /// through a monitor connection of its own; nullptr when the database has no
  /// such view (then use_for_scenarios() makes its waits fail at once). Called
  /// from the thread that runs the cell. Throws DatabaseError when the monitor
  /// cannot connect.
  virtual std::unique_ptr<LockWaitProbe> make_lock_wait_probe() { return nullptr; }
  /// Adapts the sessions connect() opens from now on to `clobber scenario`,
  /// which must see every wait: a database without a lock-wait probe makes a
  /// statement that cannot get its lock fail at once rather than wait unseen
  /// (SQLite: busy_timeout=0 unless the URL sets one). Called once, before
  /// reported_settings() and the first connect().
  virtual void use_for_scenarios() {}
};

/// Creates the driver for a parsed URL, its messages scrubbed of the URL's
/// secrets (drivers/secrets.h). Throws InputError for a URL the driver refuses.
std::unique_ptr<Driver> make_driver(const DatabaseUrl& url);

}  // namespace clobber
