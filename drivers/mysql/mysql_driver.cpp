#include "drivers/mysql/mysql_driver.h"

#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/parameter_metadata.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "drivers/mysql/mysql_dialect.h"
#include "drivers/sql/sql_session.h"
#include "drivers/url.h"

namespace clobber {
namespace {

/// Server error numbers with a cause of their own (mysqld_error.h, MariaDB's errmsg).
constexpr int kErrServerShutdown = 1053;            // ER_SERVER_SHUTDOWN: the connection ends
constexpr int kErrCheckRead = 1020;                 // ER_CHECKREAD: MariaDB snapshot isolation
constexpr int kErrLockWaitTimeout = 1205;           // ER_LOCK_WAIT_TIMEOUT
constexpr int kErrLockDeadlock = 1213;              // ER_LOCK_DEADLOCK
constexpr int kErrConnectionKilled = 1927;          // ER_CONNECTION_KILLED (MariaDB)
constexpr int kErrUserLockDeadlock = 3058;          // ER_USER_LOCK_DEADLOCK (MySQL GET_LOCK cycles)
constexpr int kErrSessionWasKilled = 3169;          // ER_SESSION_WAS_KILLED (MySQL)
constexpr int kErrLockNowait = 3572;                // ER_LOCK_NOWAIT (MySQL NOWAIT)
constexpr int kErrClientInteractionTimeout = 4031;  // MySQL: disconnected for inactivity
/// Client-side errors (CR_*, errmsg.h): the connection is unusable.
constexpr int kFirstClientError = 2000;
constexpr int kLastClientError = 2999;

/// The cause a MySQL/MariaDB error number stands for.
AbortCause cause_of(int error) {
  switch (error) {
    case kErrLockDeadlock:
    case kErrUserLockDeadlock:
      return AbortCause::deadlock;
    case kErrLockWaitTimeout:
    case kErrLockNowait:
      return AbortCause::lock_timeout;
    case kErrCheckRead:
      return AbortCause::serialization;
    case kErrServerShutdown:
    case kErrConnectionKilled:
    case kErrSessionWasKilled:
    case kErrClientInteractionTimeout:
      return AbortCause::connection;
    default:
      break;
  }
  if (error >= kFirstClientError && error <= kLastClientError) return AbortCause::connection;
  return AbortCause::other;
}

/// The first line of an error message.
std::string first_line(std::string_view message) {
  return std::string(message.substr(0, message.find('\n')));
}

/// The error number as text; Connector/C++'s own errors carry none, only an SQLSTATE.
std::string code_of(const sql::SQLException& error) {
  if (error.getErrorCode() != 0) return std::to_string(error.getErrorCode());
  return error.getSQLState();
}

/// The outcome a Connector/C++ exception stands for.
Outcome outcome_of(const sql::SQLException& error) {
  return Outcome::failure(cause_of(error.getErrorCode()), code_of(error), first_line(error.what()));
}

/// "message (code)" for exceptions.
std::string describe(const sql::SQLException& error) {
  return first_line(error.what()) + " (" + code_of(error) + ")";
}

/// Connector/C++'s driver, created once (it initializes the client library).
sql::Driver& connector() {
  static sql::Driver* const driver = get_driver_instance();
  return *driver;
}

/// Connects without applying session settings; throws sql::SQLException.
std::unique_ptr<sql::Connection> open_connection(const MysqlConnectConfig& config) {
  const bool ipv6 = config.host.find(':') != std::string::npos;
  sql::ConnectOptionsMap options;
  options["hostName"] = sql::SQLString("tcp://" + (ipv6 ? "[" + config.host + "]" : config.host) +
                                       ":" + std::to_string(config.port));
  options["port"] = config.port;
  options["userName"] = sql::SQLString(config.user);
  options["password"] = sql::SQLString(config.password);
  options["schema"] = sql::SQLString(config.database);
  options["OPT_CONNECT_TIMEOUT"] = 10;
  options["OPT_RECONNECT"] = false;
  options["CLIENT_FOUND_ROWS"] = true;
  return std::unique_ptr<sql::Connection>(connector().connect(options));
}

/// Transaction-control statements, built once: the hot path passes them by reference.
const sql::SQLString& isolation_sql(Isolation level) {
  static const sql::SQLString read_uncommitted(
      "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
  static const sql::SQLString read_committed(
      "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  static const sql::SQLString repeatable_read(
      "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  static const sql::SQLString serializable("SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE");
  switch (level) {
    case Isolation::read_uncommitted:
      return read_uncommitted;
    case Isolation::read_committed:
      return read_committed;
    case Isolation::repeatable_read:
      return repeatable_read;
    case Isolation::serializable:
      return serializable;
    case Isolation::none:
      break;
  }
  throw std::invalid_argument("no isolation level statement for isolation none");
}
const sql::SQLString& start_sql() {
  static const sql::SQLString sql("START TRANSACTION");
  return sql;
}
const sql::SQLString& commit_sql() {
  static const sql::SQLString sql("COMMIT");
  return sql;
}
const sql::SQLString& rollback_sql() {
  static const sql::SQLString sql("ROLLBACK");
  return sql;
}

/// A statement prepared on a session, kept with what execute() and reconnect() need.
struct Prepared {
  std::string sql;
  size_t param_count = 0;
  size_t column_count = 0;  // 0: no result set (UPDATE, INSERT, DELETE, ...)
  std::unique_ptr<sql::PreparedStatement> statement;
  int read_back = -1;  // a write's SELECT of the session variables it set (SqlStatement)
};

/// One connection. Statements are server-side prepared (binary protocol) and
/// reused; transaction control is text on one long-lived sql::Statement.
/// Autocommit stays on: a transaction is START TRANSACTION, ended by COMMIT or
/// ROLLBACK, at the session's isolation level, which begin() sets (SET SESSION
/// TRANSACTION ISOLATION LEVEL) only when it differs from the last one set on
/// this connection: one round trip per transaction instead of two.
class MysqlSession final : public SqlSession {
 public:
  /// Connects and applies the session settings. Throws sql::SQLException when
  /// the server cannot be reached, DatabaseError when it rejects a setting.
  explicit MysqlSession(MysqlConnectConfig config)
      : config_(std::move(config)),
        connection_(open_connection(config_)),
        control_(apply_settings(*connection_)),
        connection_id_(fetch_connection_id()) {}

  using SqlSession::prepare;
  StatementHandle prepare(const std::string& sql, int param_count) override {
    Prepared prepared{sql, static_cast<size_t>(param_count), 0, nullptr, -1};
    try {
      prepared.statement = prepare_on(*connection_, prepared);
    } catch (const sql::SQLException& error) {
      throw DatabaseError("cannot prepare MySQL statement '" + sql + "': " + describe(error));
    }
    statements_.push_back(std::move(prepared));
    return static_cast<StatementHandle>(statements_.size() - 1);
  }

  Outcome begin(Isolation level) override {
    if (level == Isolation::none) return {};
    failure_.reset();
    if (session_level_ != level) {
      Outcome outcome = run(isolation_sql(level));
      if (!outcome.ok()) return outcome;
      session_level_ = level;
    }
    Outcome outcome = run(start_sql());
    in_transaction_ = outcome.ok();
    return outcome;
  }

  Outcome commit() override {
    if (!in_transaction_) return {};
    if (failure_) {
      // Never commit a transaction one of whose statements failed: MySQL keeps
      // the other statements' writes (a lock wait timeout undoes only its own).
      Outcome outcome = std::move(*failure_);
      rollback();
      outcome.message = "transaction rolled back at COMMIT after: " + outcome.message;
      return outcome;
    }
    in_transaction_ = false;
    Outcome outcome = run(commit_sql());
    // A failed COMMIT may leave the transaction open; the next START TRANSACTION
    // would commit it implicitly.
    if (!outcome.ok() && !broken_) run(rollback_sql());
    return outcome;
  }

  Outcome rollback() override {
    if (!in_transaction_) return {};
    in_transaction_ = false;
    failure_.reset();
    // A lost connection has already ended the transaction on the server.
    if (broken_) return {};
    return run(rollback_sql());
  }

  Outcome execute(StatementHandle handle, std::span<const int64_t> params, std::span<int64_t> row,
                  StatementResult& result) override {
    if (handle < 0 || static_cast<size_t>(handle) >= statements_.size())
      throw std::out_of_range("unknown MySQL statement handle " + std::to_string(handle));
    Prepared& prepared = statements_[static_cast<size_t>(handle)];
    if (params.size() != prepared.param_count)
      throw std::invalid_argument("MySQL statement '" + prepared.sql + "' takes " +
                                  std::to_string(prepared.param_count) + " parameters, got " +
                                  std::to_string(params.size()));
    try {
      sql::PreparedStatement& statement = *prepared.statement;
      for (size_t i = 0; i < params.size(); ++i)
        statement.setInt64(static_cast<unsigned int>(i + 1), params[i]);
      if (prepared.column_count == 0) {
        result.rows_affected = statement.executeUpdate();
        result.has_row = false;
        if (prepared.read_back < 0 || result.rows_affected == 0) return {};
        // What the write set, from its session variables (mysql_dialect.cpp).
        StatementResult read_back;
        Outcome outcome = execute(prepared.read_back, {}, row, read_back);
        result.has_row = read_back.has_row;
        return outcome;
      }
      const std::unique_ptr<sql::ResultSet> rows(statement.executeQuery());
      result.rows_affected = static_cast<int64_t>(rows->rowsCount());
      result.has_row = rows->next();
      if (result.has_row) {
        const size_t columns = std::min(row.size(), prepared.column_count);
        for (size_t i = 0; i < columns; ++i)
          row[i] = rows->getInt64(static_cast<uint32_t>(i + 1));  // NULL reads as 0
      }
    } catch (const sql::SQLException& error) {
      return failed(error);
    }
    return {};
  }

  QueryRows query(const std::string& sql) override {
    QueryRows rows;
    try {
      if (!control_->execute(sql)) return rows;
      rows = result_rows();
    } catch (const sql::SQLException& error) {
      std::string message =
          "MySQL query failed (" + code_of(error) + ": " + first_line(error.what()) + "): " + sql;
      if (cause_of(error.getErrorCode()) == AbortCause::connection) {
        broken_ = true;
        throw ConnectionLost(message);
      }
      throw DatabaseError(message);
    }
    return rows;
  }

  Outcome execute_text(const std::string& sql, TextResult& result) override {
    result = TextResult{};
    try {
      if (control_->execute(sql))
        result.rows = result_rows();
      else
        result.rows_affected = static_cast<int64_t>(control_->getUpdateCount());
    } catch (const sql::SQLException& error) {
      return failed(error);
    }
    return {};
  }

  QueryRows read_only_query(const std::string& sql) override {
    return query_read_only("START TRANSACTION READ ONLY", sql);
  }

  bool kill_session(const std::string& backend_id) override {
    // Connection ids are never reused while the server runs; the check keeps a
    // stale id from ever reaching another user's or database's connection.
    const QueryRows rows = query("SELECT COUNT(*) FROM information_schema.processlist WHERE id = " +
                                 std::to_string(std::stoll(backend_id)) +
                                 " AND db = DATABASE() AND user = SUBSTRING_INDEX(USER(), '@', 1)"
                                 " AND id <> CONNECTION_ID()");
    if (rows.rows.empty() || !rows.rows[0][0] || *rows.rows[0][0] != "1") return false;
    try {
      query("KILL CONNECTION " + backend_id);
    } catch (const ConnectionLost&) {
      throw;
    } catch (const DatabaseError&) {
      return false;  // 1094: it ended on its own in between
    }
    return true;
  }

  std::string backend_id() override { return std::to_string(connection_id_.load()); }

  Outcome reconnect() override {
    in_transaction_ = false;
    failure_.reset();
    session_level_.reset();  // a new connection starts at the server's default
    // Build the new connection and its statements first: when the server is
    // unreachable the old, broken one stays, and every call keeps failing.
    std::unique_ptr<sql::Connection> connection;
    std::unique_ptr<sql::Statement> control;
    std::vector<std::unique_ptr<sql::PreparedStatement>> prepared;  // destroyed first
    try {
      connection = open_connection(config_);
      control = apply_settings(*connection);
      prepared.reserve(statements_.size());
      for (Prepared& statement : statements_)
        prepared.push_back(prepare_on(*connection, statement));
    } catch (const sql::SQLException& error) {
      Outcome outcome = outcome_of(error);
      if (outcome.cause == AbortCause::connection) return outcome;
      if (connection)
        throw DatabaseError("cannot prepare MySQL statements again after reconnecting: " +
                            describe(error));
      // Refused by the server (too many connections, access denied, ...): still down.
      outcome.cause = AbortCause::connection;
      return outcome;
    }
    for (Prepared& statement : statements_) statement.statement.reset();
    control_.reset();
    connection_ = std::move(connection);
    control_ = std::move(control);
    for (size_t i = 0; i < statements_.size(); ++i)
      statements_[i].statement = std::move(prepared[i]);
    broken_ = false;
    try {
      connection_id_.store(fetch_connection_id());
    } catch (const DatabaseError& error) {
      broken_ = true;
      return Outcome::failure(AbortCause::connection, "2013", error.what());
    }
    return {};
  }

  void cancel() override {
    // From a connection of its own: only the connection id is shared.
    try {
      std::unique_ptr<sql::Connection> connection = open_connection(config_);
      std::unique_ptr<sql::Statement> statement(connection->createStatement());
      statement->execute("KILL QUERY " + std::to_string(connection_id_.load()));
    } catch (const std::exception&) {
      // lost: the caller cancels again while it waits
    }
  }

  void hold_run_lock(const RunOwner& owner) override {
    if (query("SELECT GET_LOCK(" + lock_name(owner) + ", 0)").rows.at(0).at(0) != "1")
      throw DatabaseError("another session holds the lock of clobber run " + owner.run_id);
  }

  bool claim_run_lock(const RunOwner& owner) override {
    return query("SELECT GET_LOCK(" + lock_name(owner) + ", 0)").rows.at(0).at(0) == "1";
  }

  void release_run_lock(const RunOwner& owner) override {
    query("DO RELEASE_LOCK(" + lock_name(owner) + ")");
  }

  bool table_exists(const std::string& name) override {
    std::string literal = "'";
    for (char c : name) literal += c == '\'' || c == '\\' ? std::string(2, c) : std::string(1, c);
    literal += '\'';
    return query(
               "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
               "AND table_name = " +
               literal)
               .rows.at(0)
               .at(0) != "0";
  }

  void limit_lock_waits(std::chrono::milliseconds limit) override {
    const auto seconds = std::max<int64_t>(1, (limit.count() + 999) / 1000);
    query("SET SESSION lock_wait_timeout = " + std::to_string(seconds));
    query("SET SESSION innodb_lock_wait_timeout = " + std::to_string(seconds));
  }

 protected:
  const SqlDialect& dialect() const override { return mysql_dialect(); }
  StatementHandle prepare_lowered(const SqlStatement& statement) override {
    const StatementHandle handle = prepare(statement.sql, statement.params);
    if (!statement.read_back.empty()) {
      const StatementHandle read_back = prepare(statement.read_back, 0);
      statements_[static_cast<size_t>(handle)].read_back = read_back;
    }
    return handle;
  }

 private:
  /// CONNECTION_ID() of the connection just opened (read once per connect:
  /// backend_id() and cancel() use the stored value). Throws DatabaseError.
  uint64_t fetch_connection_id() {
    const QueryRows rows = query("SELECT CONNECTION_ID()");
    if (rows.rows.empty() || rows.rows[0].empty() || !rows.rows[0][0])
      throw DatabaseError("MySQL did not report the connection id");
    return std::stoull(*rows.rows[0][0]);
  }

  /// The GET_LOCK name of a run (hex digits only: nothing to quote).
  static std::string lock_name(const RunOwner& owner) {
    if (owner.run_id.empty() || !std::all_of(owner.run_id.begin(), owner.run_id.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c));
        }))
      throw DatabaseError("bad clobber run id '" + owner.run_id + "'");
    return "'clobber_run_" + owner.run_id + "'";
  }

  /// Applies the URL's session settings on a new connection and returns the
  /// statement that ran them, kept for transaction control and query().
  /// Throws DatabaseError when the server rejects a setting.
  std::unique_ptr<sql::Statement> apply_settings(sql::Connection& connection) const {
    std::unique_ptr<sql::Statement> control(connection.createStatement());
    for (const std::string& sql : config_.session_sql) {
      try {
        control->execute(sql);
      } catch (const sql::SQLException& error) {
        if (cause_of(error.getErrorCode()) == AbortCause::connection) throw;
        throw DatabaseError("MySQL rejected the URL's session setting '" + sql +
                            "': " + describe(error));
      }
    }
    return control;
  }

  /// Prepares `prepared.sql` on `connection`, checks its parameter count and
  /// records its column count. Throws sql::SQLException or DatabaseError.
  static std::unique_ptr<sql::PreparedStatement> prepare_on(sql::Connection& connection,
                                                            Prepared& prepared) {
    std::unique_ptr<sql::PreparedStatement> statement(connection.prepareStatement(prepared.sql));
    // Both metadata objects are owned by the statement.
    const int params = statement->getParameterMetaData()->getParameterCount();
    if (static_cast<size_t>(params) != prepared.param_count)
      throw DatabaseError("MySQL statement '" + prepared.sql + "' has " + std::to_string(params) +
                          " parameters, expected " + std::to_string(prepared.param_count));
    prepared.column_count = statement->getMetaData()->getColumnCount();
    return statement;
  }

  /// Every row of the result set control_ just produced, as text (NULL as nullopt).
  QueryRows result_rows() {
    QueryRows rows;
    const std::unique_ptr<sql::ResultSet> result(control_->getResultSet());
    sql::ResultSetMetaData& meta = *result->getMetaData();  // owned by the result set
    const unsigned int columns = meta.getColumnCount();
    for (unsigned int i = 1; i <= columns; ++i)
      rows.columns.push_back(meta.getColumnLabel(i).asStdString());
    rows.rows.reserve(result->rowsCount());
    while (result->next()) {
      auto& values = rows.rows.emplace_back();
      values.reserve(columns);
      for (unsigned int i = 1; i <= columns; ++i) {
        sql::SQLString text = result->getString(i);
        if (result->wasNull())
          values.emplace_back(std::nullopt);
        else
          values.emplace_back(text.asStdString());
      }
    }
    return rows;
  }

  /// Runs transaction-control SQL.
  Outcome run(const sql::SQLString& sql) {
    try {
      control_->execute(sql);
    } catch (const sql::SQLException& error) {
      return failed(error);
    }
    return {};
  }

  /// The outcome of a failed call; remembers a broken connection, and the first
  /// failure inside a transaction for commit().
  Outcome failed(const sql::SQLException& error) {
    Outcome outcome = outcome_of(error);
    if (outcome.cause == AbortCause::connection) broken_ = true;
    if (in_transaction_ && !failure_) failure_ = outcome;
    return outcome;
  }

  MysqlConnectConfig config_;
  std::unique_ptr<sql::Connection> connection_;
  // Declared after the connection: statements are destroyed before it.
  std::unique_ptr<sql::Statement> control_;  // transaction control and query()
  std::vector<Prepared> statements_;         // indexed by StatementHandle
  bool in_transaction_ = false;
  bool broken_ = false;                     // the connection was lost; only reconnect() helps
  std::optional<Isolation> session_level_;  // set by begin(); unknown until then
  std::optional<Outcome> failure_;          // first error inside the open transaction
  std::atomic<uint64_t> connection_id_;  // CONNECTION_ID() of the current connection, for cancel()
};

/// True for a plain SQL identifier: a letter or '_', then letters, digits or '_'.
bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

/// True for a decimal number: an optional '-', digits, optionally '.' and digits.
bool is_number(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  const size_t dot = text.find('.');
  auto digits = [](std::string_view part) {
    return !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
  };
  return digits(text.substr(0, dot)) &&
         (dot == std::string_view::npos || digits(text.substr(dot + 1)));
}

/// The value as SQL: numbers and ON/OFF as they are, anything else a string literal.
std::string setting_value(const std::string& value) {
  std::string upper = value;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (is_number(value) || upper == "ON" || upper == "OFF") return value;
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += c;
    quoted += c;
  }
  quoted += '\'';
  return quoted;
}

/// The connection settings of a URL, with one SET SESSION statement per option.
/// Without a password in the URL, MYSQL_PWD's is used, as the mysql client does.
MysqlConnectConfig make_config(const DatabaseUrl& url) {
  MysqlConnectConfig config{url.host, url.port, url.user, url.password, url.database, {}};
  if (config.password.empty())
    if (const char* password = std::getenv("MYSQL_PWD")) config.password = password;
  for (const auto& [name, value] : url.options) {
    if (name == "password") continue;  // the URL parser took it as the password
    if (is_secret_option(name))
      throw bad_database_url(url.masked, "option '" + name +
                                             "' is not a MySQL session variable; the password "
                                             "goes in the user info or as password=");
    if (!is_identifier(name))
      throw bad_database_url(url.masked, "option '" + name +
                                             "' is not a MySQL session variable name (every "
                                             "option of a mysql:// URL is set with SET SESSION)");
    if (name == "autocommit")
      throw bad_database_url(url.masked,
                             "autocommit cannot be set; clobber turns it on and runs transactions "
                             "with START TRANSACTION at the cell's isolation level");
    config.session_sql.push_back("SET SESSION " + name + " = " + setting_value(value));
  }
  return config;
}

}  // namespace

MysqlDriver::MysqlDriver(DatabaseUrl url) : url_(std::move(url)), config_(make_config(url_)) {}

std::string MysqlDriver::server_version() {
  if (!server_version_) {
    QueryRows rows = connect()->query("SELECT VERSION()");
    if (rows.rows.empty() || rows.rows[0].empty() || !rows.rows[0][0])
      throw DatabaseError("MySQL at " + url_.masked + " did not report its version");
    server_version_ = *rows.rows[0][0];
  }
  return *server_version_;
}

std::unique_ptr<Session> MysqlDriver::connect() {
  try {
    return std::make_unique<MysqlSession>(config_);
  } catch (const sql::SQLException& error) {
    throw DatabaseError("cannot connect to MySQL at " + url_.masked + ": " + describe(error));
  } catch (const DatabaseError& error) {
    throw DatabaseError("cannot connect to MySQL at " + url_.masked + ": " + error.what());
  }
}

std::optional<std::string> MysqlDriver::unsupported_isolation(Isolation) const {
  return std::nullopt;
}

std::optional<std::string> MysqlDriver::unsupported_locking(Locking) const {
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> MysqlDriver::reported_settings() {
  if (!reported_settings_) {
    std::vector<std::pair<std::string, std::string>> settings = Driver::reported_settings();
    // MySQL 8 names the level transaction_isolation, MariaDB 10.11 tx_isolation;
    // innodb_snapshot_isolation exists on MariaDB only (10.6.18, 10.11.8 and later).
    QueryRows rows = connect()->query(
        "SHOW SESSION VARIABLES WHERE Variable_name IN "
        "('transaction_isolation', 'tx_isolation', 'innodb_snapshot_isolation')");
    auto value_of = [&rows](std::string_view name) -> std::optional<std::string> {
      for (const auto& row : rows.rows)
        if (row.size() == 2 && row[0] == name && row[1]) return *row[1];
      return std::nullopt;
    };
    auto add = [&settings](const std::string& name, std::optional<std::string> value) {
      if (!value) return;
      for (const auto& setting : settings)
        if (setting.first == name) return;
      settings.emplace_back(name, std::move(*value));
    };
    std::optional<std::string> isolation = value_of("transaction_isolation");
    add("transaction_isolation", isolation ? isolation : value_of("tx_isolation"));
    add("innodb_snapshot_isolation", value_of("innodb_snapshot_isolation"));
    reported_settings_ = std::move(settings);
  }
  return *reported_settings_;
}

}  // namespace clobber
