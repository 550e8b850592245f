#include "drivers/postgres/postgres_driver.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <libpq-fe.h>
#include <pqxx/pqxx>

#include "drivers/postgres/postgres_dialect.h"
#include "drivers/sql/sql_session.h"

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

/// libpqxx's direct connection policy, keeping the libpq handle it opens: the
/// measured path (begin, execute, commit, rollback) talks to libpq itself, in
/// pipeline mode, which libpqxx 6.4 does not have; everything else stays libpqxx.
class HandleKeepingPolicy final : public pqxx::connect_direct {
 public:
  /// A policy for the conninfo string `options`.
  explicit HandleKeepingPolicy(const std::string& options) : connect_direct(options) {}
  handle do_startconnect(handle orig) override {
    handle_ = connect_direct::do_startconnect(orig);
    return handle_;
  }
  handle do_completeconnect(handle orig) override {
    handle_ = connect_direct::do_completeconnect(orig);
    return handle_;
  }
  handle do_dropconnect(handle orig) noexcept override {
    handle_ = nullptr;
    return connect_direct::do_dropconnect(orig);
  }
  handle do_disconnect(handle orig) noexcept override {
    handle_ = nullptr;
    return connect_direct::do_disconnect(orig);
  }
  /// The open connection's libpq handle, null when none is open.
  PGconn* handle_value() const { return handle_; }

 private:
  handle handle_ = nullptr;
};

/// A libpqxx connection whose libpq handle the session may also use directly,
/// between libpqxx calls (libpqxx is then idle and the connection out of
/// pipeline mode). As pqxx::connection, the policy is built after the base.
class Connection final : public pqxx::connection_base {
 public:
  /// Connects; throws pqxx::failure when the server cannot be reached.
  explicit Connection(const std::string& conninfo)
      : pqxx::connection_base(policy_), policy_(conninfo) {
    init();
  }
  ~Connection() noexcept { close(); }
  /// The libpq handle of the open connection.
  PGconn* raw() const { return policy_.handle_value(); }

 private:
  HandleKeepingPolicy policy_;
};

/// Opens a connection that never silently reconnects: libpqxx 6 would otherwise
/// reopen a broken connection on the next statement, outside any transaction.
std::unique_ptr<Connection> open_connection(const std::string& conninfo) {
  auto connection = std::make_unique<Connection>(conninfo);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  if (connection->raw() == nullptr)
    throw DatabaseError("libpqxx opened a PostgreSQL connection without a libpq handle");
  return connection;
}

/// A statement prepared on a session: its server-side name and text.
struct Prepared {
  std::string name;
  std::string sql;
  size_t param_count = 0;
};

/// Transaction-control statements, prepared on every connection as pgbench's
/// `-M prepared` does: the server parses each one once per connection.
enum class Control : uint8_t {
  begin_read_committed,
  begin_repeatable_read,
  begin_serializable,
  commit,
  rollback
};
/// Their names and texts, in Control order.
constexpr std::array<std::pair<const char*, const char*>, 5> kControls{{
    {"clobber_begin_rc", "BEGIN ISOLATION LEVEL READ COMMITTED"},
    {"clobber_begin_rr", "BEGIN ISOLATION LEVEL REPEATABLE READ"},
    {"clobber_begin_s", "BEGIN ISOLATION LEVEL SERIALIZABLE"},
    {"clobber_commit", "COMMIT"},
    {"clobber_rollback", "ROLLBACK"},
}};

/// The BEGIN of an isolation level (none and read_uncommitted have none).
Control begin_of(Isolation level) {
  switch (level) {
    case Isolation::read_committed:
      return Control::begin_read_committed;
    case Isolation::repeatable_read:
      return Control::begin_repeatable_read;
    case Isolation::serializable:
      return Control::begin_serializable;
    case Isolation::none:
    case Isolation::read_uncommitted:
      break;
  }
  throw DatabaseError("PostgreSQL cannot begin a transaction at " + std::string(to_string(level)));
}

/// Frees a libpq result.
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

/// One prepared statement sent in a pipeline, with its parameters as text.
struct Call {
  const char* name = nullptr;
  int param_count = 0;
  const char* const* values = nullptr;
};

/// What the server answered to one call of a pipeline.
struct Reply {
  Outcome outcome;   // failure when the call failed or was skipped after a failure
  ResultPtr result;  // its result when it succeeded
};

/// One libpq connection. The measured path sends prepared statements itself,
/// several to a round trip in pipeline mode: BEGIN goes with the transaction's
/// first statement and COMMIT with its last write (execute_then_commit). Text
/// SQL runs through one long-lived libpqxx nontransaction; reactivation is
/// inhibited, so a broken connection is reported instead of silently replaced.
class PostgresSession final : public SqlSession {
 public:
  /// Connects; throws pqxx::failure when the server cannot be reached.
  explicit PostgresSession(const std::string& conninfo)
      : conninfo_(conninfo),
        connection_(open_connection(conninfo_)),
        work_(std::make_unique<pqxx::nontransaction>(*connection_)),
        backend_pid_(connection_->backendpid()) {
    if (!prepare_controls().ok())
      throw DatabaseError("cannot prepare PostgreSQL's transaction-control statements: " +
                          std::string(PQerrorMessage(connection_->raw())));
  }

  using SqlSession::prepare;
  StatementHandle prepare(const std::string& sql, int param_count) override {
    Prepared prepared{"clobber_" + std::to_string(statements_.size()), sql,
                      static_cast<size_t>(param_count)};
    int takes = 0;
    try {
      prepare_on_server(prepared);
      takes = server_param_count(prepared.name);
    } catch (const pqxx::failure& error) {
      connection_->unprepare(prepared.name);
      throw DatabaseError("cannot prepare PostgreSQL statement '" + sql +
                          "': " + first_line(error.what()));
    }
    // PostgreSQL accepts a declared parameter the SQL does not use: check.
    if (static_cast<size_t>(takes) != prepared.param_count) {
      connection_->unprepare(prepared.name);
      throw DatabaseError("cannot prepare PostgreSQL statement '" + sql + "': it takes " +
                          std::to_string(takes) + " parameters, not " +
                          std::to_string(param_count));
    }
    statements_.push_back(std::move(prepared));
    if (static_cast<size_t>(param_count) > param_text_.size()) {
      param_text_.resize(static_cast<size_t>(param_count));
      param_values_.resize(static_cast<size_t>(param_count));
    }
    return static_cast<StatementHandle>(statements_.size() - 1);
  }

  Outcome begin(Isolation level) override {
    if (level == Isolation::none) return {};
    if (PQstatus(connection_->raw()) == CONNECTION_BAD) return lost_connection();
    // Sent with the first statement: PostgreSQL takes the transaction's
    // snapshot at its first statement, not at BEGIN.
    pending_begin_ = begin_of(level);
    in_transaction_ = true;
    failure_.reset();
    return {};
  }

  Outcome commit() override {
    if (!in_transaction_) return {};
    if (pending_begin_) {  // nothing ran: nothing to commit
      pending_begin_.reset();
      in_transaction_ = false;
      return {};
    }
    if (failure_) {
      // PostgreSQL answers COMMIT in a failed transaction with ROLLBACK: report
      // the error that aborted it rather than a success.
      Outcome outcome = std::move(*failure_);
      rollback();
      outcome.message = "transaction rolled back at COMMIT after: " + outcome.message;
      return outcome;
    }
    in_transaction_ = false;
    return run_control(Control::commit);
  }

  Outcome rollback() override {
    if (!in_transaction_) return {};
    in_transaction_ = false;
    failure_.reset();
    if (pending_begin_) {  // BEGIN was never sent
      pending_begin_.reset();
      return {};
    }
    // A lost connection has already ended the transaction on the server.
    if (!connection_->is_open()) return {};
    return run_control(Control::rollback);
  }

  Outcome execute(StatementHandle handle, std::span<const int64_t> params, std::span<int64_t> row,
                  StatementResult& result) override {
    return run_statement(checked(handle, params), params, row, result, nullptr);
  }

  bool commits_with_statement() const override { return true; }

  Outcome execute_then_commit(StatementHandle handle, std::span<const int64_t> params,
                              std::span<int64_t> row, StatementResult& result,
                              Outcome& commit) override {
    // No transaction to commit with it, or one that already failed: the
    // general rule (execute, then commit) reports what happens.
    if (!in_transaction_ || failure_)
      return Session::execute_then_commit(handle, params, row, result, commit);
    return run_statement(checked(handle, params), params, row, result, &commit);
  }

  QueryRows query(const std::string& sql) override {
    if (Outcome begun = send_pending_begin(); !begun.ok()) throw_failure(begun, sql);
    pqxx::result result;
    try {
      result = work_->exec_params(sql);  // PQexecParams: one statement only
    } catch (const pqxx::failure&) {
      throw_failure(current_failure(), sql);
    }
    return rows_of(result);
  }

  Outcome execute_text(const std::string& sql, TextResult& result) override {
    result = TextResult{};
    if (Outcome begun = send_pending_begin(); !begun.ok()) return begun;
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

  bool kill_session(const std::string& backend_id) override {
    const QueryRows rows =
        query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = " +
              std::to_string(std::stoll(backend_id)) +
              " AND usename = current_user AND datname = current_database()"
              " AND application_name = current_setting('application_name')"
              " AND pid <> pg_backend_pid()");
    return !rows.rows.empty() && rows.rows[0][0] && *rows.rows[0][0] == "t";
  }

  Outcome reconnect() override {
    in_transaction_ = false;
    pending_begin_.reset();
    failure_.reset();
    // Build the new connection first: when the server is unreachable the old,
    // broken one stays, and every call keeps reporting a connection failure.
    std::unique_ptr<Connection> connection;
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
    connection_ = std::move(connection);
    backend_pid_.store(connection_->backendpid());
    if (Outcome prepared = prepare_controls(); !prepared.ok()) return prepared;
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

 protected:
  const SqlDialect& dialect() const override { return postgres_dialect(); }

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

  /// The statement behind `handle`, after checking the parameter count.
  const Prepared& checked(StatementHandle handle, std::span<const int64_t> params) const {
    if (handle < 0 || static_cast<size_t>(handle) >= statements_.size())
      throw std::out_of_range("unknown PostgreSQL statement handle " + std::to_string(handle));
    const Prepared& prepared = statements_[static_cast<size_t>(handle)];
    if (params.size() != prepared.param_count)
      throw std::invalid_argument("PostgreSQL statement '" + prepared.sql + "' takes " +
                                  std::to_string(prepared.param_count) + " parameters, got " +
                                  std::to_string(params.size()));
    return prepared;
  }

  /// Defines a statement on the connection and sends it to the server now, so
  /// that bad SQL fails at prepare() rather than during the run.
  void prepare_on_server(const Prepared& prepared) {
    connection_->prepare(prepared.name, prepared.sql);
    connection_->prepare_now(prepared.name);
  }

  /// How many parameters the server says a prepared statement takes.
  int server_param_count(const std::string& name) {
    const ResultPtr description(PQdescribePrepared(connection_->raw(), name.c_str()));
    if (PQresultStatus(description.get()) != PGRES_COMMAND_OK)
      throw pqxx::broken_connection(first_line(PQerrorMessage(connection_->raw())));
    return PQnparams(description.get());
  }

  /// Prepares the transaction-control statements on the current connection,
  /// all in one round trip.
  Outcome prepare_controls() {
    PGconn* connection = connection_->raw();
    if (PQenterPipelineMode(connection) != 1) return lost_connection();
    for (const auto& [name, sql] : kControls)
      if (PQsendPrepare(connection, name, sql, 0, nullptr) != 1) return lost_connection();
    std::array<Reply, kControls.size()> replies;
    return exchange(kControls.size(), replies.data());
  }

  /// Runs one transaction-control statement by itself.
  Outcome run_control(Control control) {
    const Call call{kControls[static_cast<size_t>(control)].first, 0, nullptr};
    Reply reply;
    send({&call, 1}, &reply);
    return remember(std::move(reply.outcome));
  }

  /// Sends a BEGIN that begin() held back, before text SQL.
  Outcome send_pending_begin() {
    if (!pending_begin_) return {};
    const Control control = *pending_begin_;
    pending_begin_.reset();
    Outcome outcome = run_control(control);
    if (!outcome.ok()) in_transaction_ = false;
    return outcome;
  }

  /// Runs a prepared statement in one round trip, with the BEGIN begin() held
  /// back before it and, when `commit` is set, COMMIT after it.
  Outcome run_statement(const Prepared& prepared, std::span<const int64_t> params,
                        std::span<int64_t> row, StatementResult& result, Outcome* commit) {
    for (size_t i = 0; i < params.size(); ++i) {
      const auto [end, error] =
          std::to_chars(param_text_[i].data(), param_text_[i].data() + kIntText - 1, params[i]);
      *end = '\0';
      param_values_[i] = param_text_[i].data();
    }
    std::array<Call, 3> calls;
    size_t count = 0;
    const bool begins = pending_begin_.has_value();
    if (begins)
      calls[count++] = Call{kControls[static_cast<size_t>(*pending_begin_)].first, 0, nullptr};
    const size_t statement = count;
    calls[count++] =
        Call{prepared.name.c_str(), static_cast<int>(params.size()), param_values_.data()};
    if (commit)
      calls[count++] = Call{kControls[static_cast<size_t>(Control::commit)].first, 0, nullptr};
    std::array<Reply, 3> replies;
    send({calls.data(), count}, replies.data());
    pending_begin_.reset();
    if (begins && !replies[0].outcome.ok()) {  // the transaction never started
      in_transaction_ = false;
      if (commit) *commit = replies[0].outcome;
      return std::move(replies[0].outcome);
    }
    Reply& reply = replies[statement];
    if (!reply.outcome.ok()) {
      if (commit) *commit = reply.outcome;
      return remember(std::move(reply.outcome));
    }
    const PGresult* rows = reply.result.get();
    const char* affected = PQcmdTuples(const_cast<PGresult*>(rows));
    result.rows_affected = *affected ? std::strtoll(affected, nullptr, 10) : PQntuples(rows);
    result.has_row = PQntuples(rows) > 0;
    if (result.has_row) copy_row(rows, row, prepared);
    if (commit) {
      in_transaction_ = false;
      *commit = std::move(replies[statement + 1].outcome);
    }
    return {};
  }

  /// Sends `calls` in pipeline mode with one Sync and reads every reply: one
  /// write and, when the server answers at once, one poll and one read.
  void send(std::span<const Call> calls, Reply* replies) {
    PGconn* connection = connection_->raw();
    Outcome failed;
    if (PQenterPipelineMode(connection) != 1) {
      failed = lost_connection();
    } else {
      for (const Call& call : calls) {
        if (PQsendQueryPrepared(connection, call.name, call.param_count, call.values, nullptr,
                                nullptr, 0) != 1) {
          failed = lost_connection();
          break;
        }
      }
    }
    if (failed.ok()) failed = exchange(calls.size(), replies);
    if (!failed.ok())
      for (size_t i = 0; i < calls.size(); ++i)
        if (replies[i].outcome.ok() && !replies[i].result) replies[i].outcome = failed;
  }

  /// Ends a pipeline of `count` queued calls with a Sync, reads their replies
  /// into `replies`, and leaves pipeline mode. Returns a connection failure
  /// when the connection broke; calls it never answered then have no result.
  Outcome exchange(size_t count, Reply* replies) {
    PGconn* connection = connection_->raw();
    if (PQpipelineSync(connection) != 1) return lost_connection();
    // Each call's results end with a null; the Sync's result ends the pipeline.
    size_t call = 0;
    bool answered = false;  // the current call has had its result
    Outcome skipped =
        Outcome::failure(AbortCause::other, "", "not run: an earlier statement failed");
    for (;;) {
      ResultPtr result(PQgetResult(connection));
      if (PQstatus(connection) == CONNECTION_BAD) return lost_connection();
      if (!result) {
        if (!answered) return lost_connection();  // a null before any result: a protocol upset
        answered = false;
        ++call;
        continue;
      }
      const ExecStatusType status = PQresultStatus(result.get());
      if (status == PGRES_PIPELINE_SYNC) break;
      if (call >= count || answered) continue;  // a statement's extra result: not ours
      answered = true;
      Reply& reply = replies[call];
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        reply.result = std::move(result);
      } else if (status == PGRES_PIPELINE_ABORTED) {
        reply.outcome = skipped;
      } else {
        reply.outcome = failure_of(result.get());
        skipped = reply.outcome;
      }
    }
    if (PQexitPipelineMode(connection) != 1) return lost_connection();
    return {};
  }

  /// The outcome of a failed libpq result.
  Outcome failure_of(const PGresult* result) const {
    const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    const std::string code = sqlstate ? sqlstate : "";
    std::string message = primary ? primary : first_line(PQresultErrorMessage(result));
    // A FATAL error ends the session (57P01 admin shutdown, a terminated
    // backend) before libpq has seen the connection close.
    const char* severity = PQresultErrorField(result, PG_DIAG_SEVERITY_NONLOCALIZED);
    const bool fatal = severity && (std::string_view(severity) == "FATAL" ||
                                    std::string_view(severity) == "PANIC");
    if (fatal || PQstatus(connection_->raw()) == CONNECTION_BAD)
      return Outcome::failure(AbortCause::connection, code.empty() ? kConnectionFailure : code,
                              std::move(message));
    return Outcome::failure(cause_of(code), code, std::move(message));
  }

  /// A connection failure with libpq's message.
  Outcome lost_connection() const {
    return Outcome::failure(
        AbortCause::connection, kConnectionFailure,
        "connection to the server lost (" + first_line(PQerrorMessage(connection_->raw())) + ")");
  }

  /// Keeps the first failure inside a transaction for commit(); returns it.
  Outcome remember(Outcome outcome) {
    if (!outcome.ok() && in_transaction_ && !failure_) failure_ = outcome;
    return outcome;
  }

  /// Throws the exception a failed query() reports.
  [[noreturn]] static void throw_failure(const Outcome& outcome, const std::string& sql) {
    std::string message =
        "PostgreSQL query failed (" + outcome.code + ": " + outcome.message + "): " + sql;
    if (outcome.cause == AbortCause::connection) throw ConnectionLost(message);
    throw DatabaseError(message);
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
    return remember(std::move(outcome));
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
  static void copy_row(const PGresult* source, std::span<int64_t> row, const Prepared& prepared) {
    const size_t columns = std::min(row.size(), static_cast<size_t>(PQnfields(source)));
    for (size_t i = 0; i < columns; ++i) {
      const int column = static_cast<int>(i);
      if (PQgetisnull(source, 0, column)) {
        row[i] = 0;
        continue;
      }
      const std::string_view text(PQgetvalue(source, 0, column),
                                  static_cast<size_t>(PQgetlength(source, 0, column)));
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

  /// Room for an int64 in decimal, its sign and a terminating NUL.
  static constexpr size_t kIntText = 24;

  std::string conninfo_;
  std::unique_ptr<Connection> connection_;
  std::unique_ptr<pqxx::nontransaction> work_;          // declared after the connection it uses
  std::vector<Prepared> statements_;                    // indexed by StatementHandle
  std::vector<std::array<char, kIntText>> param_text_;  // parameters as text, reused
  std::vector<const char*> param_values_;               // pointers into param_text_
  bool in_transaction_ = false;
  std::optional<Control> pending_begin_;  // begin() ran; BEGIN goes with the next statement
  std::optional<Outcome> failure_;        // first error inside the open transaction
  std::atomic<int> backend_pid_;          // of the current connection, for cancel()
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
