// Declarative invariants (harness/check/invariants.h) over hand-made table
// rows: exact sums and counts, overflow as a failure, `initial`, SQL
// invariants left to the caller or not run, and what a not-run invariant does
// to a cell's verdict.
#include "harness/check/invariants.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "harness/workload/workload_loader.h"

namespace clobber {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Integer columns of accounts: id, balance, overdraft (owner is text).
const std::string kWorkload = R"(name: w
description: d
tables:
  accounts:
    columns: {id: int, owner: text, balance: bigint, overdraft: bigint}
    key: id
    rows:
      - {id: 1, owner: a, balance: 100}
      - {id: 2, owner: b, balance: 200}
  audit:
    columns: {id: int, total: bigint}
    key: id
    rows: [{id: 1, total: 0}]
transactions:
  t:
    steps:
      - read: {table: accounts, key: 1, as: a}
      - write: {row: a, set: {balance: a.balance - 1}}
invariants:
  - {name: money, sum: accounts.balance, equals: initial}
  - {name: no overdraft, count: {table: accounts, where: balance < 0}, equals: 0}
  - {name: accounts, count: {table: accounts}, at_least: 2}
  - {name: small, sum: accounts.balance, at_most: 1000}
  - {name: audit, sql: SELECT SUM(total) FROM audit, equals: 0}
  - {name: doubled, count: {table: accounts, where: balance * 2 > overdraft}, equals: 2}
)";

const Workload& workload() {
  static const Workload loaded = load_workload_text(kWorkload, "w.yaml");
  return loaded;
}

/// Accounts rows {id, balance, overdraft} (plus a last writer, as the final
/// state has), and the audit table.
std::vector<TableSnapshot> tables(const std::vector<std::vector<int64_t>>& accounts) {
  TableSnapshot rows;
  for (const auto& row : accounts)
    rows.emplace(row[0], std::vector<int64_t>{row[0], row[1], row[2], 77});
  return {rows, TableSnapshot{{1, {1, 0, 0}}}};
}

int64_t value_of(size_t invariant, const std::vector<TableSnapshot>& state) {
  const InvariantValue value =
      evaluate_invariant(workload(), workload().invariants.at(invariant), state);
  EXPECT_TRUE(value.value.has_value()) << value.error;
  return value.value.value_or(-1);
}

TEST(Invariants, LoadedForms) {
  const auto& inv = workload().invariants;
  ASSERT_EQ(inv.size(), 6u);
  EXPECT_EQ(inv[0].form, Invariant::Form::sum);
  EXPECT_EQ(inv[0].table, 0u);
  EXPECT_EQ(inv[0].column, 2u);  // balance, after the text column owner
  EXPECT_TRUE(inv[0].against_initial);
  EXPECT_EQ(inv[1].form, Invariant::Form::count);
  ASSERT_TRUE(inv[1].where_rows.has_value());
  EXPECT_EQ(inv[1].where_rows->text, "balance < 0");
  EXPECT_FALSE(inv[2].where_rows.has_value());
  EXPECT_EQ(inv[4].form, Invariant::Form::sql);
}

TEST(Invariants, SumIsExactAndIgnoresTheLastWriter) {
  EXPECT_EQ(value_of(0, tables({{1, 100, 0}, {2, 200, 0}, {3, -5, 0}})), 295);
  EXPECT_EQ(value_of(0, tables({})), 0);
}

TEST(Invariants, SumOutsideSixtyFourBitsFailsWithAReason) {
  const InvariantValue high =
      evaluate_invariant(workload(), workload().invariants[0], tables({{1, kMax, 0}, {2, 1, 0}}));
  EXPECT_FALSE(high.value.has_value());
  EXPECT_EQ(high.error, "the sum of accounts.balance is outside the 64-bit range");
  const InvariantValue low =
      evaluate_invariant(workload(), workload().invariants[0], tables({{1, kMin, 0}, {2, -1, 0}}));
  EXPECT_FALSE(low.value.has_value());
}

TEST(Invariants, SumThatReturnsIntoRangeIsExactWhateverTheRowOrder) {
  // A running 64-bit sum would overflow in some orders of these rows.
  EXPECT_EQ(value_of(0, tables({{1, kMax, 0}, {2, 1, 0}, {3, -1, 0}, {4, kMin, 0}})), -1);
  EXPECT_EQ(value_of(0, tables({{1, kMax, 0}, {2, kMax, 0}, {3, -kMax, 0}})), kMax);
}

TEST(Invariants, CountWithAndWithoutWhere) {
  const auto state = tables({{1, -1, 0}, {2, 0, 0}, {3, -7, 0}, {4, 5, 0}});
  EXPECT_EQ(value_of(1, state), 2);  // balance < 0
  EXPECT_EQ(value_of(2, state), 4);  // every row
  EXPECT_EQ(value_of(5, state), 1);  // balance * 2 > overdraft: only row 4
}

TEST(Invariants, WhereThatOverflowsFailsNamingTheSmallestKey) {
  const InvariantValue value = evaluate_invariant(workload(), workload().invariants[5],
                                                  tables({{9, kMax, 0}, {4, kMax, 0}, {1, 0, 0}}));
  EXPECT_FALSE(value.value.has_value());
  EXPECT_EQ(value.error,
            "where 'balance * 2 > overdraft' on the row of accounts with key 4: integer overflow");
}

TEST(Invariants, InitialValuesOnlyForDeclarativeInitial) {
  const auto initial = initial_invariant_values(workload(), tables({{1, 100, 0}, {2, 200, 0}}));
  ASSERT_EQ(initial.size(), 6u);
  EXPECT_EQ(initial[0].value, 300);
  for (size_t i = 1; i < initial.size(); ++i) EXPECT_FALSE(initial[i].value.has_value()) << i;
}

TEST(Invariants, ResultsCompareWithTheirBounds) {
  const auto initial = initial_invariant_values(workload(), tables({{1, 100, 0}, {2, 200, 0}}));
  const auto results = check_declarative_invariants(
      workload(), initial, tables({{1, 150, 0}, {2, 100, 0}, {3, -50, 0}}));
  ASSERT_EQ(results.size(), 6u);
  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0]->name, "money");
  EXPECT_EQ(results[0]->expected, "= 300");
  EXPECT_EQ(results[0]->actual, "200");
  EXPECT_FALSE(results[0]->passed);
  EXPECT_TRUE(results[0]->failed());
  EXPECT_EQ(results[1]->expected, "= 0");
  EXPECT_EQ(results[1]->actual, "1");
  EXPECT_FALSE(results[1]->passed);
  EXPECT_EQ(results[2]->expected, ">= 2");
  EXPECT_EQ(results[2]->actual, "3");
  EXPECT_TRUE(results[2]->passed);
  EXPECT_EQ(results[3]->expected, "<= 1000");
  EXPECT_TRUE(results[3]->passed);
  EXPECT_FALSE(results[4].has_value());  // SQL: the caller runs it
  EXPECT_TRUE(results[5]->passed);
}

TEST(Invariants, OverflowIsAFailedInvariantWithItsReason) {
  const auto initial = initial_invariant_values(workload(), tables({{1, kMax, 0}, {2, 1, 0}}));
  EXPECT_FALSE(initial[0].value.has_value());
  const auto results =
      check_declarative_invariants(workload(), initial, tables({{1, kMax, 0}, {2, kMax, 0}}));
  EXPECT_EQ(results[0]->expected, "= initial");
  EXPECT_EQ(results[0]->actual, "error");
  EXPECT_EQ(results[0]->error,
            "initial value: the sum of accounts.balance is outside the 64-bit range");
  EXPECT_TRUE(results[0]->failed());
  EXPECT_EQ(results[3]->expected, "<= 1000");
  EXPECT_EQ(results[3]->actual, "error");
  EXPECT_EQ(results[3]->error, "the sum of accounts.balance is outside the 64-bit range");
  EXPECT_TRUE(results[3]->failed());
}

TEST(Invariants, SqlInvariantIsNotRunWithoutSql) {
  const auto state = tables({{1, 100, 0}, {2, 200, 0}});
  const auto results = check_declarative_invariants(
      workload(), initial_invariant_values(workload(), state), state, /*runs_sql=*/false);
  ASSERT_TRUE(results[4].has_value());
  EXPECT_TRUE(results[4]->not_run);
  EXPECT_FALSE(results[4]->passed);
  EXPECT_FALSE(results[4]->failed());
  EXPECT_EQ(results[4]->note, kSqlNotRunNote);
  EXPECT_EQ(results[4]->expected, "= 0");
  EXPECT_TRUE(results[0]->passed);  // the declarative ones still run
}

/// A cell that ran cleanly, with these invariants.
CellResult cell_with(std::vector<InvariantResult> invariants) {
  CellResult cell;
  cell.status = CellStatus::ran;
  cell.transactions.committed = 10;
  cell.transactions.attempted = 10;
  cell.invariants = std::move(invariants);
  return cell;
}

InvariantResult invariant(std::string name, bool passed, std::string actual) {
  InvariantResult result;
  result.name = std::move(name);
  result.passed = passed;
  result.expected = "= 0";
  result.actual = std::move(actual);
  return result;
}

InvariantResult held(std::string name) {
  return invariant(std::move(name), true, "0");
}
InvariantResult violated(std::string name) {
  return invariant(std::move(name), false, "1");
}
InvariantResult not_run(std::string name) {
  InvariantResult result = invariant(std::move(name), false, "not run");
  result.not_run = true;
  result.note = std::string(kSqlNotRunNote);
  return result;
}

TEST(Invariants, NotRunIsNeitherAPassNorAFailure) {
  CellResult only_not_run = cell_with({not_run("a")});
  apply_expectations(workload(), only_not_run);
  EXPECT_TRUE(only_not_run.passed);
  for (const ExpectationResult& e : only_not_run.expectations)
    EXPECT_EQ(e.description.find("invariants"), std::string::npos) << e.description;

  CellResult with_held = cell_with({not_run("a"), held("b")});
  apply_expectations(workload(), with_held);
  EXPECT_TRUE(with_held.passed);

  CellResult with_violated = cell_with({not_run("a"), violated("b")});
  apply_expectations(workload(), with_violated);
  EXPECT_FALSE(with_violated.passed);
}

}  // namespace
}  // namespace clobber
