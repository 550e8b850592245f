// One worker: one thread, one session, one connection. Runs transactions of a
// planned cell until its deadline or quota, retrying per the policy, and
// records everything into its own WorkerLog.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "drivers/driver.h"
#include "harness/history/history.h"
#include "harness/plan/cell_plan.h"
#include "harness/runner/chaos.h"
#include "harness/runner/progress.h"
#include "harness/runner/single_writer.h"
#include "harness/workload/generators.h"

namespace clobber {

/// What every worker of a cell shares, read-only while they run.
struct WorkerShared {
  const CellPlan* plan = nullptr;
  const RetryPolicy* retry = nullptr;
  std::vector<std::vector<PreparedGenerator>> generators;  // per transaction type, per param
  std::vector<uint64_t> cumulative_weights;                // per transaction type
  std::chrono::steady_clock::time_point origin;            // the cell's time zero
  std::chrono::steady_clock::time_point deadline;          // when the quota is negative
  const std::atomic<bool>* stop = nullptr;                 // Ctrl-C
  std::chrono::microseconds reconnect_timeout{30000000};   // see harness/runner/reconnect.h
  SingleWriterQueue* single_writer = nullptr;              // set in single_writer mode
  BackendIds* backend_ids = nullptr;  // under --chaos: each worker's connection, for the killer
  bool record_history = true;         // false only to measure what recording costs
  LiveCounters* live = nullptr;       // one per worker, for progress lines; may be null
};

/// Runs transactions on its session until the deadline passes, `quota` logical
/// transactions are done (quota >= 0), or a stop is requested.
class Worker {
 public:
  /// A worker numbered `index` whose random stream starts from `seed`;
  /// `statements[i]` is the session's handle of CellPlan::statements[i]. The
  /// session is null only for workers that hand their work to a single writer.
  Worker(int index, uint64_t seed, const WorkerShared& shared, Session* session,
         std::vector<StatementHandle> statements, WorkerLog& log);
  /// The worker's loop; returns when done. Harness failures land in log.error.
  /// In single_writer mode the transactions are handed to the leader; latency
  /// is measured here either way.
  void run(int64_t quota);
  /// The single_writer leader: executes queued transactions in arrival order
  /// on this worker's session until the queue is closed and drained.
  void lead(SingleWriterQueue& queue);

 private:
  enum class Result { committed, rejected, aborted, indeterminate };
  bool finished(int64_t done, int64_t quota) const;
  bool run_transaction(uint32_t type);
  void release_locks();
  Result run_attempt(const TransactionPlan& tx, uint64_t id);
  Result abort(const Outcome& outcome);
  Result fail(const char* code, std::string message);
  /// Runs a write op and records it. With `commit` set, COMMIT goes with it and
  /// `commit` receives COMMIT's outcome. False when the write failed (`outcome`),
  /// matched no row, or was lost in flight (recorded as maybe durable).
  bool execute_write(const PlannedOp& op, uint64_t id, Outcome& outcome, bool& rejected,
                     Outcome* commit);
  /// The attempt's end once COMMIT's outcome is known: committed, aborted, or
  /// indeterminate when the connection broke.
  Result committed(const Outcome& commit);
  /// Ends an attempt whose COMMIT was sent on a connection that broke.
  Result commit_lost(const Outcome& outcome);
  void settle_writes(Durability durability);
  void reconnect();
  void tally_error(const Outcome& outcome);
  int32_t code_index(const std::string& code);
  int64_t now_ns() const;
  void backoff(int attempt);
  /// Sleeps `length`, waking early on a stop; false when a stop woke it.
  bool pause(std::chrono::microseconds length) const;

  int index_;
  Rng rng_;
  const WorkerShared& shared_;
  Session* session_;
  std::vector<StatementHandle> statements_;
  WorkerLog& log_;
  std::vector<int64_t> frame_;
  std::vector<int64_t> params_;
  std::vector<int64_t> row_;
  std::vector<int64_t> values_;
  /// Per op of the current transaction: the key, writer id and version a read saw.
  struct ReadState {
    int64_t key = 0;
    uint64_t txn = 0;
    int64_t version = 0;
  };
  std::vector<ReadState> reads_;
  size_t pending_writes_ = 0;  // index into log_.writes of the attempt's first write
  AbortCause last_cause_ = AbortCause::none;
  int32_t last_code_ = -1;       // index into log_.codes of the last abort's code
  int64_t commit_ns_ = -1;       // when the current attempt sent COMMIT (-1: not sent)
  size_t attempts_started_ = 0;  // numbers this worker's attempts: the low half of their ids
};

}  // namespace clobber
