#include "harness/runner/reconnect.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <random>
#include <thread>

namespace clobber {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{10};
constexpr std::chrono::milliseconds kMaxBackoff{1000};
constexpr std::chrono::milliseconds kStopPoll{50};  // how often a wait looks at `stop`

/// Sleeps `duration`, or less when `stop` is set or `until` comes first.
void wait(std::chrono::microseconds duration, std::chrono::steady_clock::time_point until,
          const std::atomic<bool>& stop) {
  const auto end = std::min(std::chrono::steady_clock::now() + duration, until);
  while (!stop.load(std::memory_order_relaxed)) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) return;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(end - now, kStopPoll));
  }
}

/// Calls `attempt` until it returns true, `timeout` has passed since the first
/// call, or `stop` is set; waits between calls with exponential backoff (10 ms
/// doubling up to 1 s, full jitter).
template <typename Attempt>
void with_backoff(Attempt&& attempt, std::chrono::microseconds timeout,
                  const std::atomic<bool>& stop) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  thread_local std::minstd_rand random(std::random_device{}());
  std::chrono::microseconds cap = kFirstBackoff;
  while (!attempt() && !stop.load(std::memory_order_relaxed) &&
         std::chrono::steady_clock::now() < deadline) {
    std::uniform_int_distribution<int64_t> jitter(0, cap.count());
    wait(std::chrono::microseconds(jitter(random)), deadline, stop);
    cap = std::min<std::chrono::microseconds>(cap * 2, kMaxBackoff);
  }
}

}  // namespace

Outcome reconnect_until(Session& session, std::chrono::microseconds timeout,
                        const std::atomic<bool>& stop) {
  Outcome outcome;
  with_backoff(
      [&] {
        outcome = session.reconnect();
        return outcome.ok();
      },
      timeout, stop);
  return outcome;
}

std::unique_ptr<Session> connect_until(Driver& driver, std::chrono::microseconds timeout,
                                       const std::atomic<bool>& stop) {
  std::unique_ptr<Session> session;
  std::exception_ptr error;
  with_backoff(
      [&] {
        try {
          session = driver.connect();
        } catch (const DatabaseError&) {
          error = std::current_exception();
        }
        return session != nullptr;
      },
      timeout, stop);
  if (!session) std::rethrow_exception(error);
  return session;
}

ResilientSession::ResilientSession(std::unique_ptr<Session> session,
                                   std::chrono::microseconds timeout, const std::atomic<bool>& stop)
    : session_(std::move(session)), timeout_(timeout), stop_(stop) {}

StatementHandle ResilientSession::prepare(const std::string& sql, int param_count) {
  return session_->prepare(sql, param_count);
}
StatementHandle ResilientSession::prepare(const Operation& operation) {
  return session_->prepare(operation);
}
Outcome ResilientSession::begin(Isolation level) {
  return session_->begin(level);
}
Outcome ResilientSession::commit() {
  return session_->commit();
}
Outcome ResilientSession::rollback() {
  return session_->rollback();
}
Outcome ResilientSession::execute(StatementHandle statement, std::span<const int64_t> params,
                                  std::span<int64_t> row, StatementResult& result) {
  return session_->execute(statement, params, row, result);
}
Outcome ResilientSession::execute_text(const std::string& sql, TextResult& result) {
  return session_->execute_text(sql, result);
}
std::string ResilientSession::backend_id() {
  return session_->backend_id();
}
Outcome ResilientSession::reconnect() {
  return reconnect_until(*session_, timeout_, stop_);
}

template <typename Call>
auto ResilientSession::retried(Call&& call) -> decltype(call()) {
  std::optional<std::chrono::steady_clock::time_point> deadline;  // set at the first loss
  for (;;) {
    try {
      return call();
    } catch (const ConnectionLost& lost) {
      // Admin SQL runs outside the measured path and is either idempotent
      // (reads, DROP TABLE IF EXISTS) or fails loudly when run twice.
      const auto now = std::chrono::steady_clock::now();
      if (!deadline) deadline = now + timeout_;
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(*deadline - now);
      const Outcome again = left.count() > 0 ? reconnect_until(*session_, left, stop_)
                                             : Outcome::failure(AbortCause::connection, "",
                                                                "the reconnect deadline passed");
      if (!again.ok())
        throw DatabaseError(std::string(lost.what()) + "; could not reconnect within " +
                            std::to_string(timeout_.count() / 1000000) + " s: " + again.message);
      ++reconnects_;
      if (restore_) restore_(*session_);
    }
  }
}

QueryRows ResilientSession::query(const std::string& sql) {
  return retried([&] { return session_->query(sql); });
}

QueryRows ResilientSession::read_only_query(const std::string& sql) {
  return retried([&] { return session_->read_only_query(sql); });
}

void ResilientSession::cancel() {
  session_->cancel();
}
void ResilientSession::hold_run_lock(const RunOwner& owner) {
  retried([&] { session_->hold_run_lock(owner); });
}
bool ResilientSession::claim_run_lock(const RunOwner& owner) {
  return retried([&] { return session_->claim_run_lock(owner); });
}
void ResilientSession::release_run_lock(const RunOwner& owner) {
  retried([&] { session_->release_run_lock(owner); });
}
bool ResilientSession::table_exists(const std::string& name) {
  return retried([&] { return session_->table_exists(name); });
}
void ResilientSession::limit_lock_waits(std::chrono::milliseconds limit) {
  retried([&] { session_->limit_lock_waits(limit); });
}
void ResilientSession::create_table(const TableShape& table) {
  retried([&] { session_->create_table(table); });
}
void ResilientSession::drop_table(const std::string& name) {
  retried([&] { session_->drop_table(name); });
}
void ResilientSession::insert_rows(const TableShape& table,
                                   std::span<const std::vector<CellValue>> rows) {
  retried([&] { session_->insert_rows(table, rows); });
}
std::vector<std::vector<int64_t>> ResilientSession::read_rows(const TableShape& table,
                                                              std::span<const size_t> columns) {
  return retried([&] { return session_->read_rows(table, columns); });
}
bool ResilientSession::kill_session(const std::string& backend_id) {
  return retried([&] { return session_->kill_session(backend_id); });
}
void ResilientSession::registry_create() {
  retried([&] { session_->registry_create(); });
}
void ResilientSession::registry_add(const RegisteredTable& entry) {
  retried([&] { session_->registry_add(entry); });
}
void ResilientSession::registry_remove(const std::string& table) {
  retried([&] { session_->registry_remove(table); });
}
std::vector<RegisteredTable> ResilientSession::registry_entries() {
  return retried([&] { return session_->registry_entries(); });
}

}  // namespace clobber
