// The checkers: the ledger check, the lost-update check over recorded writes,
// and the expectations that turn a cell's figures into its verdict.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "harness/history/history.h"
#include "harness/result/result.h"
#include "harness/workload/workload.h"

namespace clobber {

/// The integer columns of one table's rows, by key, in TableDef::integer_columns()
/// order; a snapshot of the database adds the row's last writer (clobber_txn) at the end.
using TableSnapshot = std::unordered_map<int64_t, std::vector<int64_t>>;

/// Ledger check (README.md, "How it decides"): each value must equal its seed
/// plus the deltas (written - read) of every durable write; writes that may or
/// may not have committed widen the expected range instead of raising alarms.
/// Tables with `checked[t]` false (touched by raw SQL) are skipped.
LedgerResult check_ledger(const Workload& workload, const std::vector<bool>& checked,
                          const std::vector<TableSnapshot>& seed,
                          const std::vector<TableSnapshot>& final_state,
                          const std::vector<WorkerLog>& logs);

/// Result of the lost-update check.
struct LostUpdates {
  int64_t count = 0;               // durable writes overwritten without being seen
  std::vector<Anomaly> anomalies;  // one per overwriting write, the first `max_listed`
  int64_t groups = 0;              // all overwriting writes
};

/// Finds the durable writes whose effect is gone from the final state. Every
/// write names the version it read, so from each row's final version the chain
/// of versions that built it is known exactly (final writer, the version it
/// read, the version that one read, ... the seed). A durable write of the row
/// that is not on that chain was overwritten by a writer that never saw it: a
/// lost update. Each listed anomaly names the overwriting transaction, the
/// version it read and the writes it erased. Rows whose chain leads to a writer
/// clobber did not record (raw SQL) are skipped, never guessed.
LostUpdates find_lost_updates(const Workload& workload, const std::vector<WorkerLog>& logs,
                              const std::vector<TableSnapshot>& final_state, size_t max_listed);

/// Evaluates the workload's expectations (and the defaults) on a cell that ran,
/// filling cell.expectations and cell.passed. A cell `cut_short` by Ctrl-C is
/// not held to the no-green defaults (something committed, no transaction
/// failed by an unexpected error): its statements were cancelled on purpose,
/// and the run exits 130 at best, never 0.
void apply_expectations(const Workload& workload, CellResult& cell, bool cut_short = false);

}  // namespace clobber
