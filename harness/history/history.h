// What workers record while they run: every attempt, and every row write with
// the version it replaced and the values it read and wrote. Each worker owns
// its own log (no locks on the hot path); logs are merged after the run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/common/types.h"
#include "harness/history/latency_histogram.h"

namespace clobber {

/// How an attempt ended.
enum class AttemptOutcome : uint8_t { committed, rejected, aborted, indeterminate };

/// Whether a recorded write is part of the final state.
enum class Durability : uint8_t {
  pending,   // inside an open transaction
  durable,   // committed (or autocommitted at isolation none)
  maybe,     // the connection broke around its commit: it may or may not be there
  discarded  // rolled back
};

/// A version id meaning "not known": MySQL writes outside atomic mode do not
/// report which version they overwrote.
inline constexpr uint64_t kUnknownVersion = UINT64_MAX;

/// One attempt of one transaction. Its reads and writes are contiguous ranges
/// of its worker's log.
struct AttemptRecord {
  uint64_t id = 0;       // see make_txn_id
  uint32_t type = 0;     // index into Workload::transactions
  uint16_t attempt = 1;  // 1 for the first try, 2 for the first retry, ...
  AttemptOutcome outcome = AttemptOutcome::aborted;
  AbortCause cause = AbortCause::none;
  int32_t code = -1;       // index into WorkerLog::codes of the abort's code, -1: none
  int64_t start_ns = 0;    // since the cell's start, monotonic
  int64_t end_ns = 0;      // commit (or abort) time, same clock
  int64_t commit_ns = -1;  // when COMMIT was sent; -1 at isolation none (each write commits itself)
  uint32_t first_read = 0;  // index into WorkerLog::reads
  uint32_t read_count = 0;
  uint32_t first_write = 0;  // index into WorkerLog::writes
  uint32_t write_count = 0;
};

/// One SELECT of one row by one attempt: the version it saw and its values.
struct ReadRecord {
  uint32_t table = 0;
  int64_t key = 0;
  uint64_t version = 0;        // id of the writer of the version seen (0: the seed)
  int64_t version_number = 0;  // clobber_version seen: how many writes the row had
  uint32_t first_value = 0;    // index into WorkerLog::values: the integer columns,
  uint16_t value_count = 0;    // in TableDef::integer_columns() order
};

/// One UPDATE of one row by one attempt.
struct WriteRecord {
  uint32_t table = 0;
  int64_t key = 0;
  uint64_t txn = 0;                      // the writing attempt's id
  uint64_t version_read = 0;             // id of the writer of the version its read saw (0: seed)
  uint64_t overwrote = kUnknownVersion;  // id of the writer of the version it replaced
  int64_t version_number = 0;            // clobber_version it created (0: not known)
  int64_t sent_ns = 0;                   // when its UPDATE was sent, same clock as attempts
  int64_t done_ns = 0;                   // when its UPDATE returned (at isolation none: committed)
  uint32_t first_change = 0;             // index into WorkerLog::changes
  uint16_t change_count = 0;
  Durability durability = Durability::pending;
};

/// One column's value before and after a write.
struct ColumnChange {
  uint32_t column = 0;  // index into TableDef::columns
  int64_t old_value = 0;
  int64_t new_value = 0;
};

/// Counters a worker keeps for its cell's metrics.
struct WorkerCounters {
  int64_t attempted = 0, committed = 0, rejected = 0, failed = 0, indeterminate = 0;
  int64_t failed_by_error = 0;  // failed, the last attempt aborted by an unexpected error
  int64_t reconnects = 0;       // connections re-established after a loss
  int64_t retries = 0;
  int64_t aborts[8] = {};  // indexed by AbortCause
};

/// Aborts by one unexpected error code (AbortCause::other): not a conflict a
/// retry resolves, but a failure of the workload or the database.
struct ErrorTally {
  std::string code;     // SQLSTATE, error number, SQLite code or clobber's own (NOTFOUND, EVAL)
  std::string message;  // the first message seen with this code
  int64_t count = 0;    // attempts it aborted
};

/// Everything one worker recorded.
struct WorkerLog {
  int worker = 0;
  std::vector<AttemptRecord> attempts;  // index = low 32 bits of the attempt's id
  std::vector<ReadRecord> reads;
  std::vector<int64_t> values;  // values of reads
  std::vector<WriteRecord> writes;
  std::vector<ColumnChange> changes;
  std::vector<std::string> codes;  // SQLSTATE / error numbers of aborts, deduplicated
  std::vector<ErrorTally> errors;  // unexpected errors by code, in order of first sight
  WorkerCounters counters;
  LatencyHistogram latency;  // committed transactions, microseconds
  std::string error;         // a harness failure that stopped this worker
};

/// Transaction id of a worker's n-th attempt: worker+1 in the high half, so 0
/// means "the seed" and the id locates its record.
inline uint64_t make_txn_id(int worker, size_t attempt_index) {
  return (static_cast<uint64_t>(worker + 1) << 32) | static_cast<uint64_t>(attempt_index);
}
/// Worker index of a transaction id (-1 for the seed).
inline int txn_worker(uint64_t id) {
  return static_cast<int>(id >> 32) - 1;
}
/// Attempt index within its worker's log.
inline size_t txn_index(uint64_t id) {
  return static_cast<size_t>(id & 0xffffffffu);
}
/// Display name "T3.812" (worker 3, attempt 812), or "the seed" for 0.
std::string txn_name(uint64_t id);

}  // namespace clobber
