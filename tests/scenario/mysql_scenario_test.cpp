// Scenarios on a real MariaDB 10.11 (CLOBBER_TEST_MYSQL_URL): what the manual
// documents for each isolation level, seen step by step.
#include <gtest/gtest.h>

#include <map>

#include "tests/scenario/scenario_checks.h"

namespace clobber {
namespace {

using testing::event_of;
using testing::run_cell;
using testing::suite_scenario;
using testing::trace_text;

class MysqlScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::url_from_env("CLOBBER_TEST_MYSQL_URL");
    if (!url_) GTEST_FAIL();
  }

  /// Checks that no table with the cell's prefix is left.
  void expect_dropped(const ScenarioCell& cell) {
    const QueryRows rows = make_driver(*url_)->connect()->query(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND "
        "table_name LIKE '" +
        cell.table_prefix + "%'");
    EXPECT_EQ(rows.rows.at(0).at(0), "0");
  }

  std::optional<DatabaseUrl> url_;
};

TEST_F(MysqlScenarioTest, LostUpdateAtEachLevel) {
  const Scenario p4 = suite_scenario("07_p4_lost_update.yaml");
  // Up to REPEATABLE READ, Bob's update waits for Alice's row lock and then
  // overwrites her committed row: the update is lost (InnoDB updates the latest
  // committed version, whatever the snapshot read).
  for (Isolation level : {Isolation::none, Isolation::read_uncommitted, Isolation::read_committed,
                          Isolation::repeatable_read}) {
    SCOPED_TRACE(std::string(to_string(level)));
    const ScenarioCell cell = run_cell(p4, *url_, level);
    ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
    EXPECT_EQ(cell.verdict, ScenarioVerdict::anomaly) << trace_text(cell);
    if (level == Isolation::none) continue;
    ASSERT_EQ(cell.trace.size(), 9u) << trace_text(cell);
    EXPECT_EQ(cell.trace[5].status, StepStatus::blocked);
    EXPECT_EQ(cell.trace[5].detected_by, BlockDetection::innodb_status);
    EXPECT_TRUE(cell.trace[7].released);
    EXPECT_EQ(cell.trace[7].at_step, 7);
    EXPECT_EQ(cell.trace[7].status, StepStatus::ok);
    expect_dropped(cell);
  }

  // SERIALIZABLE: both reads take shared locks, so Alice's update waits for
  // Bob's, and Bob's closes the cycle: 1213, and Alice goes on.
  const ScenarioCell serializable = run_cell(p4, *url_, Isolation::serializable);
  EXPECT_EQ(serializable.verdict, ScenarioVerdict::prevented) << trace_text(serializable);
  EXPECT_EQ(serializable.how, "deadlock 1213");
  const TraceEvent* alice = event_of(serializable, 5, StepStatus::blocked);
  ASSERT_NE(alice, nullptr) << trace_text(serializable);
  const TraceEvent* bob = event_of(serializable, 6, StepStatus::failed);
  ASSERT_NE(bob, nullptr) << trace_text(serializable);
  EXPECT_EQ(bob->outcome.code, "1213");
  EXPECT_EQ(bob->outcome.cause, AbortCause::deadlock);
  EXPECT_EQ(serializable.committed, std::vector<std::string>{"alice"});
  expect_dropped(serializable);
}

TEST_F(MysqlScenarioTest, SnapshotIsolationFromTheUrlPreventsTheLostUpdate) {
  DatabaseUrl url = *url_;
  url.options.emplace_back("innodb_snapshot_isolation", "ON");
  const ScenarioCell cell =
      run_cell(suite_scenario("07_p4_lost_update.yaml"), url, Isolation::repeatable_read);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented) << trace_text(cell);
  EXPECT_EQ(cell.how, "abort 1020");
  const TraceEvent* failed = event_of(cell, 6, StepStatus::failed);
  ASSERT_NE(failed, nullptr) << trace_text(cell);
  EXPECT_EQ(failed->at_step, 7);
  EXPECT_EQ(failed->outcome.cause, AbortCause::serialization);
}

TEST_F(MysqlScenarioTest, WriteSkewAtEachLevel) {
  const Scenario skew = suite_scenario("09_g2_item_write_skew.yaml");
  for (Isolation level :
       {Isolation::read_uncommitted, Isolation::read_committed, Isolation::repeatable_read}) {
    const ScenarioCell cell = run_cell(skew, *url_, level);
    EXPECT_EQ(cell.verdict, ScenarioVerdict::anomaly) << to_string(level) << "\n"
                                                      << trace_text(cell);
  }
  const ScenarioCell serializable = run_cell(skew, *url_, Isolation::serializable);
  EXPECT_EQ(serializable.verdict, ScenarioVerdict::prevented) << trace_text(serializable);
  EXPECT_EQ(serializable.how, "deadlock 1213");
  EXPECT_EQ(serializable.committed, std::vector<std::string>{"alice"});
  expect_dropped(serializable);
}

TEST_F(MysqlScenarioTest, SameTraceTwentyTimes) {
  const Scenario p4 = suite_scenario("07_p4_lost_update.yaml");
  const std::string first = trace_text(run_cell(p4, *url_, Isolation::repeatable_read));
  for (int run = 1; run < 20; ++run)
    ASSERT_EQ(trace_text(run_cell(p4, *url_, Isolation::repeatable_read)), first) << "run " << run;
}

TEST_F(MysqlScenarioTest, AStepOfABlockedSessionWaitsForIt) {
  // SERIALIZABLE: T1's count locks the range, T2's insert waits for it. T2's
  // commit is deferred until T1's commit releases the insert.
  const ScenarioCell cell = run_cell(suite_scenario("06_pmp_predicate_many_preceders.yaml"), *url_,
                                     Isolation::serializable);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented) << trace_text(cell);
  EXPECT_EQ(cell.how, "blocked");
  const TraceEvent* deferred = event_of(cell, 5, StepStatus::deferred);
  ASSERT_NE(deferred, nullptr) << trace_text(cell);
  EXPECT_EQ(deferred->blocked_at_step, 4);
  const TraceEvent* commit = event_of(cell, 5, StepStatus::ok);
  ASSERT_NE(commit, nullptr) << trace_text(cell);
  EXPECT_TRUE(commit->deferred);
  EXPECT_EQ(commit->at_step, 7);
  EXPECT_EQ(cell.committed, (std::vector<std::string>{"t1", "t2"}));
}

TEST_F(MysqlScenarioTest, TheSuiteMatchesWhatTheManualDocuments) {
  std::vector<Scenario> suite;
  for (const std::string& file :
       scenario_files({std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios"}))
    suite.push_back(load_scenario_file(file));
  ScenarioOptions options;
  options.databases = {*url_};
  options.isolation = std::vector<Isolation>{Isolation::read_uncommitted, Isolation::read_committed,
                                             Isolation::repeatable_read, Isolation::serializable};
  const ScenarioRunResult result = run_scenarios(suite, options);
  const std::map<Isolation, std::vector<std::string>> allowed{
      {Isolation::read_uncommitted,
       {"G1a", "G1b", "G1c", "OTV", "PMP", "P4", "G-single", "G2-item", "G2"}},
      {Isolation::read_committed, {"PMP", "P4", "G-single", "G2-item", "G2"}},
      {Isolation::repeatable_read, {"P4", "G2-item", "G2"}},
      {Isolation::serializable, {}}};
  for (const ScenarioResult& scenario : result.scenarios) {
    for (const ScenarioCell& cell : scenario.cells) {
      SCOPED_TRACE(scenario.id + " at " + std::string(to_string(cell.isolation)));
      ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
      const auto& anomalies = allowed.at(cell.isolation);
      const bool expected =
          std::find(anomalies.begin(), anomalies.end(), scenario.id) != anomalies.end();
      EXPECT_EQ(cell.verdict, expected ? ScenarioVerdict::anomaly : ScenarioVerdict::prevented)
          << trace_text(cell);
    }
  }
}

TEST_F(MysqlScenarioTest, ADeleteAfterADuplicateKeyCommits) {
  // MariaDB's mysql-test shows it: 1062 undoes the INSERT alone, and the
  // transaction's DELETE runs and commits.
  const ScenarioCell cell =
      run_cell(testing::server_scenario("04_statement_rollback_on_duplicate_key.yaml"), *url_,
               Isolation::repeatable_read);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  ASSERT_EQ(cell.trace.size(), 4u) << trace_text(cell);
  EXPECT_EQ(cell.trace[1].status, StepStatus::failed);
  EXPECT_EQ(cell.trace[1].outcome.code, "1062");
  EXPECT_EQ(cell.trace[2].step, 3);
  EXPECT_EQ(cell.trace[2].status, StepStatus::ok) << "the DELETE runs";
  EXPECT_EQ(cell.trace[2].rows_affected, 1);
  EXPECT_EQ(cell.trace[3].status, StepStatus::ok) << "COMMIT is sent, not a rollback";
  EXPECT_EQ(cell.verdict, ScenarioVerdict::anomaly) << trace_text(cell);
  EXPECT_EQ(cell.explanation,
            "the anomaly happened: select count(*) from item where id = 2 returned 0");
  EXPECT_TRUE(cell.passed);
  expect_dropped(cell);
}

TEST_F(MysqlScenarioTest, ATransactionGoesOnAfterALockWaitTimeout) {
  const ScenarioCell cell =
      run_cell(testing::server_scenario("03_partial_commit_after_lock_wait_timeout.yaml"), *url_,
               Isolation::read_committed);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  const TraceEvent* blocked = event_of(cell, 6, StepStatus::blocked);
  ASSERT_NE(blocked, nullptr) << trace_text(cell);
  EXPECT_EQ(blocked->detected_by, BlockDetection::innodb_status);
  const TraceEvent* timeout = event_of(cell, 6, StepStatus::failed);
  ASSERT_NE(timeout, nullptr) << trace_text(cell);
  EXPECT_EQ(timeout->at_step, 7) << "step 7 waited for the server to end the wait";
  EXPECT_EQ(timeout->outcome.code, "1205");
  EXPECT_EQ(timeout->outcome.cause, AbortCause::lock_timeout);
  const TraceEvent* next = event_of(cell, 7, StepStatus::ok);
  ASSERT_NE(next, nullptr) << "the transaction goes on\n" << trace_text(cell);
  EXPECT_EQ(next->rows_affected, 1);
  EXPECT_NE(event_of(cell, 8, StepStatus::ok), nullptr) << "bob commits\n" << trace_text(cell);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::anomaly) << trace_text(cell);
  EXPECT_EQ(cell.explanation,
            "the anomaly happened: select balance from account order by id returned [[90], "
            "[106]]");
  EXPECT_EQ(cell.committed, std::vector<std::string>{"alice"}) << "bob had a failed statement";
}

TEST_F(MysqlScenarioTest, TheServerScenariosMeetTheirExpectations) {
  testing::expect_server_scenarios_met(*url_);
}

}  // namespace
}  // namespace clobber
