// The one result model: the runner and checkers fill it, every reporter reads it.
// Its JSON form is the contract of docs/reports.md and docs/result.schema.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/types.h"

namespace clobber {

/// Which database a cell ran on.
struct DatabaseInfo {
  DatabaseKind kind{};
  std::string server_version;
  std::string url;                                            // password masked
  std::vector<std::pair<std::string, std::string>> settings;  // session settings shown in reports
};

/// Whether a cell ran.
enum class CellStatus { ran, unsupported, error };

/// Outcome counts of logical transactions (retries are not extra transactions).
struct TransactionCounts {
  int64_t attempted = 0;  // logical transactions started
  int64_t committed = 0;
  int64_t rejected = 0;       // a check failed (business rule)
  int64_t failed = 0;         // gave up: last attempt aborted and was not retried
  int64_t indeterminate = 0;  // connection broke around COMMIT
  /// Of `failed`: those whose last attempt aborted by an unexpected error (a
  /// missing row, an overflow, a division by zero, an SQL error), not by a
  /// conflict a retry resolves or a lost connection.
  int64_t failed_by_error = 0;
};

/// One distinct unexpected error of a cell (see TransactionCounts::failed_by_error).
struct CellError {
  std::string code;     // SQLSTATE, error number, SQLite code, or NOTFOUND / EVAL
  std::string message;  // the first message seen with this code
  int64_t count = 0;    // attempts it aborted
};

/// Faults a cell went through: injected by `--chaos` and recovered from.
struct ChaosCounts {
  double kill_rate = 0;    // kills per second asked for (0: no chaos)
  int64_t kills = 0;       // worker sessions killed from the admin connection
  int64_t reconnects = 0;  // connections re-established, by workers and admin
};

/// Aborted attempts by cause (every attempt counts, retried or not).
struct AbortCounts {
  int64_t serialization = 0;
  int64_t deadlock = 0;
  int64_t lock_timeout = 0;
  int64_t conflict = 0;
  int64_t other = 0;  // connection losses and anything else
  /// Sum over every cause.
  int64_t total() const { return serialization + deadlock + lock_timeout + conflict + other; }
};

/// Latency of committed transactions, first attempt start to commit, in ms.
struct LatencySummary {
  double p50 = 0, p95 = 0, p99 = 0, max = 0;
};

/// One bucket of a cell's latency histogram: the committed transactions whose
/// latency was under `below_ms` and at least the previous bucket's bound.
struct LatencyBucket {
  double below_ms = 0;
  int64_t count = 0;
};

/// What ended in one interval of a cell's run: committed transactions and
/// aborted attempts by cause. Derived after the run from the recorded attempts
/// (by when each ended), so the hot path pays nothing.
struct TimelineInterval {
  int64_t committed = 0;
  AbortCounts aborts;
};

/// A cell's run over time, in equal intervals from the cell's start. The
/// interval is 1 s, or longer for runs over two minutes, or shorter for runs
/// under ten seconds, so a chart has about 10 to 120 points. Empty when the
/// history was not recorded.
struct Timeline {
  double interval_s = 1;
  std::vector<TimelineInterval> intervals;
};

/// One row/column whose final value differs from what committed work implies.
struct RowDifference {
  std::string table;
  int64_t key = 0;
  std::string column;
  int64_t expected = 0;      // seed + sum of committed deltas
  int64_t expected_max = 0;  // upper end when indeterminate transactions widen it
  int64_t actual = 0;
};

/// The ledger check (README.md, "How it decides").
struct LedgerResult {
  bool balanced = true;     // every checked value within its expected range
  int64_t lost_amount = 0;  // sum over differing values of (expected - actual)
  int64_t rows_checked = 0;
  std::vector<RowDifference> differences;  // at most 100 listed
  int64_t differences_total = 0;
};

/// One transaction as it appears in an anomaly's witness.
struct WitnessTransaction {
  uint64_t id = 0;
  int worker = 0;
  int attempt = 0;
  std::string type;     // transaction type name
  double start_ms = 0;  // since the cell's start
  /// When its COMMIT returned (the commit had taken effect by then); in a
  /// lost-update witness at isolation none, when its last write of the row returned.
  double commit_ms = 0;
  int64_t read_value = 0;  // value read of the witnessed column
  int64_t written_value = 0;
  /// Lost-update witnesses: when its last write of the row returned.
  double write_ms = 0;
  /// Lost-update witnesses: when its COMMIT was sent; at isolation none, when
  /// its last write of the row was sent (the write commits by itself). The
  /// commit took effect then or later.
  double commit_sent_ms = 0;
  bool autocommit = false;  // isolation none: each statement committed by itself
};

/// One row an anomaly involves.
struct AnomalyRow {
  std::string table;
  int64_t key = 0;
};

/// One dependency of a dependency-graph anomaly: `from` must come before `to`
/// in any serial order.
struct AnomalyEdge {
  uint64_t from = 0;  // transaction ids
  uint64_t to = 0;
  std::string kind;  // "ww" (overwrote), "wr" (read the write of), "rw" (did not see the write of)
  std::string table;
  int64_t key = 0;
  std::string explanation;  // one sentence
};

/// An anomaly found in a cell, with its witness.
struct Anomaly {
  std::string type;  // "lost_update", "G0", "G1a", "G1b", "G1c", "G-single", "G2-item"
  std::string table;
  int64_t key = 0;
  std::string column;         // first column written, for the one-line explanation
  uint64_t version_read = 0;  // id of the transaction whose write all of them read (0: seed)
  std::vector<WitnessTransaction> transactions;
  std::string explanation;             // one sentence
  std::vector<AnomalyRow> rows;        // every row involved (dependency-graph anomalies)
  std::vector<AnomalyEdge> edges;      // the cycle in order, or the dirty read (G1a, G1b)
  std::vector<std::string> rules_out;  // isolation levels the anomaly proves were not provided
};

/// How many anomalies of one type a cell had, listed or not.
struct AnomalyCount {
  std::string type;
  int64_t count = 0;
};

/// One invariant's result on the final state.
struct InvariantResult {
  std::string name;
  bool passed = false;
  std::string expected;  // "= 700", ">= 0"
  std::string actual;
  std::string error;  // why its SQL could not be evaluated (then it failed); empty when it ran
};

/// One expectation evaluated on a cell.
struct ExpectationResult {
  std::string description;  // "lost_updates = 0 (workloads/x.yaml:40:5)"
  bool passed = false;
  std::string actual;
};

/// Everything known about one (database, isolation, locking) cell.
struct CellResult {
  DatabaseInfo database;
  Isolation isolation = Isolation::none;
  Locking locking = Locking::none;
  CellStatus status = CellStatus::ran;
  std::string reason;  // why unsupported or error
  int workers = 0;
  double duration_s = 0;
  TransactionCounts transactions;
  AbortCounts aborts;
  int64_t retries = 0;
  double throughput_tps = 0;
  LatencySummary latency_ms;
  std::vector<LatencyBucket> latency_histogram;  // non-empty buckets, ascending
  Timeline timeline;
  int64_t lost_updates = 0;
  LedgerResult ledger;
  std::vector<Anomaly> anomalies;  // at most 100 listed
  int64_t anomalies_total = 0;
  std::vector<AnomalyCount> anomaly_counts;  // every anomaly by type; sums to anomalies_total
  std::vector<std::string> notes;            // what the exact checks left out, and why
  std::vector<InvariantResult> invariants;
  std::vector<ExpectationResult> expectations;
  std::vector<CellError> errors;  // the first distinct unexpected errors (at most 5)
  int64_t errors_total = 0;       // distinct unexpected error codes, listed or not
  ChaosCounts chaos;
  bool passed = true;  // the cell's verdict
  /// Every attempt: committed, rejected and indeterminate ones plus every abort.
  int64_t attempts() const;
  /// Fraction of attempts that aborted.
  double abort_rate() const;
};

/// A whole run: every cell of every database.
struct RunResult {
  std::string tool = "clobber";
  std::string version;
  int schema = 1;
  std::string workload;  // name
  std::string workload_file;
  std::string description;
  uint64_t seed = 0;
  /// The command that replays this run: its workload, databases (passwords
  /// masked), cells, sizes and seed, without its report files.
  std::string replay_command;
  bool explore = false;      // --explore: verdicts reported, never failing the exit code
  bool interrupted = false;  // stopped by Ctrl-C: a partial report
  std::string started_at;    // ISO 8601 UTC
  std::vector<CellResult> cells;
  bool passed = true;  // every ran cell passed
};

/// Name used in JSON ("ran", "unsupported", "error").
std::string_view to_string(CellStatus status);

}  // namespace clobber
