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

/// The integer columns of one table's rows, by key, in TableDef::integer_columns() order.
using TableSnapshot = std::unordered_map<int64_t, std::vector<int64_t>>;

/// Ledger check (design.md, "How it checks", 1): each value must equal its seed
/// plus the deltas (written - read) of every durable write; writes that may or
/// may not have committed widen the expected range instead of raising alarms.
/// Tables with `checked[t]` false (touched by raw SQL) are skipped.
LedgerResult check_ledger(const Workload& workload, const std::vector<bool>& checked,
                          const std::vector<TableSnapshot>& seed,
                          const std::vector<TableSnapshot>& final_state,
                          const std::vector<WorkerLog>& logs);

/// Result of the lost-update check.
struct LostUpdates {
  int64_t count = 0;               // committed writes overwritten without being seen
  std::vector<Anomaly> anomalies;  // one per (row, version read) group, first `max_listed`
  int64_t groups = 0;              // all such groups
};

/// Groups durable writes by (row, version read): a group of n distinct
/// transactions that read the same version and all wrote the row holds n - 1
/// lost updates. Each listed group names the row, the version and the writers.
LostUpdates find_lost_updates(const Workload& workload, const std::vector<WorkerLog>& logs,
                              size_t max_listed);

/// Evaluates the workload's expectations (and the defaults) on a cell that ran,
/// filling cell.expectations and cell.passed.
void apply_expectations(const Workload& workload, CellResult& cell);

}  // namespace clobber
