// What a cell's runner does around its workers: what the checks need from
// before the run (the seed state, the invariants' initial values), the
// workers' tallies merged into the cell's result, and the checks of the
// final state and history (docs/architecture.md, "Data flow").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "harness/check/checks.h"
#include "harness/check/invariants.h"
#include "harness/history/history.h"
#include "harness/plan/cell_plan.h"
#include "harness/result/result.h"
#include "harness/workload/workload.h"

namespace clobber {

/// An SQL invariant's value at the start (against `initial`): its text, or
/// why its SQL failed.
struct InitialValue {
  std::optional<std::string> value;
  std::string error;
};

/// What the checks need from before the workers start.
struct CellStart {
  std::vector<TableSnapshot> seed;               // every table's seeded rows
  std::vector<InvariantValue> declared_initial;  // sum/count invariants at the start
  std::vector<InitialValue> initial;             // SQL invariants against `initial`
};

/// Records the cell's start on `admin`, its tables seeded. Throws DatabaseError.
CellStart record_cell_start(Session& admin, const Workload& workload, const CellPlan& plan);

/// Adds the workers' counters, latencies, timeline and distinct errors to
/// `cell` (whose duration_s is set). Returns false, and makes `cell` an error
/// cell, when one of the `workers` failed.
bool tally_workers(const std::vector<WorkerLog>& logs, int workers, CellResult& cell);

/// Checks a cell whose workers ran: reads the final state on `admin`, runs the
/// ledger, lost-update, dependency-graph and invariant checks (SQL invariants
/// only when `runs_sql`), then the workload's expectations; `cut_short` when a
/// stop cancelled statements. Consumes `start`. Throws DatabaseError.
void check_cell(Session& admin, const Workload& workload, const CellPlan& plan, CellStart start,
                const std::vector<WorkerLog>& logs, bool runs_sql, bool cut_short,
                CellResult& cell);

}  // namespace clobber
