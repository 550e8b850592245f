// The verdict alone (harness/scenario/scenario_verdict.h), on hand-built
// observations: a trace, the sessions that committed and the final query's
// rows, with the exact outcome, label and explanation each must give.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/scenario/scenario_loader.h"
#include "harness/scenario/scenario_verdict.h"

namespace clobber {
namespace {

/// P4 with a named read and every kind of condition.
const Scenario& lost_update() {
  static const Scenario scenario = load_scenario_text(R"(name: lost-update
description: two writers
tables: [entry]
setup:
  - create table entry (id int primary key, value int)
  - insert into entry (id, value) values (1, 10)
sessions: [alice, bob]
steps:
  - alice: begin
  - bob: begin
  - alice: select value from entry where id = 1
  - bob: select value as seen, 1 as one from entry where id = 1
    as: bob_read
  - alice: update entry set value = 5 where id = 1
  - bob: update entry set value = 0 where id = 1
  - alice: commit
  - bob: commit
anomaly_if:
  all_committed: [alice, bob]
  when: bob_read.seen == 10
  sql: select value, flag from entry where id = 1
  equals: [[0, true]]
)",
                                                      "p4.yaml");
  return scenario;
}

/// An event of step `step` (1-based) of lost_update(), recorded at `at_step`.
TraceEvent event(int at_step, int step, StepStatus status) {
  static const char* const kSessions[] = {"alice", "bob", "alice", "bob",
                                          "alice", "bob", "alice", "bob"};
  TraceEvent e;
  e.at_step = at_step;
  e.step = step;
  e.session = kSessions[step - 1];
  e.statement = lost_update().steps[static_cast<size_t>(step) - 1].statement;
  e.status = status;
  e.deferred = at_step != step && status == StepStatus::ok;
  return e;
}

/// Bob's named read, returning seen = `value`.
TraceEvent bob_read(const std::string& value) {
  TraceEvent e = event(4, 4, StepStatus::ok);
  e.rows.columns = {"seen", "one"};
  e.rows.rows = {{value, "1"}};
  return e;
}

/// The final query's rows: one row (value, flag).
QueryRows final_rows(const std::string& value, const std::string& flag) {
  QueryRows rows;
  rows.columns = {"value", "flag"};
  rows.rows = {{value, flag}};
  return rows;
}

/// A cell whose script ran every step ok, both committing.
ScenarioCell clean_cell() {
  ScenarioCell cell;
  for (int step = 1; step <= 8; ++step)
    cell.trace.push_back(step == 4 ? bob_read("10") : event(step, step, StepStatus::ok));
  cell.committed = {"alice", "bob"};
  return cell;
}

TEST(ScenarioVerdict, EveryConditionHeldIsTheAnomaly) {
  ScenarioCell cell = clean_cell();
  // MySQL's decimal sum and PostgreSQL's boolean compare as the integers.
  decide_verdict(lost_update(), final_rows("0.000", "t"), cell);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::anomaly);
  EXPECT_EQ(cell.prevention, Prevention::none);
  EXPECT_EQ(cell.how, "ANOMALY");
  EXPECT_FALSE(cell.abort.has_value());
  EXPECT_EQ(cell.explanation,
            "the anomaly happened: alice committed; bob committed; bob_read.seen == 10 "
            "(bob_read.seen = 10); select value, flag from entry where id = 1 returned [[0.000, "
            "t]]");
}

TEST(ScenarioVerdict, TheFirstFailureIsHowItWasPrevented) {
  ScenarioCell cell = clean_cell();
  cell.trace[5] = event(6, 6, StepStatus::blocked);
  cell.trace[5].detected_by = BlockDetection::pg_stat_activity;
  TraceEvent failed = event(7, 6, StepStatus::failed);
  failed.released = true;
  failed.outcome = Outcome::failure(AbortCause::serialization, "40001",
                                    "could not serialize access due to concurrent update");
  cell.trace.insert(cell.trace.begin() + 7, failed);
  cell.trace.back() = event(8, 8, StepStatus::rolled_back);
  cell.trace.back().failed_at_step = 6;
  cell.committed = {"alice"};
  decide_verdict(lost_update(), final_rows("5", "f"), cell);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented);
  EXPECT_EQ(cell.prevention, Prevention::aborted);
  EXPECT_EQ(cell.how, "abort 40001");
  ASSERT_TRUE(cell.abort.has_value());
  EXPECT_EQ(cell.abort->code, "40001");
  EXPECT_EQ(cell.abort->cause, AbortCause::serialization);
  EXPECT_EQ(cell.explanation,
            "prevented: bob's step 6 failed with 40001 (serialization): could not serialize "
            "access due to concurrent update (bob did not commit; select value, flag from entry "
            "where id = 1 returned [[5, f]])");
}

TEST(ScenarioVerdict, ABlockReleasedLaterIsHowItWasPrevented) {
  ScenarioCell cell = clean_cell();
  cell.trace[5] = event(6, 6, StepStatus::blocked);
  cell.trace[5].detected_by = BlockDetection::innodb_status;
  TraceEvent released = event(7, 6, StepStatus::ok);
  released.released = true;
  released.deferred = false;
  cell.trace.insert(cell.trace.begin() + 7, released);
  decide_verdict(lost_update(), final_rows("-5", "0"), cell);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented);
  EXPECT_EQ(cell.prevention, Prevention::blocked);
  EXPECT_EQ(cell.how, "blocked");
  EXPECT_FALSE(cell.abort.has_value());
  EXPECT_EQ(cell.explanation,
            "prevented: bob's step 6 waited for a lock until step 7, then ran on the committed "
            "data (select value, flag from entry where id = 1 returned [[-5, 0]])");
}

TEST(ScenarioVerdict, NothingBlockedOrFailedIsPreventedWithoutMechanism) {
  ScenarioCell cell = clean_cell();
  cell.trace[3] = bob_read("5");
  decide_verdict(lost_update(), final_rows("0", "1"), cell);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented);
  EXPECT_EQ(cell.prevention, Prevention::none);
  EXPECT_EQ(cell.how, "prevented");
  EXPECT_EQ(cell.explanation,
            "prevented without blocking or failing (not bob_read.seen == 10 (bob_read.seen = 5))");
}

TEST(ScenarioVerdict, AStatementFailedButTheTransactionWentOn) {
  // MySQL: a statement undone alone (1205) and its transaction committed
  // anyway. Its session committed, but with a failed statement it is not
  // clean: all_committed does not hold.
  ScenarioCell cell = clean_cell();
  TraceEvent failed = event(6, 6, StepStatus::failed);
  failed.outcome = Outcome::failure(AbortCause::lock_timeout, "1205",
                                    "Lock wait timeout exceeded; try restarting transaction");
  cell.trace[5] = failed;
  cell.committed = {"alice"};
  decide_verdict(lost_update(), final_rows("0", "1"), cell);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented);
  EXPECT_EQ(cell.how, "timeout 1205");
  EXPECT_EQ(cell.explanation,
            "prevented: bob's step 6 failed with 1205 (lock_timeout): Lock wait timeout "
            "exceeded; try restarting transaction (bob did not commit)");
}

TEST(ScenarioVerdict, EachFailureHasItsLabel) {
  const std::vector<std::pair<Outcome, std::string>> cases{
      {Outcome::failure(AbortCause::deadlock, "40P01", "deadlock detected"), "deadlock 40P01"},
      {Outcome::failure(AbortCause::deadlock, "1213", "Deadlock found"), "deadlock 1213"},
      {Outcome::failure(AbortCause::lock_timeout, "55P03", "lock timeout"), "timeout 55P03"},
      {Outcome::failure(AbortCause::serialization, "1020", "Record has changed"), "abort 1020"},
      {Outcome::failure(AbortCause::lock_timeout, "SQLITE_BUSY", "database is locked"),
       "SQLITE_BUSY"},
      {Outcome::failure(AbortCause::other, "23505", "duplicate key"), "error 23505"},
      {Outcome::failure(AbortCause::connection, "", "server closed the connection"), "connection"},
  };
  for (const auto& [outcome, label] : cases) {
    ScenarioCell cell = clean_cell();
    cell.trace[5] = event(6, 6, StepStatus::failed);
    cell.trace[5].outcome = outcome;
    cell.committed = {"alice"};
    decide_verdict(lost_update(), final_rows("0", "1"), cell);
    EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented);
    EXPECT_EQ(cell.how, label);
  }
}

TEST(ScenarioVerdict, ANamedStepThatWasSkippedMakesTheConditionFalse) {
  ScenarioCell cell = clean_cell();
  cell.trace[3] = event(4, 4, StepStatus::skipped);
  cell.trace[3].failed_at_step = 2;
  decide_verdict(lost_update(), final_rows("0", "1"), cell);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented);
  EXPECT_EQ(cell.explanation,
            "prevented without blocking or failing (bob_read.seen == 10 cannot be evaluated: "
            "bob_read skipped)");
}

TEST(ScenarioVerdict, ARowCountOtherThanTheExpectedIsNotTheAnomaly) {
  ScenarioCell cell = clean_cell();
  QueryRows none;
  none.columns = {"value", "flag"};
  decide_verdict(lost_update(), none, cell);
  EXPECT_EQ(cell.verdict, ScenarioVerdict::prevented);
  EXPECT_EQ(cell.explanation,
            "prevented without blocking or failing (select value, flag from entry where id = 1 "
            "returned no rows)");
}

TEST(ScenarioVerdict, TheFinalRowsAreNeededWhenTheConditionHasSql) {
  ScenarioCell cell = clean_cell();
  EXPECT_THROW(decide_verdict(lost_update(), std::nullopt, cell), std::invalid_argument);
}

}  // namespace
}  // namespace clobber
