// Reconnecting a broken session: exponential backoff with full jitter until a
// deadline (RunOptions::reconnect_timeout, `--reconnect-timeout`). Workers use
// reconnect_until() after a lost connection; the cell's admin connection is
// wrapped in a ResilientSession, whose admin SQL survives the same losses.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "drivers/driver.h"

namespace clobber {

/// The default of `--reconnect-timeout`: how long a session keeps trying.
inline constexpr std::chrono::seconds kDefaultReconnectTimeout{30};

/// Calls session.reconnect() until it succeeds, `timeout` has passed since the
/// first try, or `stop` is set; waits between tries with exponential backoff
/// (10 ms doubling up to 1 s, full jitter). Returns the last outcome.
Outcome reconnect_until(Session& session, std::chrono::microseconds timeout,
                        const std::atomic<bool>& stop);

/// Opens a session with driver.connect(), trying again (same backoff) while it
/// throws DatabaseError, until `timeout` has passed since the first try or
/// `stop` is set; then throws the last error. For worker sessions, opened all
/// at once when a cell starts: a server reachable a moment ago (the cell's
/// admin connection is open) can still refuse a burst of a thousand handshakes
/// for a while (a full listen backlog, a handshake timeout).
std::unique_ptr<Session> connect_until(Driver& driver, std::chrono::microseconds timeout,
                                       const std::atomic<bool>& stop);

/// A Session whose admin calls (query(), read_only_query(), the run-lock,
/// registry and table calls, kill_session()) reconnect (reconnect_until) and runs the statement
/// again when the connection was lost, so creating, checking and dropping a
/// cell's tables survive killed connections and server restarts. Other calls
/// go straight to the wrapped session. Throws DatabaseError when the server
/// stays unreachable past the timeout.
class ResilientSession final : public Session {
 public:
  /// Wraps `session`; `stop` (Ctrl-C) cuts the reconnect wait short.
  ResilientSession(std::unique_ptr<Session> session, std::chrono::microseconds timeout,
                   const std::atomic<bool>& stop);
  StatementHandle prepare(const std::string& sql, int param_count) override;
  StatementHandle prepare(const Operation& operation) override;
  Outcome begin(Isolation level) override;
  Outcome commit() override;
  Outcome rollback() override;
  Outcome execute(StatementHandle statement, std::span<const int64_t> params,
                  std::span<int64_t> row, StatementResult& result) override;
  QueryRows query(const std::string& sql) override;
  QueryRows read_only_query(const std::string& sql) override;
  Outcome execute_text(const std::string& sql, TextResult& result) override;
  std::string backend_id() override;
  Outcome reconnect() override;
  void cancel() override;
  void hold_run_lock(const RunOwner& owner) override;
  bool claim_run_lock(const RunOwner& owner) override;
  void release_run_lock(const RunOwner& owner) override;
  bool table_exists(const std::string& name) override;
  void create_table(const TableShape& table) override;
  void drop_table(const std::string& name) override;
  void insert_rows(const TableShape& table, std::span<const std::vector<CellValue>> rows) override;
  std::vector<std::vector<int64_t>> read_rows(const TableShape& table,
                                              std::span<const size_t> columns) override;
  bool kill_session(const std::string& backend_id) override;
  void limit_lock_waits(std::chrono::milliseconds limit) override;
  void registry_create() override;
  void registry_add(const RegisteredTable& entry) override;
  void registry_remove(const std::string& table) override;
  std::vector<RegisteredTable> registry_entries() override;
  /// Runs `restore` on the new connection after every reconnect (session state
  /// a reconnect loses: a run lock, a lock-wait limit). Set before use.
  void on_reconnect(std::function<void(Session&)> restore) { restore_ = std::move(restore); }
  /// How many times query() had to reconnect.
  int reconnects() const { return reconnects_; }

 private:
  /// Runs `call` (admin SQL on session_), reconnecting and running it again
  /// after each lost connection until the deadline.
  template <typename Call>
  auto retried(Call&& call) -> decltype(call());

  std::unique_ptr<Session> session_;
  std::chrono::microseconds timeout_;
  const std::atomic<bool>& stop_;
  std::function<void(Session&)> restore_;
  int reconnects_ = 0;
};

}  // namespace clobber
