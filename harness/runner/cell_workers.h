// The workers of one cell: a thread and a session each (and the leader's in
// single_writer mode), started together once every session is prepared, run
// to their quota or the deadline and joined; with the chaos and progress
// threads that watch them. Nothing is shared while they run but read-only
// state and relaxed counters (docs/architecture.md, "Thread rules").
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "harness/history/history.h"
#include "harness/plan/cell_plan.h"
#include "harness/runner/cell_runner.h"

namespace clobber {

/// What the workers of one cell did.
struct CellWorkers {
  std::vector<WorkerLog> logs;  // one per thread; single_writer's leader last
  double duration_s = 0;        // from the start signal to the last join
  int64_t chaos_kills = 0;      // sessions the chaos thread killed
  std::string launch_error;     // why the threads could not all start; empty when they did
};

/// Runs the workers of `plan` on `driver` as `spec` says; `admin` is the
/// chaos thread's session (nobody else uses it meanwhile). Worker failures are
/// in their logs; throws nothing a worker throws.
CellWorkers run_cell_workers(const Workload& workload, Driver& driver, const CellSpec& spec,
                             const CellPlan& plan, Session& admin, const std::atomic<bool>& stop);

}  // namespace clobber
