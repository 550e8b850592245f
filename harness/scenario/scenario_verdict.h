// The verdict of a scenario cell: from what the script observed (the trace,
// the sessions that committed, and the rows anomaly_if.sql returned on the
// committed state), whether the anomaly happened, or how it was prevented
// (docs/scenario-format.md, "Verdicts"). Server-free: the runner
// (scenario_runner.h) runs the final query and hands its rows over.
#pragma once

#include <optional>

#include "drivers/driver.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/scenario_result.h"

namespace clobber {

/// Decides `cell`'s verdict from `cell.trace`, `cell.committed` and
/// `final_rows` (what `scenario.anomaly_if.sql` returned; nullopt when the
/// condition has no `sql`): fills verdict, prevention, abort, how and
/// explanation. The anomaly happened when every condition of anomaly_if held;
/// otherwise it was prevented, by the trace's first failure (aborted), else
/// its first blocked statement (blocked), else by nothing (none).
void decide_verdict(const Scenario& scenario, const std::optional<QueryRows>& final_rows,
                    ScenarioCell& cell);

}  // namespace clobber
