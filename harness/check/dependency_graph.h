// The dependency-graph check (README.md, "How it decides"): the wr, ww and rw
// dependencies between committed transactions, built from the exact versions
// every read and write recorded, and the cycles in them classified as Adya's
// and Elle's G0, G1c, G-single and G2-item, plus the dirty reads G1a and G1b.
// Its pieces, each testable alone: history_index.h (nodes and rows),
// version_order.h (each row's versions and the edges they imply),
// cycle_search.h (the graph and its cycles), anomaly_explainer.h (the accounts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/check/checks.h"

namespace clobber {

/// Reads and writes the dependency-graph check gathers at once, at most, in a
/// history of up to kGraphMaxPasses times as many: about 20 MB.
inline constexpr uint32_t kGraphBatchRecords = 1u << 20;
/// Passes over the history the check makes at most by default: larger
/// histories get larger batches (half their records each), so time
/// stays linear in the history and memory too.
inline constexpr uint32_t kGraphMaxPasses = 2;

/// Result of the dependency-graph check.
struct DependencyGraph {
  std::vector<Anomaly> anomalies;    // the first `max_listed`: dirty reads, then cycles
  std::vector<AnomalyCount> counts;  // G0, G1a, G1b, G1c, G-single, G2-item: those found
  int64_t total = 0;                 // sum of counts
  std::vector<std::string> notes;    // what could not be judged exactly
  int64_t transactions = 0;          // nodes: committed attempts, proven indeterminate ones
  int64_t edges = 0;                 // dependencies searched for cycles
  int64_t peak_bytes = 0;            // the largest the check's own arrays were at once
};

/// Checks the exact history of a cell that ran inside transactions.
///
/// Nodes are the committed attempts, plus the indeterminate ones (connection
/// lost around COMMIT) proven committed: a committed read or write saw their
/// version, or the final row holds it; unproven ones are left out, so they
/// never cause a report. Each row's version order comes from the version
/// numbers (clobber_version) that writes returned or reads saw: exact on
/// PostgreSQL and SQLite; on MySQL a write that reports nothing is placed by a
/// later read of it, or last when the final row holds it, and otherwise left
/// out (no dependency is ever assumed). Edges: ww (writer of a version -> the
/// writer of the next known one), wr (writer -> a committed reader of its
/// version) and rw (reader -> the writer of the next version). A lost update
/// (a read-modify-write that overwrote a version it did not see) is reported by
/// find_lost_updates; its two edges - the rw edge from the stale read to the
/// version it missed and the ww edge into the overwriting write - are kept out
/// of the cycle search, so that neither it nor the cycles it alone closes are
/// reported again as G-single.
///
/// Each strongly connected component (iterative Tarjan) yields one anomaly: the
/// shortest cycle found of the most specific class, searched in the order G0
/// (ww only), G1c (ww and wr), G-single (one rw), G2-item (two or more rw). A
/// committed read of an aborted attempt's write is G1a; of a version its writer
/// replaced itself before committing, G1b. Memory is linear in the history and
/// so is time, but for sorting each row's versions and the shortest-cycle
/// search inside large components, which is bounded (a cycle is always found;
/// the shortest is guaranteed in components of up to a few thousand
/// dependencies).
///
/// The rows' records are gathered `batch_records` at most at a time (unless one
/// row has more), each batch one more pass over the history: memory for time.
/// 0 (the default) takes kGraphBatchRecords or, in a larger history, a
/// kGraphMaxPasses-th of its records. The result is the same for every batch
/// size.
DependencyGraph check_dependency_graph(const Workload& workload, const std::vector<WorkerLog>& logs,
                                       const std::vector<TableSnapshot>& final_state,
                                       size_t max_listed, uint32_t batch_records = 0);

/// The note a cell gets when the workload has raw `sql` steps: what they read
/// and write is in no exact check (ledger, lost updates, dependency graph).
std::optional<std::string> raw_sql_note(const Workload& workload);

/// The note a cell at isolation `none` gets instead of the dependency graph.
inline constexpr const char* kNoTransactionsNote =
    "isolation none: every statement commits by itself, so there are no transactions whose "
    "dependencies could form cycles; the dependency-graph check was not run";

}  // namespace clobber
