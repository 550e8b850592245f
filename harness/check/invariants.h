// Declarative invariants (`sum:`, `count:`; docs/workload-format.md,
// "Invariants"), evaluated by the harness itself over the rows it reads after
// a cell, so every backend checks them, with or without SQL. SQL invariants
// are run by their caller (harness/runner/cell_runner.cpp) on a backend that
// runs SQL, and reported as not run on one that does not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/check/checks.h"
#include "harness/result/result.h"
#include "harness/workload/workload.h"

namespace clobber {

/// An invariant's value over some state of the tables, or why it has none.
struct InvariantValue {
  std::optional<int64_t> value;
  std::string error;  // set when there is no value: an overflow, a failed `where`
};

/// The note of an SQL invariant on a backend that runs no SQL.
inline constexpr std::string_view kSqlNotRunNote =
    "this database runs no SQL; write the invariant as sum: or count: to check it on every "
    "database";

/// The value of a declarative (sum or count) invariant over `tables`, one
/// snapshot per workload table in TableSnapshot layout (values past the
/// table's integer columns, such as the last writer, are ignored). Exact: a
/// sum outside the 64-bit range and a `where` that overflows or divides by
/// zero are errors, never wrapped values.
InvariantValue evaluate_invariant(const Workload& workload, const Invariant& invariant,
                                  const std::vector<TableSnapshot>& tables);

/// The value over the seeded tables `seed` of every declarative invariant
/// compared with `initial`, in workload order (an empty value for the others).
/// Taken before the run, so the seed snapshots need not be kept.
std::vector<InvariantValue> initial_invariant_values(const Workload& workload,
                                                     const std::vector<TableSnapshot>& seed);

/// The result of every invariant the harness answers itself, in workload
/// order: each declarative invariant evaluated over `final_state` and compared
/// with its bound (for `initial`, its entry in `initial`, from
/// initial_invariant_values); each SQL invariant nullopt when `runs_sql` (the
/// caller runs its query), otherwise not run, with kSqlNotRunNote.
std::vector<std::optional<InvariantResult>> check_declarative_invariants(
    const Workload& workload, const std::vector<InvariantValue>& initial,
    const std::vector<TableSnapshot>& final_state, bool runs_sql = true);

}  // namespace clobber
