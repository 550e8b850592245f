// The workers' tallies merged into a cell (harness/runner/cell_checks.h), on
// hand-built logs: exact sums, distinct errors, and a failed worker.
#include <gtest/gtest.h>

#include "harness/runner/cell_checks.h"

namespace clobber {
namespace {

WorkerLog log_of(int64_t committed, int64_t deadlocks, std::string code = {}) {
  WorkerLog log;
  log.counters.attempted = committed + 1;
  log.counters.committed = committed;
  log.counters.failed = 1;
  log.counters.retries = deadlocks;
  log.counters.aborts[static_cast<int>(AbortCause::deadlock)] = deadlocks;
  if (!code.empty()) log.errors.push_back(ErrorTally{code, "message of " + code, 2});
  for (int64_t i = 0; i < committed; ++i) log.latency.record(1000);
  return log;
}

TEST(TallyWorkers, SumsEveryWorkerAndKeepsDistinctErrorsInOrder) {
  std::vector<WorkerLog> logs;
  logs.push_back(log_of(10, 2, "23505"));
  logs.push_back(log_of(30, 1, "23505"));
  logs.push_back(log_of(0, 0, "NOTFOUND"));
  CellResult cell;
  cell.duration_s = 2;
  EXPECT_TRUE(tally_workers(logs, 3, cell));
  EXPECT_EQ(cell.transactions.committed, 40);
  EXPECT_EQ(cell.transactions.attempted, 43);
  EXPECT_EQ(cell.transactions.failed, 3);
  EXPECT_EQ(cell.aborts.deadlock, 3);
  EXPECT_EQ(cell.retries, 3);
  EXPECT_DOUBLE_EQ(cell.throughput_tps, 20);
  ASSERT_EQ(cell.errors.size(), 2u);
  EXPECT_EQ(cell.errors[0].code, "23505");
  EXPECT_EQ(cell.errors[0].count, 4);
  EXPECT_EQ(cell.errors[1].code, "NOTFOUND");
  EXPECT_EQ(cell.status, CellStatus::ran);
}

TEST(TallyWorkers, AFailedWorkerMakesAnErrorCellNamingTheFirst) {
  std::vector<WorkerLog> logs(3);
  logs[1].error = "could not connect";
  logs[2].error = "could not connect either";
  CellResult cell;
  EXPECT_FALSE(tally_workers(logs, 3, cell));
  EXPECT_EQ(cell.status, CellStatus::error);
  EXPECT_FALSE(cell.passed);
  EXPECT_EQ(cell.reason, "2 of 3 workers failed: could not connect");
}

}  // namespace
}  // namespace clobber
