#include "harness/workload/workload_loader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clobber {
namespace {

using std::chrono::microseconds;

const std::string kGood = std::string(CLOBBER_SOURCE_DIR) + "/tests/workload/good/";

int64_t eval(const Expr& expr, const std::vector<int64_t>& frame) {
  int64_t out = 0;
  EXPECT_EQ(evaluate(expr, frame, out), EvalError::none) << expr.text;
  return out;
}

template <typename T>
const T& step(const TransactionType& type, size_t index) {
  return std::get<T>(type.steps.at(index).action);
}

// Loads `text` as "t.yaml" expecting an InputError at line:column containing `message`.
void expect_error(const std::string& text, int line, int column, const std::string& message) {
  try {
    load_workload_text(text, "t.yaml");
    ADD_FAILURE() << "no error for:\n" << text;
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().file, "t.yaml");
    EXPECT_EQ(error.where().line, line) << error.what();
    EXPECT_EQ(error.where().column, column) << error.what();
    EXPECT_NE(error.message().find(message), std::string::npos) << error.what();
  }
}

const std::string kHeader = R"(name: t
description: d
tables:
  accounts:
    columns: {id: int, owner: text, balance: bigint}
    key: id
transactions:
  transfer:
    params: {from: 1, amount: 5}
    steps:
)";  // steps follow at line 11

TEST(WorkloadLoader, FullWorkloadTables) {
  Workload w = load_workload_file(kGood + "full.yaml");
  EXPECT_EQ(w.name, "joint-account");
  EXPECT_EQ(w.description,
            "Alice and Bob move money out of John's joint account at the same time.");
  EXPECT_EQ(w.file, kGood + "full.yaml");
  ASSERT_EQ(w.tables.size(), 2u);

  const TableDef& accounts = w.tables[0];
  EXPECT_EQ(accounts.name, "accounts");
  EXPECT_EQ(accounts.where.line, 6);
  EXPECT_EQ(accounts.where.column, 3);
  ASSERT_EQ(accounts.columns.size(), 4u);
  EXPECT_EQ(accounts.columns[0].name, "id");
  EXPECT_EQ(accounts.columns[1].name, "owner");
  EXPECT_EQ(accounts.columns[1].type, ColumnType::text);
  EXPECT_EQ(accounts.columns[2].name, "balance");
  EXPECT_EQ(accounts.columns[2].type, ColumnType::integer);
  EXPECT_EQ(accounts.columns[3].name, "version");
  EXPECT_EQ(accounts.columns[3].type, ColumnType::integer);
  EXPECT_EQ(accounts.key_column, 0u);
  EXPECT_EQ(accounts.integer_columns(), (std::vector<size_t>{0, 2, 3}));
  EXPECT_EQ(accounts.column_index("balance"), 2u);
  EXPECT_EQ(accounts.column_index("nope"), std::nullopt);
  ASSERT_EQ(accounts.rows.size(), 3u);
  EXPECT_EQ(accounts.rows[0],
            (std::vector<SeedValue>{int64_t{1}, std::string("John"), int64_t{400}, int64_t{0}}));
  EXPECT_EQ(accounts.rows[2],
            (std::vector<SeedValue>{int64_t{3}, std::string("Jake"), int64_t{-200}, int64_t{7}}));
  EXPECT_FALSE(accounts.generated);

  const TableDef& items = w.tables[1];
  EXPECT_EQ(items.name, "items");
  EXPECT_EQ(items.key_column, 0u);
  EXPECT_EQ(items.integer_columns(), (std::vector<size_t>{0, 1}));
  EXPECT_TRUE(items.rows.empty());
  ASSERT_TRUE(items.generated);
  EXPECT_EQ(items.generated->count, 1000);
  EXPECT_EQ(items.generated->start, 10);
  ASSERT_EQ(items.generated->values.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(items.generated->values[0]));
  const Expr& stock = std::get<Expr>(items.generated->values[1]);
  EXPECT_EQ(stock.text, "key * 2 + 1");
  EXPECT_EQ(eval(stock, {10}), 21);
  EXPECT_EQ(std::get<std::string>(items.generated->values[2]), "item");

  EXPECT_EQ(w.table_index("items"), 1u);
  EXPECT_EQ(w.table_index("nope"), std::nullopt);
}

TEST(WorkloadLoader, FullWorkloadTransfer) {
  Workload w = load_workload_file(kGood + "full.yaml");
  ASSERT_EQ(w.transactions.size(), 2u);
  const TransactionType& t = w.transactions[0];
  EXPECT_EQ(t.name, "transfer");
  EXPECT_EQ(t.weight, 3u);
  ASSERT_EQ(t.params.size(), 3u);
  EXPECT_EQ(t.params[0].name, "from");
  EXPECT_EQ(t.params[0].slot, 0);
  EXPECT_EQ(t.params[0].generator.kind, ParamGenerator::Kind::constant);
  EXPECT_EQ(t.params[0].generator.low, 1);
  EXPECT_EQ(t.params[1].name, "to");
  EXPECT_EQ(t.params[1].slot, 1);
  EXPECT_EQ(t.params[1].generator.kind, ParamGenerator::Kind::choice);
  EXPECT_EQ(t.params[1].generator.choices, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t.params[2].name, "amount");
  EXPECT_EQ(t.params[2].slot, 2);
  EXPECT_EQ(t.params[2].generator.kind, ParamGenerator::Kind::uniform);
  EXPECT_EQ(t.params[2].generator.low, 1);
  EXPECT_EQ(t.params[2].generator.high, 50);
  EXPECT_EQ(t.params[2].where.line, 29);
  EXPECT_EQ(t.params[2].where.column, 7);

  // Frame: from, to, amount, src.{id, balance, version}, dst.{id, balance, version}.
  EXPECT_EQ(t.frame_size, 9);
  ASSERT_EQ(t.steps.size(), 7u);
  const ReadStep& src = step<ReadStep>(t, 0);
  EXPECT_EQ(src.table, 0u);
  EXPECT_EQ(src.alias, "src");
  EXPECT_EQ(src.first_slot, 3);
  EXPECT_EQ(src.columns, (std::vector<size_t>{0, 2, 3}));
  EXPECT_EQ(src.key.text, "from");
  EXPECT_EQ(t.steps[0].where.line, 31);
  EXPECT_EQ(t.steps[0].where.column, 9);

  std::vector<int64_t> frame = {1, 3, 30, 1, 400, 0, 3, -200, 7};
  EXPECT_EQ(eval(src.key, frame), 1);
  EXPECT_EQ(eval(step<CheckStep>(t, 1).condition, frame), 1);
  EXPECT_EQ(step<SleepStep>(t, 2).duration, microseconds(2000));

  const WriteStep& debit = step<WriteStep>(t, 3);
  EXPECT_EQ(debit.table, 0u);
  EXPECT_EQ(debit.read_step, 0u);
  ASSERT_EQ(debit.assignments.size(), 1u);
  EXPECT_EQ(debit.assignments[0].column, 2u);
  EXPECT_EQ(eval(debit.assignments[0].value, frame), 370);

  const ReadStep& dst = step<ReadStep>(t, 4);
  EXPECT_EQ(dst.first_slot, 6);
  EXPECT_EQ(eval(dst.key, frame), 3);

  const WriteStep& credit = step<WriteStep>(t, 5);
  EXPECT_EQ(credit.read_step, 4u);
  ASSERT_EQ(credit.assignments.size(), 2u);
  EXPECT_EQ(credit.assignments[0].column, 2u);
  EXPECT_EQ(eval(credit.assignments[0].value, frame), -170);
  EXPECT_EQ(credit.assignments[1].column, 3u);
  EXPECT_EQ(eval(credit.assignments[1].value, frame), 8);

  const SqlStep& sql = step<SqlStep>(t, 6);
  EXPECT_EQ(sql.text,
            "UPDATE accounts SET balance = balance WHERE id = :to AND owner <> ':from' AND id = "
            ":amount::int OR id = :to");
  EXPECT_EQ(sql.param_slots, (std::vector<int>{1, 2, 1}));
}

TEST(WorkloadLoader, FullWorkloadRestock) {
  Workload w = load_workload_file(kGood + "full.yaml");
  const TransactionType& t = w.transactions[1];
  EXPECT_EQ(t.name, "restock");
  EXPECT_EQ(t.weight, 1u);
  ASSERT_EQ(t.params.size(), 2u);
  const ParamGenerator& hot = t.params[0].generator;
  EXPECT_EQ(hot.kind, ParamGenerator::Kind::zipf);
  EXPECT_EQ(hot.low, 10);
  EXPECT_EQ(hot.high, 1009);
  EXPECT_DOUBLE_EQ(hot.zipf_exponent, 1.1);
  const ParamGenerator& sku = t.params[1].generator;
  EXPECT_EQ(sku.kind, ParamGenerator::Kind::hot_set);
  EXPECT_DOUBLE_EQ(sku.hot_fraction, 0.01);
  EXPECT_DOUBLE_EQ(sku.hot_probability, 0.9);

  EXPECT_EQ(t.frame_size, 4);
  ASSERT_EQ(t.steps.size(), 4u);
  const ReadStep& item = step<ReadStep>(t, 0);
  EXPECT_EQ(item.table, 1u);
  EXPECT_EQ(item.first_slot, 2);
  EXPECT_EQ(item.columns, (std::vector<size_t>{0, 1}));
  const CheckStep& check = step<CheckStep>(t, 1);
  EXPECT_EQ(check.condition.text, "item.stock < 100\n  and hot > 0");
  EXPECT_EQ(check.condition.where.line, 45);
  EXPECT_EQ(check.condition.where.column, 11);
  EXPECT_EQ(eval(check.condition, {5, 20, 20, 99}), 1);
  EXPECT_EQ(eval(check.condition, {5, 20, 20, 100}), 0);
  const WriteStep& write = step<WriteStep>(t, 2);
  EXPECT_EQ(write.table, 1u);
  EXPECT_EQ(write.read_step, 0u);
  EXPECT_EQ(eval(write.assignments[0].value, {50, 20, 20, 7}), 60);
  EXPECT_EQ(step<SleepStep>(t, 3).duration, microseconds(100));
}

TEST(WorkloadLoader, FullWorkloadInvariantsRunMatrixExpect) {
  Workload w = load_workload_file(kGood + "full.yaml");
  ASSERT_EQ(w.invariants.size(), 4u);
  EXPECT_EQ(w.invariants[0].name, "money is conserved");
  EXPECT_EQ(w.invariants[0].sql, "SELECT SUM(balance) FROM accounts");
  EXPECT_EQ(w.invariants[0].compare, Invariant::Compare::equals);
  EXPECT_TRUE(w.invariants[0].against_initial);
  EXPECT_EQ(w.invariants[0].where.line, 50);
  EXPECT_EQ(w.invariants[0].where.column, 5);
  EXPECT_EQ(w.invariants[1].compare, Invariant::Compare::equals);
  EXPECT_FALSE(w.invariants[1].against_initial);
  EXPECT_EQ(w.invariants[1].value, 0);
  EXPECT_EQ(w.invariants[2].compare, Invariant::Compare::at_least);
  EXPECT_EQ(w.invariants[2].value, 1);
  EXPECT_EQ(w.invariants[3].compare, Invariant::Compare::at_most);
  EXPECT_EQ(w.invariants[3].value, 1000000);

  EXPECT_EQ(w.run.workers, 16);
  EXPECT_FALSE(w.run.duration);
  EXPECT_EQ(w.run.transactions, 10000);
  EXPECT_EQ(w.run.seed, 18446744073709551615ULL);
  EXPECT_EQ(w.run.retry.retry_on,
            (std::vector<AbortCause>{AbortCause::serialization, AbortCause::deadlock}));
  EXPECT_TRUE(w.run.retry.retries(AbortCause::deadlock));
  EXPECT_FALSE(w.run.retry.retries(AbortCause::conflict));
  EXPECT_EQ(w.run.retry.max_tries, 5);
  EXPECT_EQ(w.run.retry.backoff_base, microseconds(2000));
  EXPECT_EQ(w.run.retry.backoff_max, microseconds(1000000));

  EXPECT_EQ(w.matrix.isolation, (std::vector<Isolation>{Isolation::none, Isolation::read_committed,
                                                        Isolation::serializable}));
  EXPECT_TRUE(w.matrix.locking.empty());

  ASSERT_EQ(w.expect.size(), 3u);
  const ExpectRule& first = w.expect[0];
  EXPECT_TRUE(first.databases.empty());
  EXPECT_TRUE(first.isolation.empty());
  EXPECT_EQ(first.locking, (std::vector<Locking>{Locking::for_update, Locking::optimistic,
                                                 Locking::compare_and_set, Locking::atomic}));
  ASSERT_EQ(first.bounds.size(), 1u);
  EXPECT_EQ(first.bounds[0].metric, "lost_updates");
  EXPECT_EQ(first.bounds[0].min, 0.0);
  EXPECT_EQ(first.bounds[0].max, 0.0);
  EXPECT_FALSE(first.invariants_hold);
  EXPECT_FALSE(first.invariants_any);
  EXPECT_FALSE(first.ledger_balanced);
  EXPECT_FALSE(first.ledger_any);

  const ExpectRule& second = w.expect[1];
  EXPECT_EQ(second.databases,
            (std::vector<DatabaseKind>{DatabaseKind::postgresql, DatabaseKind::mysql}));
  EXPECT_EQ(second.isolation, (std::vector<Isolation>{Isolation::read_committed}));
  EXPECT_EQ(second.locking, (std::vector<Locking>{Locking::none}));
  ASSERT_EQ(second.bounds.size(), 4u);
  EXPECT_EQ(second.bounds[0].metric, "lost_updates");
  EXPECT_EQ(second.bounds[0].min, 1.0);
  EXPECT_FALSE(second.bounds[0].max);
  EXPECT_EQ(second.bounds[1].metric, "abort_rate");
  EXPECT_FALSE(second.bounds[1].min);
  EXPECT_DOUBLE_EQ(*second.bounds[1].max, 0.3);
  EXPECT_EQ(second.bounds[2].metric, "aborts.deadlock");
  EXPECT_EQ(second.bounds[2].min, 0.0);
  EXPECT_EQ(second.bounds[2].max, 5.0);
  EXPECT_EQ(second.bounds[3].metric, "throughput_tps");
  EXPECT_EQ(second.bounds[3].min, 0.5);
  EXPECT_FALSE(second.invariants_hold);
  EXPECT_TRUE(second.invariants_any);
  EXPECT_FALSE(second.ledger_balanced);
  EXPECT_TRUE(second.ledger_any);

  const ExpectRule& third = w.expect[2];
  EXPECT_EQ(third.invariants_hold, false);
  EXPECT_EQ(third.ledger_balanced, false);
  ASSERT_EQ(third.bounds.size(), 1u);
  EXPECT_EQ(third.bounds[0].min, 0.25);
  EXPECT_EQ(third.bounds[0].max, 0.25);
}

TEST(WorkloadLoader, MinimalWorkloadGetsDefaults) {
  Workload w = load_workload_file(kGood + "minimal.yaml");
  ASSERT_EQ(w.tables.size(), 1u);
  EXPECT_EQ(w.tables[0].rows[0], (std::vector<SeedValue>{int64_t{1}, int64_t{0}}));
  const TransactionType& t = w.transactions.at(0);
  EXPECT_EQ(t.weight, 1u);
  EXPECT_TRUE(t.params.empty());
  EXPECT_EQ(t.frame_size, 2);
  EXPECT_TRUE(step<ReadStep>(t, 0).key.is_constant());
  EXPECT_EQ(step<ReadStep>(t, 0).first_slot, 0);
  EXPECT_TRUE(w.invariants.empty());
  EXPECT_EQ(w.run.workers, 8);
  EXPECT_FALSE(w.run.duration);
  EXPECT_FALSE(w.run.transactions);
  EXPECT_FALSE(w.run.seed);
  EXPECT_EQ(w.run.retry.retry_on.size(), 4u);
  EXPECT_EQ(w.run.retry.max_tries, 10);
  EXPECT_TRUE(w.matrix.isolation.empty());
  EXPECT_TRUE(w.matrix.locking.empty());
  EXPECT_TRUE(w.expect.empty());
}

TEST(WorkloadLoader, RunDurationAndSingleNames) {
  Workload w = load_workload_text(kHeader + R"(      - read: {table: accounts, key: from, as: a}
run: {duration: 2m, retry: {on: [], backoff: 500ms}}
matrix: {isolation: serializable, locking: [atomic]}
expect:
  - where: {database: sqlite}
    abort_rate: 5%
    anomalies: 0
)",
                                  "t.yaml");
  EXPECT_EQ(w.run.duration, microseconds(120'000'000));
  EXPECT_TRUE(w.run.retry.retry_on.empty());
  EXPECT_EQ(w.run.retry.backoff_base, microseconds(500'000));
  EXPECT_EQ(w.run.retry.backoff_max, microseconds(500'000));
  EXPECT_EQ(w.matrix.isolation, (std::vector<Isolation>{Isolation::serializable}));
  EXPECT_EQ(w.matrix.locking, (std::vector<Locking>{Locking::atomic}));
  EXPECT_EQ(w.expect[0].databases, (std::vector<DatabaseKind>{DatabaseKind::sqlite}));
  EXPECT_DOUBLE_EQ(*w.expect[0].bounds[0].max, 0.05);
  EXPECT_EQ(w.expect[0].bounds[1].metric, "anomalies");
}

TEST(WorkloadLoader, ParseDuration) {
  SourceLocation where{"f", 1, 1};
  EXPECT_EQ(parse_duration("100us", where), microseconds(100));
  EXPECT_EQ(parse_duration("250ms", where), microseconds(250'000));
  EXPECT_EQ(parse_duration("5s", where), microseconds(5'000'000));
  EXPECT_EQ(parse_duration("2m", where), microseconds(120'000'000));
  EXPECT_EQ(parse_duration("0ms", where), microseconds(0));
  for (const char* bad : {"5", "ms", "1.5s", "5 s", "-1s", "5h", "", "5sec"}) {
    EXPECT_THROW(parse_duration(bad, where), InputError) << bad;
  }
  EXPECT_THROW(parse_duration("99999999999999999999s", where), InputError);
  try {
    parse_duration("2", SourceLocation{"f", 4, 9});
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().line, 4);
    EXPECT_EQ(error.where().column, 9);
    EXPECT_NE(error.message().find("invalid duration '2'"), std::string::npos);
  }
}

TEST(WorkloadLoader, MissingFile) {
  try {
    load_workload_file("/nonexistent/w.yaml");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("cannot read /nonexistent/w.yaml"), std::string::npos);
  }
  EXPECT_THROW(load_workload_file(kGood), InputError);
}

TEST(WorkloadLoader, UnknownVariableListsTheKnownOnes) {
  expect_error(kHeader +
                   "      - read: {table: accounts, key: from, as: src}\n"
                   "      - check: src.balance > amont\n",
               12, 30, "unknown variable 'amont' (known: from, amount, src.id, src.balance)");
}

TEST(WorkloadLoader, ExpressionPositionsInQuotedAndBlockScalars) {
  expect_error(kHeader + "      - check: \"from + x\"\n", 11, 24, "unknown variable 'x'");
  expect_error(kHeader + "      - check: 'from +  x'\n", 11, 25, "unknown variable 'x'");
  expect_error(kHeader + "      - check: |\n          from > 0\n            and zz\n", 13, 17,
               "unknown variable 'zz'");
  expect_error(kHeader + "      - check: >-\n\n          from > 0 and\n          amount >>\n", 14,
               19, "found '>'");
}

TEST(WorkloadLoader, SqlParameterPositions) {
  expect_error(kHeader +
                   "      - sql: |\n          UPDATE accounts\n          SET balance = 1 "
                   "WHERE id = :form\n",
               13, 38, "unknown parameter ':form' in sql (parameters: from, amount)");
  expect_error(kHeader + "      - sql: \"SELECT ':x', :y\"\n", 11, 28, "unknown parameter ':y'");
}

TEST(WorkloadLoader, OtherErrors) {
  expect_error("", 1, 1, "the workload is empty");
  expect_error("- a\n- b\n", 1, 1, "the workload must be a map, found a list");
  expect_error("name: a\nname: b\n", 2, 1, "duplicate key 'name' in the workload");
  expect_error(kHeader +
                   "      - read: {table: accounts, key: from, as: src}\n"
                   "      - write: {row: dst, set: {balance: 1}}\n",
               12, 22, "write to row 'dst', which no earlier read step names (earlier reads: src)");
  expect_error(kHeader +
                   "      - read: {table: accounts, key: from, as: src}\n"
                   "      - read: {table: accounts, key: amount, as: dst}\n"
                   "      - write: {table: accounts, key: from + 0, set: {balance: 1}}\n",
               13, 39, "has no earlier read of that row");
  expect_error(kHeader +
                   "      - read: {table: accounts, key: from, as: src}\n"
                   "        check: src.balance > 0\n",
               12, 9, "a step has exactly one kind; this one has both 'read' and 'check'");
  expect_error(kHeader + "      - {}\n", 11, 9,
               "a step needs one of read, check, write, sleep, sql");
  expect_error(kHeader + "      - sleep: 1ms\nrun: {workers: 0}\n", 12, 16,
               "workers must be at least 1, found 0");
  expect_error(kHeader + "      - sleep: 1ms\nrun: {retry: {on: [connection]}}\n", 12, 20,
               "cannot retry on 'connection'");
  expect_error(kHeader + "      - sleep: 1ms\nexpect: [{lost_updates: {min: 3, max: 1}}]\n", 12, 39,
               "max 1 is less than min 3");
  expect_error(kHeader + "      - sleep: 1ms\nexpect: [{abort_rate: 130%}]\n", 12, 23,
               "abort_rate must be in [0, 1]");
  expect_error(kHeader + "      - sleep: 1ms\nexpect: [{where: {database: oracle}}]\n", 12, 29,
               "unknown database 'oracle'");
  expect_error(kHeader + "      - sleep: 1ms\nexpect: [{where: {locking: none}}]\n", 12, 10,
               "must name at least one metric");
}

}  // namespace
}  // namespace clobber
