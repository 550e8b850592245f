// Scenarios on a real PostgreSQL 15 (CLOBBER_TEST_PG_URL): what the manual
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

class PostgresScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::url_from_env("CLOBBER_TEST_PG_URL");
    if (!url_) GTEST_FAIL();
  }

  /// Checks that no table with the cell's prefix is left.
  void expect_dropped(const ScenarioCell& cell) {
    const QueryRows rows = make_driver(*url_)->connect()->query(
        "SELECT count(*) FROM pg_tables WHERE tablename LIKE '" + cell.table_prefix + "%'");
    EXPECT_EQ(rows.rows.at(0).at(0), "0");
  }

  std::optional<DatabaseUrl> url_;
};

TEST_F(PostgresScenarioTest, LostUpdateAtEachLevel) {
  const Scenario p4 = suite_scenario("07_p4_lost_update.yaml");

  const ScenarioCell none = run_cell(p4, *url_, Isolation::none);
  EXPECT_EQ(none.verdict, ScenarioVerdict::anomaly) << trace_text(none);

  EXPECT_EQ(run_cell(p4, *url_, Isolation::read_uncommitted).status, CellStatus::unsupported);

  // READ COMMITTED: Bob's update waits for Alice's row lock, then runs on her
  // committed row and overwrites it: her update is lost.
  const ScenarioCell rc = run_cell(p4, *url_, Isolation::read_committed);
  ASSERT_EQ(rc.status, CellStatus::ran) << rc.reason;
  EXPECT_EQ(rc.verdict, ScenarioVerdict::anomaly) << trace_text(rc);
  ASSERT_EQ(rc.trace.size(), 9u) << trace_text(rc);
  EXPECT_EQ(rc.trace[5].status, StepStatus::blocked);
  EXPECT_EQ(rc.trace[5].step, 6);
  EXPECT_EQ(rc.trace[5].detected_by, BlockDetection::pg_stat_activity);
  EXPECT_EQ(rc.trace[6].step, 7);  // Alice's commit
  EXPECT_EQ(rc.trace[7].at_step, 7);
  EXPECT_EQ(rc.trace[7].step, 6);
  EXPECT_TRUE(rc.trace[7].released);
  EXPECT_EQ(rc.trace[7].status, StepStatus::ok);
  EXPECT_EQ(rc.trace[7].rows_affected, 1);
  expect_dropped(rc);

  // REPEATABLE READ and SERIALIZABLE: Bob fails with 40001 once Alice commits.
  for (Isolation level : {Isolation::repeatable_read, Isolation::serializable}) {
    SCOPED_TRACE(std::string(to_string(level)));
    const ScenarioCell cell = run_cell(p4, *url_, level);
    EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented) << trace_text(cell);
    EXPECT_EQ(cell.prevention, Prevention::aborted);
    EXPECT_EQ(cell.how, "abort 40001");
    const TraceEvent* failed = event_of(cell, 6, StepStatus::failed);
    ASSERT_NE(failed, nullptr) << trace_text(cell);
    EXPECT_TRUE(failed->released);
    EXPECT_EQ(failed->at_step, 7);
    EXPECT_EQ(failed->outcome.code, "40001");
    EXPECT_EQ(failed->outcome.cause, AbortCause::serialization);
    EXPECT_EQ(cell.committed, std::vector<std::string>{"alice"});
    expect_dropped(cell);
  }
}

TEST_F(PostgresScenarioTest, WriteSkewAtEachLevel) {
  const Scenario skew = suite_scenario("09_g2_item_write_skew.yaml");
  // Snapshot isolation (REPEATABLE READ) allows write skew; only SERIALIZABLE
  // (SSI) prevents it, by failing one of the two with 40001.
  for (Isolation level : {Isolation::none, Isolation::read_committed, Isolation::repeatable_read}) {
    const ScenarioCell cell = run_cell(skew, *url_, level);
    EXPECT_EQ(cell.verdict, ScenarioVerdict::anomaly) << to_string(level) << "\n"
                                                      << trace_text(cell);
    for (const TraceEvent& event : cell.trace) EXPECT_EQ(event.status, StepStatus::ok);
  }
  const ScenarioCell serializable = run_cell(skew, *url_, Isolation::serializable);
  EXPECT_EQ(serializable.verdict, ScenarioVerdict::prevented) << trace_text(serializable);
  EXPECT_EQ(serializable.how, "abort 40001");
  ASSERT_TRUE(serializable.abort.has_value());
  EXPECT_EQ(serializable.abort->cause, AbortCause::serialization);
  EXPECT_EQ(serializable.committed, std::vector<std::string>{"alice"});
  expect_dropped(serializable);
}

TEST_F(PostgresScenarioTest, SameTraceTwentyTimes) {
  const Scenario p4 = suite_scenario("07_p4_lost_update.yaml");
  for (Isolation level : {Isolation::read_committed, Isolation::repeatable_read}) {
    const std::string first = trace_text(run_cell(p4, *url_, level));
    for (int run = 1; run < 20; ++run)
      ASSERT_EQ(trace_text(run_cell(p4, *url_, level)), first)
          << to_string(level) << ", run " << run;
  }
}

TEST_F(PostgresScenarioTest, DeadlocksAreWaitedForAndRecordedWhereTheyEnd) {
  // T1 waits for T2 (step 5), then T2 for T1 (step 6). Step 7 is T1's: the
  // runner waits, since the server resolves the cycle after deadlock_timeout
  // (aborting the waiter whose timer fires first, normally T1); the victim's
  // failure and the survivor's release are both recorded at step 7.
  const ScenarioCell cell =
      run_cell(suite_scenario("01_g0_dirty_write.yaml"), *url_, Isolation::read_committed);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented) << trace_text(cell);
  EXPECT_EQ(cell.how, "deadlock 40P01");
  EXPECT_NE(event_of(cell, 5, StepStatus::blocked), nullptr) << trace_text(cell);
  EXPECT_NE(event_of(cell, 6, StepStatus::blocked), nullptr) << trace_text(cell);
  const TraceEvent* t1 = event_of(cell, 5, StepStatus::failed);
  const TraceEvent* victim = t1 ? t1 : event_of(cell, 6, StepStatus::failed);
  const TraceEvent* survivor = event_of(cell, t1 ? 6 : 5, StepStatus::ok);
  ASSERT_NE(victim, nullptr) << trace_text(cell);
  ASSERT_NE(survivor, nullptr) << trace_text(cell);
  EXPECT_EQ(victim->at_step, 7);
  EXPECT_EQ(victim->outcome.code, "40P01");
  EXPECT_EQ(survivor->at_step, 7);
  EXPECT_EQ(cell.committed.size(), 1u);
}

TEST_F(PostgresScenarioTest, TheSuiteMatchesWhatTheManualDocuments) {
  std::vector<Scenario> suite;
  for (const std::string& file :
       scenario_files({std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios"}))
    suite.push_back(load_scenario_file(file));
  ScenarioOptions options;
  options.databases = {*url_};
  options.isolation = std::vector<Isolation>{Isolation::read_committed, Isolation::repeatable_read,
                                             Isolation::serializable};
  const ScenarioRunResult result = run_scenarios(suite, options);
  // Anomalies each level lets happen (the others are prevented).
  const std::map<Isolation, std::vector<std::string>> allowed{
      {Isolation::read_committed, {"PMP", "P4", "G-single", "G2-item", "G2"}},
      {Isolation::repeatable_read, {"G2-item", "G2"}},
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

TEST_F(PostgresScenarioTest, ADeferrableReportIsSeenWaitingForASafeSnapshotAtOnce) {
  const ScenarioCell cell =
      run_cell(testing::server_scenario("01_deferrable_read_only_anomaly.yaml"), *url_,
               Isolation::serializable);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented) << trace_text(cell);
  EXPECT_EQ(cell.how, "blocked");
  const TraceEvent* blocked = event_of(cell, 9, StepStatus::blocked);
  ASSERT_NE(blocked, nullptr) << trace_text(cell);
  EXPECT_EQ(blocked->at_step, 9);
  EXPECT_EQ(blocked->detected_by, BlockDetection::pg_stat_activity)
      << "pg_safe_snapshot_blocking_pids() names the withdrawal: no 2 s fallback";
  const TraceEvent* report = event_of(cell, 9, StepStatus::ok);
  ASSERT_NE(report, nullptr) << trace_text(cell);
  EXPECT_TRUE(report->released);
  // Never before the withdrawal commits. A serializable read-write transaction
  // of another client of the server (any database) can hold the report a
  // little longer: then it is released at its own commit (step 12).
  EXPECT_GE(report->at_step, 11) << trace_text(cell);
  EXPECT_EQ(report->rows.rows,
            (std::vector<std::vector<std::optional<std::string>>>{{"-11", "20"}}));
  EXPECT_EQ(cell.committed, (std::vector<std::string>{"withdrawal", "deposit", "report"}));
  EXPECT_TRUE(cell.passed);
}

TEST_F(PostgresScenarioTest, ALockTimeoutEndsAWaitLeftToTheServer) {
  const ScenarioCell cell =
      run_cell(testing::server_scenario("02_lock_timeout.yaml"), *url_, Isolation::read_committed);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented) << trace_text(cell);
  EXPECT_EQ(cell.how, "timeout 55P03");
  const TraceEvent* blocked = event_of(cell, 5, StepStatus::blocked);
  ASSERT_NE(blocked, nullptr) << trace_text(cell);
  EXPECT_EQ(blocked->detected_by, BlockDetection::pg_stat_activity);
  const TraceEvent* failed = event_of(cell, 5, StepStatus::failed);
  ASSERT_NE(failed, nullptr) << trace_text(cell);
  EXPECT_EQ(failed->at_step, 6) << "bob's commit waited for it instead of being deferred";
  EXPECT_TRUE(failed->released);
  EXPECT_EQ(failed->outcome.code, "55P03");
  EXPECT_EQ(failed->outcome.cause, AbortCause::lock_timeout);
  const TraceEvent* commit = event_of(cell, 6, StepStatus::rolled_back);
  ASSERT_NE(commit, nullptr) << trace_text(cell);
  EXPECT_EQ(commit->failed_at_step, 5);
  EXPECT_EQ(cell.committed, std::vector<std::string>{"alice"});
  EXPECT_NE(cell.explanation.find("returned 90"), std::string::npos) << cell.explanation;
  // The timer (500 ms) is far longer than the probe needs: the same trace each time.
  for (int run = 1; run < 3; ++run)
    EXPECT_EQ(trace_text(run_cell(testing::server_scenario("02_lock_timeout.yaml"), *url_,
                                  Isolation::read_committed)),
              trace_text(cell))
        << "run " << run;
}

TEST_F(PostgresScenarioTest, ADuplicateKeyAbortsTheWholeTransaction) {
  const ScenarioCell cell =
      run_cell(testing::server_scenario("04_statement_rollback_on_duplicate_key.yaml"), *url_,
               Isolation::read_committed);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented) << trace_text(cell);
  EXPECT_EQ(cell.how, "error 23505");
  const TraceEvent* skipped = event_of(cell, 3, StepStatus::skipped);
  ASSERT_NE(skipped, nullptr) << "PostgreSQL never runs the DELETE\n" << trace_text(cell);
  EXPECT_EQ(skipped->failed_at_step, 2);
  EXPECT_NE(event_of(cell, 4, StepStatus::rolled_back), nullptr) << trace_text(cell);
  EXPECT_NE(cell.explanation.find("returned 1"), std::string::npos) << cell.explanation;
}

TEST_F(PostgresScenarioTest, TheServerScenariosMeetTheirExpectations) {
  testing::expect_server_scenarios_met(*url_);
}

}  // namespace
}  // namespace clobber
