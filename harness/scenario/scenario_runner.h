// Running scenarios: each (database, isolation level) cell creates the
// scenario's tables under a prefix of its own, opens one connection and thread
// per session, advances the script one step at a time, records the trace, and
// decides whether the anomaly happened (docs/scenario-format.md, "How a cell runs").
//
// The pieces: session_worker.h drives one session on its own thread,
// scenario_verdict.h decides the outcome from what was observed; this file
// schedules the steps across the sessions and records the trace.
//
// Determinism: after sending a step's statement the runner waits until every
// statement in flight has either returned or is seen waiting for a lock by the
// server's own view (Driver::make_lock_wait_probe); only then does the next step start. A
// statement released by a step is recorded at that step; releases recorded at
// one step are listed in step order. The block timeout is a last resort, and the
// trace says when it was used.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "drivers/driver.h"
#include "harness/runner/table_registry.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/scenario_result.h"

namespace clobber {

/// How long the runner waits; the defaults suit real servers.
struct ScenarioTiming {
  /// A statement neither returned nor seen waiting for a lock after this long
  /// is recorded as blocked (detected by timeout).
  std::chrono::milliseconds block_timeout{2000};
  /// A step whose session is still blocked at an earlier step waits this long
  /// for it (PostgreSQL resolves deadlocks after deadlock_timeout, 1 s by
  /// default); then the script is stuck and the cell is an error.
  std::chrono::milliseconds stuck_timeout{10000};
  /// A statement recorded as blocked by timeout counts as still blocked at a
  /// later step when it has not returned within this long.
  std::chrono::milliseconds release_grace{100};
};

/// What to run: command-line choices.
struct ScenarioOptions {
  std::vector<DatabaseUrl> databases;               // empty: default_database_url() (drivers/url.h)
  std::optional<std::vector<Isolation>> isolation;  // unset: every level
  ScenarioTiming timing;
  /// Called after each cell (progress output); may be empty.
  std::function<void(const ScenarioResult&, const ScenarioCell&)> on_cell;
};

/// Runs every scenario on every database at every level asked for (a scenario
/// pinned to levels or databases runs only there). Throws DatabaseError when a
/// database cannot be reached (exit 3); a cell that fails later is an error cell.
ScenarioRunResult run_scenarios(const std::vector<Scenario>& scenarios,
                                const ScenarioOptions& options);

/// Runs one cell on `driver` (on which Driver::use_for_scenarios() was called,
/// as run_scenarios does), recording its tables in `registry`. Never throws
/// for database failures: they make an error cell.
ScenarioCell run_scenario_cell(const Scenario& scenario, Driver& driver,
                               const DatabaseInfo& database, Isolation isolation,
                               const ScenarioTiming& timing, TableRegistry& registry);

}  // namespace clobber
