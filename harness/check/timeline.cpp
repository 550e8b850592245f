#include "harness/check/timeline.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace clobber {

double timeline_interval(double duration_s) {
  constexpr std::array kIntervals{0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0};
  // At least 10 points for short runs, at most 120 for long ones.
  const double wanted = duration_s < 10 ? duration_s / 10 : std::max(1.0, duration_s / 120);
  for (double interval : kIntervals)
    if (interval >= wanted - 1e-9) return interval;
  return kIntervals.back();
}

Timeline build_timeline(std::span<const WorkerLog> logs, double duration_s) {
  Timeline timeline;
  timeline.interval_s = timeline_interval(duration_s);
  const auto count =
      static_cast<size_t>(std::max(1.0, std::ceil(duration_s / timeline.interval_s - 1e-9)));
  bool any = false;
  for (const WorkerLog& log : logs) any = any || log.attempts() > 0;
  if (!any) return timeline;
  timeline.intervals.resize(count);
  const double interval_ns = timeline.interval_s * 1e9;
  Records records;
  for (const WorkerLog& log : logs) {
    for (History::Reader reader = log.reader(false); reader.next(records);) {
      const AttemptRecord& attempt = records.attempts[0];
      const auto at = std::min(
          count - 1, static_cast<size_t>(std::max<int64_t>(0, attempt.end_ns) / interval_ns));
      TimelineInterval& slot = timeline.intervals[at];
      if (attempt.outcome == AttemptOutcome::committed) {
        ++slot.committed;
        continue;
      }
      if (attempt.outcome != AttemptOutcome::aborted) continue;
      switch (attempt.cause) {
        case AbortCause::serialization:
          ++slot.aborts.serialization;
          break;
        case AbortCause::deadlock:
          ++slot.aborts.deadlock;
          break;
        case AbortCause::lock_timeout:
          ++slot.aborts.lock_timeout;
          break;
        case AbortCause::conflict:
          ++slot.aborts.conflict;
          break;
        case AbortCause::none:
        case AbortCause::connection:
        case AbortCause::other:
          ++slot.aborts.other;
          break;
      }
    }
  }
  return timeline;
}

}  // namespace clobber
