// No green without a run (embedded SQLite): a cell whose transactions all fail
// by an unexpected error fails, with the error's code, text and count in the
// result, the console and the JSON; expectations may allow failures; an
// invariant whose SQL fails is a failed invariant, not a lost run.
#include <sstream>

#include "reports/reporter.h"
#include "tests/integration/run_checks.h"

namespace clobber {
namespace {

/// A one-row counter workload whose single step set is `steps` (YAML, indented
/// for the `steps:` list) plus `extra` top-level YAML.
Workload counter_workload(const std::string& steps, const std::string& extra = "") {
  return load_workload_text(R"(name: no-green
description: every transaction hits the same error
tables:
  t:
    columns: {id: int, v: bigint}
    key: id
    rows:
      - {id: 1, v: 9223372036854775800}
transactions:
  bump:
    params: {k: 1, zero: 0}
    steps:
)" + steps + R"(
run: {workers: 2, transactions: 40}
)" + extra,
                            "no_green.yaml");
}

CellResult run_serializable(const Workload& workload) {
  return testing::run_one(workload, temporary_sqlite_url(), Isolation::serializable, Locking::none);
}

std::string console(const CellResult& cell) {
  RunResult run;
  run.cells.push_back(cell);
  run.passed = cell.passed;
  std::ostringstream out;
  ConsoleReporter().report(run, out);
  return out.str();
}

std::string json(const CellResult& cell) {
  RunResult run;
  run.cells.push_back(cell);
  std::ostringstream out;
  JsonReporter().report(run, out);
  return out.str();
}

void expect_failed_by(const CellResult& cell, const std::string& code, const std::string& text) {
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  EXPECT_EQ(cell.transactions.committed, 0);
  EXPECT_EQ(cell.transactions.failed, 40);
  EXPECT_EQ(cell.transactions.failed_by_error, 40);
  EXPECT_FALSE(cell.passed);
  ASSERT_EQ(cell.errors.size(), 1u);
  EXPECT_EQ(cell.errors[0].code, code);
  EXPECT_EQ(cell.errors[0].count, 40);  // not retried: one attempt each
  EXPECT_NE(cell.errors[0].message.find(text), std::string::npos) << cell.errors[0].message;
  const std::string shown = console(cell);
  EXPECT_NE(shown.find("error " + code + " x40: "), std::string::npos) << shown;
  EXPECT_NE(shown.find(text), std::string::npos);
  EXPECT_NE(shown.find("expectation failed: committed >= 1 (default); actual 0"),
            std::string::npos);
  EXPECT_NE(shown.find("verdict: FAIL"), std::string::npos);
  const std::string saved = json(cell);
  EXPECT_NE(saved.find("\"code\": \"" + code + "\""), std::string::npos) << saved;
  EXPECT_NE(saved.find(text), std::string::npos);
}

TEST(NoGreenTest, ReadingAMissingRowFails) {
  const Workload workload = counter_workload(R"(      - read: {table: t, key: k + 1, as: r}
      - write: {row: r, set: {v: r.v + 1}})");
  expect_failed_by(run_serializable(workload), "NOTFOUND", "no row with key 2");
}

TEST(NoGreenTest, OverflowFails) {
  const Workload workload = counter_workload(R"(      - read: {table: t, key: k, as: r}
      - write: {row: r, set: {v: r.v + 100}})");
  expect_failed_by(run_serializable(workload), "EVAL", "integer overflow");
}

TEST(NoGreenTest, DivisionByZeroFails) {
  const Workload workload = counter_workload(R"(      - read: {table: t, key: k, as: r}
      - write: {row: r, set: {v: r.v / zero}})");
  expect_failed_by(run_serializable(workload), "EVAL", "division by zero");
}

TEST(NoGreenTest, AnExpectationMayAllowFailures) {
  const Workload workload = counter_workload(R"(      - read: {table: t, key: k + 1, as: r}
      - write: {row: r, set: {v: r.v + 1}})",
                                             R"(expect:
  - where: {locking: none}
    failed: {max: 40}
    committed: {min: 0}
)");
  const CellResult cell = run_serializable(workload);
  EXPECT_EQ(cell.transactions.failed_by_error, 40);
  EXPECT_EQ(cell.errors.size(), 1u);  // still reported
  EXPECT_TRUE(cell.passed);
}

TEST(NoGreenTest, AHealthyRunStillPasses) {
  const Workload workload = counter_workload(R"(      - read: {table: t, key: k, as: r}
      - write: {row: r, set: {v: r.v - 1}})");
  const CellResult cell = run_serializable(workload);
  EXPECT_EQ(cell.transactions.committed, 40);
  EXPECT_TRUE(cell.errors.empty());
  EXPECT_TRUE(cell.passed);
}

TEST(NoGreenTest, AFailingInvariantQueryIsAFailedInvariant) {
  const Workload workload = counter_workload(R"(      - read: {table: t, key: k, as: r}
      - write: {row: r, set: {v: r.v - 1}})",
                                             R"(invariants:
  - {name: broken, sql: SELECT SUM(v) FROM t WHERE nosuchcolumn = 1, equals: 0}
  - {name: broken initial, sql: SELECT nosuchcolumn FROM t, equals: initial}
  - {name: one row, sql: SELECT COUNT(*) FROM t, equals: 1}
)");
  const CellResult cell = run_serializable(workload);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  ASSERT_EQ(cell.invariants.size(), 3u);
  EXPECT_FALSE(cell.invariants[0].passed);
  EXPECT_EQ(cell.invariants[0].actual, "error");
  EXPECT_NE(cell.invariants[0].error.find("nosuchcolumn"), std::string::npos);
  EXPECT_FALSE(cell.invariants[1].passed);
  EXPECT_NE(cell.invariants[1].error.find("initial value"), std::string::npos);
  EXPECT_TRUE(cell.invariants[2].passed);
  EXPECT_FALSE(cell.passed);
  EXPECT_NE(console(cell).find("invariant failed: broken: expected = 0, actual error ("),
            std::string::npos);
}

}  // namespace
}  // namespace clobber
