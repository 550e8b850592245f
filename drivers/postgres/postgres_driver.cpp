#include "drivers/postgres/postgres_driver.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

namespace clobber {
namespace {

/// libpqxx 6.4 turns class 08 SQLSTATEs and lost connections into
/// broken_connection without a SQLSTATE; 08006 is connection_failure. It also
/// throws 40000, 40001, 40003 and 40P01 as exception types that carry no SQLSTATE,
/// so those codes are restored from the type.
constexpr const char* kConnectionFailure = "08006";

/// The first line of a libpq error message, without its "ERROR:  " severity prefix.
std::string first_line(std::string_view message) {
  for (std::string_view prefix : {"ERROR:  ", "FATAL:  ", "PANIC:  "}) {
    if (message.starts_with(prefix)) {
      message.remove_prefix(prefix.size());
      break;
    }
  }
  return std::string(message.substr(0, message.find('\n')));
}

/// The cause an SQLSTATE stands for.
AbortCause cause_of(const std::string& sqlstate) {
  if (sqlstate == "40001") return AbortCause::serialization;
  if (sqlstate == "40P01") return AbortCause::deadlock;
  if (sqlstate == "55P03") return AbortCause::lock_timeout;
  if (sqlstate.starts_with("08")) return AbortCause::connection;
  return AbortCause::other;
}

/// Opens a connection that never silently reconnects: libpqxx 6 would otherwise
/// reopen a broken connection on the next statement, outside any transaction.
std::unique_ptr<pqxx::connection> open_connection(const std::string& conninfo) {
  auto connection = std::make_unique<pqxx::connection>(conninfo);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  return connection;
}

/// A statement prepared on a session: its server-side name and text.
struct Prepared {
  std::string name;
  std::string sql;
  size_t param_count = 0;
};

/// BEGIN statement text per isolation level (none has none).
const std::string& begin_sql(Isolation level) {
  static const std::string read_committed = "BEGIN ISOLATION LEVEL READ COMMITTED";
  static const std::string repeatable_read = "BEGIN ISOLATION LEVEL REPEATABLE READ";
  static const std::string serializable = "BEGIN ISOLATION LEVEL SERIALIZABLE";
  switch (level) {
    case Isolation::read_committed:
      return read_committed;
    case Isolation::repeatable_read:
      return repeatable_read;
    case Isolation::serializable:
      return serializable;
    case Isolation::none:
    case Isolation::read_uncommitted:
      break;
  }
  throw DatabaseError("PostgreSQL cannot begin a transaction at " + std::string(to_string(level)));
}

/// One libpq connection. Statements run through one long-lived nontransaction;
/// the session sends BEGIN/COMMIT/ROLLBACK itself (libpqxx keeps a nontransaction
/// usable after an error, and reactivation is inhibited, so a broken connection
/// is reported instead of silently replaced).
class PostgresSession final : public Session {
 public:
  /// Connects; throws pqxx::failure when the server cannot be reached.
  explicit PostgresSession(const std::string& conninfo)
      : conninfo_(conninfo),
        connection_(open_connection(conninfo_)),
        work_(std::make_unique<pqxx::nontransaction>(*connection_)),
        backend_pid_(connection_->backendpid()) {}

  StatementHandle prepare(const std::string& sql, int param_count) override {
    Prepared prepared{"clobber_" + std::to_string(statements_.size()), sql,
                      static_cast<size_t>(param_count)};
    try {
      prepare_on_server(prepared);
    } catch (const pqxx::failure& error) {
      connection_->unprepare(prepared.name);
      throw DatabaseError("cannot prepare PostgreSQL statement '" + sql +
                          "': " + first_line(error.what()));
    }
    statements_.push_back(std::move(prepared));
    return static_cast<StatementHandle>(statements_.size() - 1);
  }

  Outcome begin(Isolation level) override {
    if (level == Isolation::none) return {};
    Outcome outcome = run(begin_sql(level));
    in_transaction_ = outcome.ok();
    failure_.reset();
    return outcome;
  }

  Outcome commit() override {
    if (!in_transaction_) return {};
    if (failure_) {
      // PostgreSQL answers COMMIT in a failed transaction with ROLLBACK: report
      // the error that aborted it rather than a success.
      Outcome outcome = std::move(*failure_);
      rollback();
      outcome.message = "transaction rolled back at COMMIT after: " + outcome.message;
      return outcome;
    }
    in_transaction_ = false;
    return run(commit_sql());
  }

  Outcome rollback() override {
    if (!in_transaction_) return {};
    in_transaction_ = false;
    failure_.reset();
    // A lost connection has already ended the transaction on the server.
    if (!connection_->is_open()) return {};
    return run(rollback_sql());
  }

  Outcome execute(StatementHandle handle, std::span<const int64_t> params, std::span<int64_t> row,
                  StatementResult& result) override {
    if (handle < 0 || static_cast<size_t>(handle) >= statements_.size())
      throw std::out_of_range("unknown PostgreSQL statement handle " + std::to_string(handle));
    const Prepared& prepared = statements_[handle];
    if (params.size() != prepared.param_count)
      throw std::invalid_argument("PostgreSQL statement '" + prepared.sql + "' takes " +
                                  std::to_string(prepared.param_count) + " parameters, got " +
                                  std::to_string(params.size()));
    pqxx::result rows;
    try {
      rows = work_->exec_prepared(prepared.name,
                                  pqxx::prepare::make_dynamic_params(params.begin(), params.end()));
    } catch (const pqxx::failure&) {
      return current_failure();
    }
    result.rows_affected = static_cast<int64_t>(rows.affected_rows());
    result.has_row = !rows.empty();
    if (result.has_row) copy_row(rows[0], row, prepared);
    return {};
  }

  QueryRows query(const std::string& sql) override {
    pqxx::result result;
    try {
      result = work_->exec_params(sql);  // PQexecParams: one statement only
    } catch (const pqxx::failure&) {
      Outcome outcome = current_failure();
      std::string message =
          "PostgreSQL query failed (" + outcome.code + ": " + outcome.message + "): " + sql;
      if (outcome.cause == AbortCause::connection) throw ConnectionLost(message);
      throw DatabaseError(message);
    }
    return rows_of(result);
  }

  Outcome execute_text(const std::string& sql, TextResult& result) override {
    result = TextResult{};
    pqxx::result rows;
    try {
      rows = work_->exec_params(sql);  // PQexecParams: one statement only
    } catch (const pqxx::failure&) {
      return current_failure();
    }
    result.rows = rows_of(rows);
    if (rows.columns() == 0) result.rows_affected = static_cast<int64_t>(rows.affected_rows());
    return {};
  }

  QueryRows read_only_query(const std::string& sql) override {
    return query_read_only("BEGIN READ ONLY", sql);
  }

  std::string backend_id() override { return std::to_string(connection_->backendpid()); }

  Outcome reconnect() override {
    in_transaction_ = false;
    failure_.reset();
    // Build the new connection first: when the server is unreachable the old,
    // broken one stays, and every call keeps reporting a connection failure.
    std::unique_ptr<pqxx::connection> connection;
    std::unique_ptr<pqxx::nontransaction> work;
    try {
      connection = open_connection(conninfo_);
      work = std::make_unique<pqxx::nontransaction>(*connection);
    } catch (const pqxx::broken_connection& error) {
      return Outcome::failure(AbortCause::connection, kConnectionFailure, first_line(error.what()));
    } catch (const pqxx::sql_error& error) {  // e.g. 57P03: the server is starting up
      return Outcome::failure(AbortCause::connection, error.sqlstate(), first_line(error.what()));
    }
    work_ = std::move(work);
    controls_.clear();  // prepared on the old connection only
    connection_ = std::move(connection);
    backend_pid_.store(connection_->backendpid());
    for (const Prepared& prepared : statements_) {
      try {
        prepare_on_server(prepared);
      } catch (const pqxx::broken_connection& error) {
        return Outcome::failure(AbortCause::connection, kConnectionFailure,
                                first_line(error.what()));
      } catch (const pqxx::failure& error) {
        throw DatabaseError("cannot prepare PostgreSQL statement '" + prepared.sql +
                            "' again after reconnecting: " + first_line(error.what()));
      }
    }
    return {};
  }

  void cancel() override {
    // From a connection of its own: the session's libpq connection belongs to
    // its thread. Only the backend pid is shared.
    try {
      pqxx::connection connection(conninfo_);
      pqxx::nontransaction work(connection);
      work.exec("SELECT pg_cancel_backend(" + std::to_string(backend_pid_.load()) + ")");
    } catch (const std::exception&) {
      // lost: the caller cancels again while it waits
    }
  }

  void hold_run_lock(const RunOwner& owner) override {
    query("SELECT pg_advisory_lock(" + lock_key(owner) + ")");
  }

  bool claim_run_lock(const RunOwner& owner) override {
    const QueryRows rows = query("SELECT pg_try_advisory_lock(" + lock_key(owner) + ")");
    return !rows.rows.empty() && rows.rows[0][0] == "t";
  }

  void release_run_lock(const RunOwner& owner) override {
    query("SELECT pg_advisory_unlock(" + lock_key(owner) + ")");
  }

  bool table_exists(const std::string& name) override {
    // Unquoted, as clobber creates its tables: to_regclass folds it the same way.
    return query("SELECT to_regclass(" + work_->quote(name) + ") IS NOT NULL").rows.at(0).at(0) ==
           "t";
  }

  void limit_lock_waits(std::chrono::milliseconds limit) override {
    query("SET lock_timeout = " + std::to_string(limit.count()));
  }

 private:
  /// The session-level advisory lock key of a run: its 64-bit id, which the
  /// 16-hex-digit text spells (two's complement into bigint).
  static std::string lock_key(const RunOwner& owner) {
    uint64_t id = 0;
    const char* end = owner.run_id.data() + owner.run_id.size();
    const auto [stop, error] = std::from_chars(owner.run_id.data(), end, id, 16);
    if (error != std::errc() || stop != end || owner.run_id.empty())
      throw DatabaseError("bad clobber run id '" + owner.run_id + "'");
    return std::to_string(static_cast<int64_t>(id));
  }

  static const std::string& commit_sql() {
    static const std::string sql = "COMMIT";
    return sql;
  }
  static const std::string& rollback_sql() {
    static const std::string sql = "ROLLBACK";
    return sql;
  }

  /// Defines a statement on the connection and sends it to the server now, so
  /// that bad SQL fails at prepare() rather than during the run.
  void prepare_on_server(const Prepared& prepared) {
    connection_->prepare(prepared.name, prepared.sql);
    connection_->prepare_now(prepared.name);
  }

  /// Runs transaction-control SQL as a prepared statement, as pgbench's
  /// `-M prepared` does: the server parses each one once per connection.
  Outcome run(const std::string& sql) {
    try {
      work_->exec_prepared(control_name(sql));
    } catch (const pqxx::failure&) {
      return current_failure();
    }
    return {};
  }

  /// The prepared statement's name for a control statement (one of the static
  /// strings above), defining it on this connection the first time.
  const std::string& control_name(const std::string& sql) {
    for (const Control& control : controls_)
      if (control.sql == &sql) return control.name;
    controls_.push_back(Control{&sql, "clobber_control_" + std::to_string(controls_.size())});
    connection_->prepare(controls_.back().name, sql);
    return controls_.back().name;
  }

  /// Converts the libpqxx exception being handled into an outcome, and
  /// remembers the first failure inside a transaction for commit().
  Outcome current_failure() {
    Outcome outcome;
    try {
      throw;
    } catch (const pqxx::in_doubt_error& error) {
      outcome =
          Outcome::failure(AbortCause::connection, kConnectionFailure, first_line(error.what()));
    } catch (const pqxx::broken_connection& error) {
      outcome =
          Outcome::failure(AbortCause::connection, kConnectionFailure,
                           "connection to the server lost (" + first_line(error.what()) + ")");
    } catch (const pqxx::serialization_failure& error) {
      outcome = Outcome::failure(AbortCause::serialization, "40001", first_line(error.what()));
    } catch (const pqxx::deadlock_detected& error) {
      outcome = Outcome::failure(AbortCause::deadlock, "40P01", first_line(error.what()));
    } catch (const pqxx::statement_completion_unknown& error) {
      outcome = Outcome::failure(AbortCause::other, "40003", first_line(error.what()));
    } catch (const pqxx::transaction_rollback& error) {
      outcome = Outcome::failure(AbortCause::other, "40000", first_line(error.what()));
    } catch (const pqxx::sql_error& error) {
      outcome =
          Outcome::failure(cause_of(error.sqlstate()), error.sqlstate(), first_line(error.what()));
    } catch (const pqxx::failure& error) {
      outcome = Outcome::failure(AbortCause::other, "", first_line(error.what()));
    }
    // The server may report why it closed the connection (57P01 admin shutdown).
    if (!connection_->is_open()) outcome.cause = AbortCause::connection;
    if (in_transaction_ && !failure_) failure_ = outcome;
    return outcome;
  }

  /// Every row of a result as text, NULL as nullopt.
  static QueryRows rows_of(const pqxx::result& result) {
    QueryRows rows;
    for (pqxx::row::size_type i = 0; i < result.columns(); ++i)
      rows.columns.emplace_back(result.column_name(i));
    rows.rows.reserve(result.size());
    for (const pqxx::row& source : result) {
      auto& values = rows.rows.emplace_back();
      values.reserve(source.size());
      for (const pqxx::field& field : source) {
        if (field.is_null())
          values.emplace_back(std::nullopt);
        else
          values.emplace_back(std::string(field.c_str(), field.size()));
      }
    }
    return rows;
  }

  /// Copies the first row's columns as int64 (NULL as 0, booleans as 0/1).
  static void copy_row(const pqxx::row& source, std::span<int64_t> row, const Prepared& prepared) {
    size_t columns = std::min(row.size(), static_cast<size_t>(source.size()));
    for (size_t i = 0; i < columns; ++i) {
      const pqxx::field field = source[static_cast<pqxx::row::size_type>(i)];
      if (field.is_null()) {
        row[i] = 0;
        continue;
      }
      std::string_view text(field.c_str(), field.size());
      if (text == "t" || text == "f") {
        row[i] = text == "t";
        continue;
      }
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), row[i]);
      if (error != std::errc() || end != text.data() + text.size())
        throw DatabaseError("PostgreSQL statement '" + prepared.sql + "' returned '" +
                            std::string(text) + "' in column " + std::to_string(i + 1) +
                            ", which is not a 64-bit integer");
    }
  }

  std::string conninfo_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<pqxx::nontransaction> work_;  // declared after the connection it uses
  std::vector<Prepared> statements_;            // indexed by StatementHandle
  /// A transaction-control statement prepared on the current connection.
  struct Control {
    const std::string* sql;
    std::string name;
  };
  std::vector<Control> controls_;
  bool in_transaction_ = false;
  std::optional<Outcome> failure_;  // first error inside the open transaction
  std::atomic<int> backend_pid_;    // of the current connection, for cancel()
};

/// Appends " key='value'" to a libpq conninfo string, quoted as libpq reads it.
void append_conninfo(std::string& conninfo, std::string_view key, std::string_view value) {
  if (!conninfo.empty()) conninfo += ' ';
  conninfo += key;
  conninfo += "='";
  for (char c : value) {
    if (c == '\\' || c == '\'') conninfo += '\\';
    conninfo += c;
  }
  conninfo += '\'';
}

/// The conninfo string of the fields libpq parsed from the URL (drivers/url.cpp),
/// plus application_name=clobber and connect_timeout=10 unless the URL sets them.
std::string make_conninfo(const DatabaseUrl& url) {
  std::string conninfo;
  if (!url.host.empty()) append_conninfo(conninfo, "host", url.host);
  if (!url.ports.empty()) append_conninfo(conninfo, "port", url.ports);
  if (!url.user.empty()) append_conninfo(conninfo, "user", url.user);
  if (!url.password.empty()) append_conninfo(conninfo, "password", url.password);
  append_conninfo(conninfo, "dbname", url.database);
  for (const auto& [key, value] : url.options) append_conninfo(conninfo, key, value);
  auto has_option = [&url](std::string_view key) {
    for (const auto& option : url.options)
      if (option.first == key) return true;
    return false;
  };
  if (!has_option("application_name")) append_conninfo(conninfo, "application_name", "clobber");
  if (!has_option("connect_timeout")) append_conninfo(conninfo, "connect_timeout", "10");
  return conninfo;
}

}  // namespace

PostgresDriver::PostgresDriver(DatabaseUrl url)
    : url_(std::move(url)), conninfo_(make_conninfo(url_)) {}

std::string PostgresDriver::server_version() {
  if (!server_version_) {
    QueryRows rows = connect()->query("SHOW server_version");
    if (rows.rows.empty() || rows.rows[0].empty() || !rows.rows[0][0])
      throw DatabaseError("PostgreSQL at " + url_.masked + " did not report its version");
    server_version_ = *rows.rows[0][0];
  }
  return *server_version_;
}

std::unique_ptr<Session> PostgresDriver::connect() {
  try {
    return std::make_unique<PostgresSession>(conninfo_);
  } catch (const pqxx::failure& error) {
    throw DatabaseError("cannot connect to PostgreSQL at " + url_.masked + ": " +
                        first_line(error.what()));
  }
}

std::optional<std::string> PostgresDriver::unsupported_isolation(Isolation level) const {
  if (level == Isolation::read_uncommitted)
    return "PostgreSQL runs READ UNCOMMITTED as READ COMMITTED; clobber does not relabel levels";
  return std::nullopt;
}

std::optional<std::string> PostgresDriver::unsupported_locking(Locking) const {
  return std::nullopt;
}

}  // namespace clobber
