// What workers record while they run: every attempt, and every row write with
// the version it replaced and the values it read and wrote. Each worker owns
// its own log (no locks on the hot path); logs are merged after the run. The
// records below are the plain form a worker fills while an attempt runs; when
// it ends they are encoded into the worker's History (see there, field by
// field), a few dozen bytes per transaction, and decoded again by the checks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/types.h"
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
/// of the Records (or the open attempt of the WorkerLog) that hold it.
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
  uint32_t first_read = 0;  // index into Records::reads
  uint32_t read_count = 0;
  uint32_t first_write = 0;  // index into Records::writes
  uint32_t write_count = 0;
};

/// One SELECT of one row by one attempt: the version it saw and its values.
struct ReadRecord {
  uint32_t table = 0;
  int64_t key = 0;
  uint64_t version = 0;        // id of the writer of the version seen (0: the seed)
  int64_t version_number = 0;  // clobber_version seen: how many writes the row had
  uint32_t first_value = 0;    // index into Records::values: the integer columns,
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
  uint32_t first_change = 0;             // index into Records::changes
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

/// Attempts and their records in plain arrays, each attempt's reads and writes
/// contiguous ranges of them (AttemptRecord::first_read, ...). What tests and
/// generators build, and what decoding a History yields.
struct Records {
  std::vector<AttemptRecord> attempts;
  std::vector<ReadRecord> reads;
  std::vector<int64_t> values;  // values of reads
  std::vector<WriteRecord> writes;
  std::vector<ColumnChange> changes;
};

/// One worker's attempts, encoded: about 45 bytes for a read-then-update
/// transaction (1 attempt, 1 read of the key and 1 column, 1 write of that
/// column), its offset and chunk slack included, 18 of them its five times;
/// against 216 in the plain records (360 with the vectors' doubling).
/// Append-only; read back in order with a Reader or one attempt at a time
/// with decode().
///
/// Storage: chunks of bytes (4 KiB, doubling to 64 KiB; larger only for one
/// attempt that needs it, alone in its chunk), sized once and never
/// reallocated, each filled by whole attempt entries; per attempt, its
/// entry's offset in its chunk (2 bytes, in blocks of 1,024); per chunk, its
/// first attempt. An entry is self-contained: no field is relative to another
/// entry, so any attempt decodes alone.
///
/// Numbers are LEB128 varints; signed ones zigzag-encoded first ("s" below),
/// differences taken modulo 2^64 so every value round-trips. A transaction id
/// is two varints, worker+1 then the attempt index ("id" below). An entry:
///
///   flags       1 byte: outcome (bits 0-1), cause (2-4), attempt != 1 (5),
///               code != -1 (6), commit_ns != -1 (7)
///   type        varint: type << 1 | 1 when the id is not make_txn_id(worker, index)
///   id          id, only when flagged in `type`
///   attempt     varint, only when flagged
///   code        s, only when flagged
///   start_ns    s
///   commit_ns   s, commit_ns - start_ns, only when flagged
///   end_ns      s, end_ns - commit_ns when commit_ns is there, else end_ns - start_ns
///   reads       varint count, then each:
///     table varint, key s, version id, version_number s,
///     value_count << 1 | 1 when the first value equals the key (then not
///     stored) as a varint, each (other) value s
///   writes      varint count, then each:
///     flags     1 byte: durability (bits 0-1); overwrote (2-3): 0 = version_read,
///               1 = kUnknownVersion, 2 = given; the row is read r's (4); txn is
///               not the attempt's id (5)
///     row       when bit 4: varint r, the attempt's last read of the same table
///               and key, whose version is version_read; version_number is then
///               s(version_number - that read's version_number). Otherwise:
///               table varint, key s, version_read id, version_number s
///     overwrote id, only when given
///     txn       id, only when flagged
///     sent_ns   s, sent_ns - start_ns
///     done_ns   s, done_ns - sent_ns
///     changes   varint count, then each: column varint; when bit 4, a varint
///               p: old_value is read r's value p - 1 (p > 0) or follows (p = 0);
///               old_value s (unless p > 0); new_value s (new_value - old_value)
class History {
 public:
  /// Encodes one attempt of worker `worker`, the `index`-th of this history
  /// (index == size()). Its reads and writes are the ranges of `records` that
  /// attempt.first_read, ... name; first_value and first_change index
  /// records.values and records.changes. Throws std::length_error past
  /// 2^32 - 1 attempts.
  void append(int worker, const AttemptRecord& attempt, const ReadRecord* reads,
              const int64_t* values, const WriteRecord* writes, const ColumnChange* changes);

  /// Number of attempts.
  size_t size() const { return size_; }
  /// Reads and writes recorded, over all attempts.
  size_t reads() const { return reads_; }
  size_t writes() const { return writes_; }
  /// Bytes held: chunks, offsets and their tables.
  int64_t bytes() const;

  /// Replaces `out` with attempt `index` of worker `worker` and its records
  /// (out.attempts has one element; first_read and first_write are 0).
  void decode(int worker, size_t index, Records& out) const;

  /// Decodes the attempts in order.
  class Reader {
   public:
    /// Decodes the values of reads and the changes of writes only when `values`;
    /// without, out.values and out.changes stay empty (counts are kept).
    Reader(const History& history, int worker, bool values = true)
        : history_(history), worker_(worker), values_(values) {}
    /// Replaces `out` with the next attempt, as decode() does; false at the end.
    bool next(Records& out);
    /// Index of the attempt the last next() returned.
    size_t index() const { return index_ - 1; }

   private:
    const History& history_;
    int worker_;
    bool values_;
    size_t index_ = 0;
    size_t chunk_ = 0;
    uint32_t offset_ = 0;
  };

 private:
  static constexpr size_t kFirstChunk = 4096;
  static constexpr size_t kLargestChunk = 65536;
  static constexpr size_t kOffsetsPerBlock = 1024;

  struct Chunk {
    std::vector<uint8_t> bytes;  // sized once, never grown
    size_t used = 0;
    size_t first = 0;  // index of its first attempt
  };

  size_t chunk_of(size_t index) const;
  static const uint8_t* decode_entry(const uint8_t* p, int worker, size_t index, bool values,
                                     Records& out);

  std::vector<Chunk> chunks_;
  std::vector<std::vector<uint16_t>> offsets_;  // blocks of kOffsetsPerBlock, reserved once
  size_t size_ = 0, reads_ = 0, writes_ = 0;
};

/// Everything one worker recorded.
struct WorkerLog {
  int worker = 0;
  History history;  // the attempts that ended
  // The attempt being run: its records, indexed from 0, until end_attempt()
  // encodes them into `history` and clears them.
  std::vector<ReadRecord> reads;
  std::vector<int64_t> values;  // values of reads
  std::vector<WriteRecord> writes;
  std::vector<ColumnChange> changes;
  std::vector<std::string> codes;  // SQLSTATE / error numbers of aborts, deduplicated
  std::vector<ErrorTally> errors;  // unexpected errors by code, in order of first sight
  WorkerCounters counters;
  LatencyHistogram latency;  // committed transactions, microseconds
  std::string error;         // a harness failure that stopped this worker

  /// Records the attempt that ended with the records above (`attempt`'s
  /// first_read and first_write index them) and clears them.
  void end_attempt(const AttemptRecord& attempt);
  /// Appends every attempt of `records`, in order (tests and generators).
  void append(const Records& records);
  /// Number of attempts recorded.
  size_t attempts() const { return history.size(); }
  /// Replaces `out` with attempt `index` and its records (see History::decode).
  void decode(size_t index, Records& out) const { history.decode(worker, index, out); }
  /// Decodes the attempts in order (with the values of reads and the changes
  /// of writes unless `values` is false).
  History::Reader reader(bool values = true) const {
    return History::Reader(history, worker, values);
  }
};

/// One log per worker, worker w holding `per_worker[w]` encoded (tests and
/// generators: the logs the workers would have recorded).
std::vector<WorkerLog> encode_logs(const std::vector<Records>& per_worker);

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
