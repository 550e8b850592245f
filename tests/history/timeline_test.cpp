// The per-interval timeline reports draw: attempts counted by when they
// ended, aborts by cause, intervals chosen for a readable chart.
#include "harness/check/timeline.h"

#include <gtest/gtest.h>

#include <vector>

namespace clobber {
namespace {

AttemptRecord attempt(double end_s, AttemptOutcome outcome, AbortCause cause = AbortCause::none) {
  AttemptRecord record;
  record.end_ns = static_cast<int64_t>(end_s * 1e9);
  record.outcome = outcome;
  record.cause = cause;
  return record;
}

/// A worker's log of these attempts (none read or wrote).
WorkerLog log_of(std::vector<AttemptRecord> attempts) {
  Records records;
  records.attempts = std::move(attempts);
  WorkerLog log;
  log.append(records);
  return log;
}

TEST(Timeline, IntervalGivesTenToAHundredAndTwentyPoints) {
  EXPECT_DOUBLE_EQ(timeline_interval(0.3), 0.1);
  EXPECT_DOUBLE_EQ(timeline_interval(2), 0.2);
  EXPECT_DOUBLE_EQ(timeline_interval(5), 0.5);
  EXPECT_DOUBLE_EQ(timeline_interval(10), 1);
  EXPECT_DOUBLE_EQ(timeline_interval(120), 1);
  EXPECT_DOUBLE_EQ(timeline_interval(121), 2);
  EXPECT_DOUBLE_EQ(timeline_interval(600), 5);
  EXPECT_DOUBLE_EQ(timeline_interval(3600), 30);
  EXPECT_DOUBLE_EQ(timeline_interval(1e9), 300);
}

TEST(Timeline, CountsEveryAttemptByWhenItEnded) {
  std::vector<WorkerLog> logs;
  logs.push_back(log_of({attempt(0.05, AttemptOutcome::committed),
                         attempt(1.5, AttemptOutcome::aborted, AbortCause::serialization),
                         attempt(1.6, AttemptOutcome::committed),
                         attempt(9.99, AttemptOutcome::aborted, AbortCause::connection)}));
  logs.push_back(
      log_of({attempt(0.5, AttemptOutcome::aborted, AbortCause::deadlock),
              attempt(1.2, AttemptOutcome::rejected), attempt(3.0, AttemptOutcome::indeterminate),
              attempt(12.0, AttemptOutcome::aborted, AbortCause::lock_timeout),
              attempt(2.5, AttemptOutcome::aborted, AbortCause::conflict)}));
  const Timeline timeline = build_timeline(logs, 10.0);
  EXPECT_DOUBLE_EQ(timeline.interval_s, 1);
  ASSERT_EQ(timeline.intervals.size(), 10u);
  EXPECT_EQ(timeline.intervals[0].committed, 1);
  EXPECT_EQ(timeline.intervals[0].aborts.deadlock, 1);
  EXPECT_EQ(timeline.intervals[1].committed, 1);
  EXPECT_EQ(timeline.intervals[1].aborts.serialization, 1);
  EXPECT_EQ(timeline.intervals[2].aborts.conflict, 1);
  EXPECT_EQ(timeline.intervals[3].committed, 0);  // indeterminate is neither
  EXPECT_EQ(timeline.intervals[3].aborts.total(), 0);
  // A connection loss is "other"; an attempt that ended after the cell's
  // measured duration falls in the last interval.
  EXPECT_EQ(timeline.intervals[9].aborts.other, 1);
  EXPECT_EQ(timeline.intervals[9].aborts.lock_timeout, 1);
}

TEST(Timeline, EmptyWhenNothingWasRecorded) {
  std::vector<WorkerLog> logs(3);
  EXPECT_TRUE(build_timeline(logs, 5.0).intervals.empty());
}

}  // namespace
}  // namespace clobber
