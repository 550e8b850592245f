// A cell's run over time (committed transactions and aborts by cause per
// interval), derived after the run from every worker's recorded attempts.
#pragma once

#include <span>

#include "harness/history/history.h"
#include "harness/result/result.h"

namespace clobber {

/// The interval a chart of a `duration_s` run uses: 1 s for runs of 10 s to
/// 2 minutes, a shorter one (down to 0.1 s) below, a longer one above, from
/// 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120 and 300 s.
double timeline_interval(double duration_s);

/// Committed transactions and aborted attempts by cause in each interval of
/// the run, by when each attempt ended. Attempts that ended after
/// `duration_s` fall in the last interval.
Timeline build_timeline(std::span<const WorkerLog> logs, double duration_s);

}  // namespace clobber
