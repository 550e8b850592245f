// The comparison of databases a run covered: one row per (isolation, locking),
// one column per database, built from a RunResult as a plain model the console
// reporter renders (and tests check without parsing text).
#pragma once

#include <string>
#include <vector>

#include "harness/result/result.h"

namespace clobber {

/// Whether `a` and `b` are the same database of a run: same kind, server version
/// and (masked) URL.
bool same_database(const DatabaseInfo& a, const DatabaseInfo& b);

/// "kind version" ("postgresql 15.20"), or the kind alone when the version is unknown.
std::string database_name(const DatabaseInfo& database);

/// What one database did at one (isolation, locking).
enum class EntryState { passed, failed, unsupported, error, not_run };

/// One cell of the comparison table. `lost`, `abort` and `tps` are set only for
/// cells that ran (passed or failed).
struct ComparisonEntry {
  EntryState state = EntryState::not_run;
  std::string lost;   // lost updates: "223"
  std::string abort;  // aborted attempts among all attempts: "0%", "<1%", "12%"
  std::string tps;    // committed transactions per second: "1243"
};

/// `cell`'s entry as the comparison shows it.
ComparisonEntry comparison_entry(const CellResult& cell);

/// One (isolation, locking) with an entry per database, in column order.
struct ComparisonRow {
  Isolation isolation = Isolation::none;
  Locking locking = Locking::none;
  std::vector<ComparisonEntry> entries;
};

/// The whole comparison; empty (no columns, no rows) when the run covered fewer
/// than two databases.
struct ComparisonTable {
  /// One header per database, in the order databases first ran: its label
  /// (database_label in reports/reporter.h), or its masked URL when another
  /// database has the same label.
  std::vector<std::string> columns;
  /// One row per (isolation, locking), in the order cells first ran.
  std::vector<ComparisonRow> rows;
};

/// Builds the comparison of `result`'s databases. When a database ran the same
/// (isolation, locking) twice, its first cell is shown.
ComparisonTable build_comparison(const RunResult& result);

/// `entry` on one line, unpadded: "lost 223 | abort 0% | 1243 tps", with a
/// trailing " FAIL" for failed cells, or "unsupported", "error", "-" (not run).
std::string to_string(const ComparisonEntry& entry);

/// `entry` in short, as the console shows it within 120 columns and the
/// Markdown matrix does: "223/0%/1243" (lost updates/abort rate/tps), with a
/// trailing " FAIL" for failed cells; otherwise as to_string.
std::string short_string(const ComparisonEntry& entry);

}  // namespace clobber
