// The scenario runner on embedded SQLite (no server): verdicts, traces, table
// cleanup, error cells, determinism and the matrix.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "tests/scenario/scenario_checks.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;
using testing::event_of;
using testing::run_cell;
using testing::suite_scenario;
using testing::trace_text;

/// A SQLite file of its own per test, removed afterwards.
class ScenarioSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() /
             ("clobber_scenario_" + std::to_string(getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    url_ = parse_database_url("sqlite:" + path_);
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  }

  /// Tables whose name starts with `prefix` in the database file.
  size_t tables_named(const std::string& prefix) {
    const QueryRows rows =
        make_driver(url_)->connect()->query("SELECT name FROM sqlite_master WHERE type = 'table'");
    size_t count = 0;
    for (const auto& row : rows.rows) count += row[0] && row[0]->starts_with(prefix);
    return count;
  }

  std::string path_;
  DatabaseUrl url_;
};

TEST_F(ScenarioSqliteTest, WithoutTransactionsTheUpdateIsLost) {
  const ScenarioCell cell =
      run_cell(suite_scenario("07_p4_lost_update.yaml"), url_, Isolation::none);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  EXPECT_EQ(cell.verdict, ScenarioVerdict::anomaly);
  EXPECT_EQ(cell.how, "ANOMALY");
  EXPECT_EQ(cell.committed, (std::vector<std::string>{"alice", "bob"}));
  ASSERT_EQ(cell.trace.size(), 8u);
  for (int step = 1; step <= 8; ++step) {
    EXPECT_EQ(cell.trace[step - 1].step, step);
    EXPECT_EQ(cell.trace[step - 1].status, StepStatus::ok);
  }
  EXPECT_EQ(cell.trace[2].rows.rows,
            (std::vector<std::vector<std::optional<std::string>>>{{"10"}}));
  EXPECT_EQ(cell.trace[4].rows_affected, 1);
  EXPECT_NE(cell.explanation.find("returned 0"), std::string::npos) << cell.explanation;
}

TEST_F(ScenarioSqliteTest, SerializableFailsTheSecondWriterWithBusy) {
  // SQLite never waits in a scenario (busy_timeout=0): the second writer fails at once.
  const ScenarioCell cell =
      run_cell(suite_scenario("07_p4_lost_update.yaml"), url_, Isolation::serializable);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented);
  EXPECT_EQ(cell.prevention, Prevention::aborted);
  EXPECT_EQ(cell.how, "SQLITE_BUSY");
  const TraceEvent* failed = event_of(cell, 6, StepStatus::failed);
  ASSERT_NE(failed, nullptr) << trace_text(cell);
  EXPECT_EQ(failed->outcome.cause, AbortCause::lock_timeout);
  // SQLite undoes the statement alone and keeps the transaction open
  // (Session::effect_of): Bob's read-only transaction commits.
  EXPECT_NE(event_of(cell, 8, StepStatus::ok), nullptr) << trace_text(cell);
  EXPECT_EQ(cell.committed, std::vector<std::string>{"alice"}) << "bob had a failed statement";
}

TEST_F(ScenarioSqliteTest, UnsupportedLevelsAreListedWithTheReason) {
  const ScenarioCell cell =
      run_cell(suite_scenario("07_p4_lost_update.yaml"), url_, Isolation::read_committed);
  EXPECT_EQ(cell.status, CellStatus::unsupported);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::unsupported);
  EXPECT_NE(cell.reason.find("always serializable"), std::string::npos);
  EXPECT_TRUE(cell.trace.empty());
}

TEST_F(ScenarioSqliteTest, ABusyStatementLeavesItsTransactionGoingOn) {
  const ScenarioCell cell =
      run_cell(suite_scenario("01_g0_dirty_write.yaml"), url_, Isolation::serializable);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  EXPECT_EQ(cell.how, "SQLITE_BUSY");
  EXPECT_NE(event_of(cell, 4, StepStatus::failed), nullptr) << trace_text(cell);
  const TraceEvent* again = event_of(cell, 6, StepStatus::failed);
  ASSERT_NE(again, nullptr) << "the transaction's next statement runs\n" << trace_text(cell);
  EXPECT_EQ(again->outcome.code, "SQLITE_BUSY");
  EXPECT_NE(event_of(cell, 8, StepStatus::ok), nullptr) << trace_text(cell);
  EXPECT_EQ(cell.committed, std::vector<std::string>{"t1"});
}

TEST_F(ScenarioSqliteTest, ADeleteAfterADuplicateKeyCommits) {
  const ScenarioCell cell =
      run_cell(testing::server_scenario("04_statement_rollback_on_duplicate_key.yaml"), url_,
               Isolation::serializable);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  ASSERT_EQ(cell.trace.size(), 4u) << trace_text(cell);
  EXPECT_EQ(cell.trace[1].outcome.code, "SQLITE_CONSTRAINT_PRIMARYKEY");
  EXPECT_EQ(cell.trace[2].status, StepStatus::ok) << "the DELETE runs";
  EXPECT_EQ(cell.trace[2].rows_affected, 1);
  EXPECT_EQ(cell.trace[3].status, StepStatus::ok) << "COMMIT is sent, not a rollback";
  EXPECT_EQ(cell.verdict, ScenarioVerdict::anomaly) << trace_text(cell);
  EXPECT_TRUE(cell.passed);
}

TEST_F(ScenarioSqliteTest, WithoutTransactionsAFailureEndsNothing) {
  const ScenarioCell cell =
      run_cell(testing::server_scenario("04_statement_rollback_on_duplicate_key.yaml"), url_,
               Isolation::none);
  EXPECT_EQ(cell.trace.at(2).status, StepStatus::ok) << trace_text(cell);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::anomaly) << trace_text(cell);
}

TEST_F(ScenarioSqliteTest, TheServerScenariosMeetTheirExpectations) {
  testing::expect_server_scenarios_met(url_);
}

TEST_F(ScenarioSqliteTest, PinnedDatabasesRunOnlyThere) {
  ScenarioOptions options;
  options.databases = {url_};
  const ScenarioRunResult result =
      run_scenarios({testing::server_scenario("01_deferrable_read_only_anomaly.yaml")}, options);
  ASSERT_EQ(result.scenarios.size(), 1u);
  EXPECT_TRUE(result.scenarios[0].cells.empty()) << "pinned to postgresql";
  EXPECT_TRUE(result.passed());
}

TEST_F(ScenarioSqliteTest, ConditionsOverNamedReads) {
  const Scenario skew = suite_scenario("08_g_single_read_skew.yaml");
  const ScenarioCell none = run_cell(skew, url_, Isolation::none);
  EXPECT_EQ(none.verdict, ScenarioVerdict::anomaly) << trace_text(none);
  EXPECT_NE(none.explanation.find("x = 10, y = 18"), std::string::npos) << none.explanation;
  const ScenarioCell serializable = run_cell(skew, url_, Isolation::serializable);
  EXPECT_EQ(serializable.verdict, ScenarioVerdict::prevented) << trace_text(serializable);
  EXPECT_EQ(serializable.prevention, Prevention::none);
  EXPECT_NE(serializable.explanation.find("x = 10, y = 20"), std::string::npos)
      << serializable.explanation;
}

TEST_F(ScenarioSqliteTest, DropsItsTablesAndTouchesNoOther) {
  make_driver(url_)->connect()->query("CREATE TABLE entry (id int, value int)");
  const ScenarioCell cell =
      run_cell(suite_scenario("07_p4_lost_update.yaml"), url_, Isolation::none);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  EXPECT_TRUE(cell.table_prefix.starts_with("clobber_s"));
  EXPECT_EQ(tables_named(cell.table_prefix), 0u);
  EXPECT_EQ(tables_named("entry"), 1u);  // the user's own table, untouched
  EXPECT_TRUE(make_driver(url_)->connect()->query("SELECT * FROM entry").rows.empty());
}

TEST_F(ScenarioSqliteTest, SetupFailureIsAnErrorCellAndStillCleansUp) {
  const Scenario scenario = load_scenario_text(R"(name: broken
description: the second setup statement fails after the first created a table
tables: [a, b]
setup:
  - create table a (id int)
  - create table b (id int, this is not sql)
sessions: [s]
steps: [{s: select 1}]
anomaly_if: {all_committed: [s]}
)",
                                               "broken.yaml");
  const ScenarioCell cell = run_cell(scenario, url_, Isolation::none);
  EXPECT_EQ(cell.status, CellStatus::error);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::error);
  EXPECT_NE(cell.reason.find("setup failed"), std::string::npos) << cell.reason;
  EXPECT_EQ(cell.reason.find(cell.table_prefix), std::string::npos) << cell.reason;
  EXPECT_EQ(tables_named(cell.table_prefix), 0u);
}

TEST_F(ScenarioSqliteTest, ServerErrorsNameTheScenarioTables) {
  const Scenario scenario = load_scenario_text(R"(name: dup
description: a duplicate key
tables: [t]
setup: [create table t (id int primary key)]
sessions: [s]
steps: [{s: insert into t values (1)}, {s: insert into t values (1)}]
anomaly_if: {all_committed: [s]}
)",
                                               "dup.yaml");
  const ScenarioCell cell = run_cell(scenario, url_, Isolation::none);
  const TraceEvent* failed = event_of(cell, 2, StepStatus::failed);
  ASSERT_NE(failed, nullptr) << trace_text(cell);
  EXPECT_EQ(failed->outcome.code, "SQLITE_CONSTRAINT_PRIMARYKEY");
  EXPECT_NE(failed->outcome.message.find("t.id"), std::string::npos) << failed->outcome.message;
  EXPECT_EQ(failed->outcome.message.find("clobber_s"), std::string::npos);
  EXPECT_EQ(cell.how, "SQLITE_CONSTRAINT_PRIMARYKEY");
}

TEST_F(ScenarioSqliteTest, SameTraceEveryTime) {
  const Scenario scenario = suite_scenario("07_p4_lost_update.yaml");
  const std::string first = trace_text(run_cell(scenario, url_, Isolation::serializable));
  for (int run = 1; run < 20; ++run)
    ASSERT_EQ(trace_text(run_cell(scenario, url_, Isolation::serializable)), first)
        << "run " << run;
}

TEST_F(ScenarioSqliteTest, TheWholeSuiteRunsAndFillsTheMatrix) {
  std::vector<Scenario> suite;
  for (const std::string& file :
       scenario_files({std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios"}))
    suite.push_back(load_scenario_file(file));
  ScenarioOptions options;
  options.databases = {url_};
  const ScenarioRunResult result = run_scenarios(suite, options);
  ASSERT_EQ(result.scenarios.size(), 10u);
  for (const ScenarioResult& scenario : result.scenarios) {
    ASSERT_EQ(scenario.cells.size(), 5u) << scenario.name;
    for (const ScenarioCell& cell : scenario.cells)
      EXPECT_NE(cell.status, CellStatus::error) << scenario.name << ": " << cell.reason;
    // Without transactions every anomaly of the suite happens.
    EXPECT_EQ(scenario.cells[0].verdict, ScenarioVerdict::anomaly) << scenario.name;
    // SQLite is serializable: none happens.
    EXPECT_EQ(scenario.cells[4].verdict, ScenarioVerdict::prevented) << scenario.name;
  }
  const std::vector<MatrixRow> rows = scenario_matrix(result);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].isolation, Isolation::none);
  EXPECT_EQ(rows[0].cells.size(), 10u);
  EXPECT_EQ(rows[4].cells[6], &result.scenarios[6].cells[4]);
}

TEST_F(ScenarioSqliteTest, PinnedLevelsRunOnlyThere) {
  Scenario scenario = suite_scenario("07_p4_lost_update.yaml");
  scenario.isolation = {Isolation::serializable};
  ScenarioOptions options;
  options.databases = {url_};
  const ScenarioRunResult result = run_scenarios({scenario}, options);
  ASSERT_EQ(result.scenarios[0].cells.size(), 1u);
  EXPECT_EQ(result.scenarios[0].cells[0].isolation, Isolation::serializable);
  const std::vector<MatrixRow> rows = scenario_matrix(result);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].isolation, Isolation::serializable);
}

}  // namespace
}  // namespace clobber
