// The typed operations clobber plans per locking mode, and the SQL each SQL
// driver lowers them into (drivers/sql/sql_lowering.h), asserted exactly.
#include <gtest/gtest.h>

#include "drivers/mysql/mysql_dialect.h"
#include "drivers/postgres/postgres_dialect.h"
#include "drivers/sql/sql_lowering.h"
#include "drivers/sqlite/sqlite_dialect.h"
#include "harness/plan/cell_plan.h"
#include "harness/workload/workload_loader.h"

namespace clobber {
namespace {

const char* kTransfer = R"(
name: transfer
description: move money
tables:
  accounts:
    columns: {id: int, owner: text, balance: bigint}
    key: id
    rows:
      - {id: 1, owner: "O'Hara", balance: 400}
      - {id: 2, owner: Jane, balance: 100}
transactions:
  transfer:
    params:
      amount: {uniform: [1, 50]}
    steps:
      - read: {table: accounts, key: 1, as: src}
      - check: src.balance >= amount
      - sleep: 1ms
      - write: {row: src, set: {balance: src.balance - amount}}
      - read: {table: accounts, key: 2, as: dst}
      - write: {row: dst, set: {balance: dst.balance + amount}}
invariants:
  - name: total
    sql: SELECT SUM(balance) FROM accounts WHERE balance >= 0
    equals: initial
)";

Workload transfer() {
  return load_workload_text(kTransfer, "transfer.yaml");
}

/// An SQL database as the plan and the lowering see it.
struct Sql {
  DriverTraits traits;
  const SqlDialect& dialect;
};
const Sql kPostgres{postgres_traits(), postgres_dialect()};
const Sql kMysql{mysql_traits(), mysql_dialect()};
const Sql kSqlite{sqlite_traits(), sqlite_dialect()};

/// A planned cell and the SQL of each of its operations.
struct Lowered : CellPlan {
  std::vector<std::string> statements;
  std::vector<int> statement_params;
  std::vector<std::string> read_backs;
  std::string create_sql;  // of the first table
  std::vector<std::string> seed_sql;
  std::string final_state_sql;
};

Lowered plan(const Workload& w, const Sql& db, Locking locking,
             Isolation isolation = Isolation::read_committed) {
  auto result = plan_cell(w, db.traits, isolation, locking, "clobber_t_");
  if (auto* reason = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << *reason;
    return {};
  }
  Lowered lowered;
  static_cast<CellPlan&>(lowered) = std::get<CellPlan>(std::move(result));
  for (const Operation& operation : lowered.operations) {
    const SqlStatement statement = lower_to_sql(operation, db.dialect);
    lowered.statements.push_back(statement.sql);
    lowered.statement_params.push_back(statement.params);
    lowered.read_backs.push_back(statement.read_back);
    EXPECT_EQ(statement.params, parameter_count(operation)) << statement.sql;
  }
  const TablePlan& table = lowered.tables[0];
  lowered.create_sql = create_table_sql(table.shape, db.dialect);
  const auto rows = seed_rows(w.tables[0]);
  lowered.seed_sql = insert_rows_sql(table.shape, rows, db.dialect);
  lowered.final_state_sql = read_rows_sql(table.shape, table.integer_columns);
  return lowered;
}

TEST(PlanTest, CreatesPrefixedTablesWithHiddenColumns) {
  const Lowered p = plan(transfer(), kPostgres, Locking::none);
  ASSERT_EQ(p.tables.size(), 1u);
  EXPECT_EQ(p.tables[0].shape.name, "clobber_t_accounts");
  EXPECT_EQ(p.create_sql,
            "CREATE TABLE clobber_t_accounts (id BIGINT NOT NULL PRIMARY KEY, owner TEXT NOT NULL "
            "DEFAULT '', balance BIGINT NOT NULL DEFAULT 0, clobber_txn BIGINT NOT NULL DEFAULT 0, "
            "clobber_prev BIGINT NOT NULL DEFAULT 0, clobber_version BIGINT NOT NULL DEFAULT 0)");
  EXPECT_EQ(drop_table_sql(p.tables[0].shape.name), "DROP TABLE IF EXISTS clobber_t_accounts");
  ASSERT_EQ(p.seed_sql.size(), 1u);
  EXPECT_EQ(p.seed_sql[0],
            "INSERT INTO clobber_t_accounts (id, owner, balance) VALUES (1, 'O''Hara', 400), (2, "
            "'Jane', 100)");
  EXPECT_EQ(p.final_state_sql,
            "SELECT id, balance, clobber_txn FROM clobber_t_accounts ORDER BY id");
  EXPECT_EQ(p.invariant_sql[0], "SELECT SUM(balance) FROM clobber_t_accounts WHERE balance >= 0");
}

TEST(PlanTest, MysqlTablesUseInnoDbAndVarchar) {
  const Lowered p = plan(transfer(), kMysql, Locking::none);
  EXPECT_NE(p.create_sql.find("owner VARCHAR(255) NOT NULL DEFAULT ''"), std::string::npos);
  EXPECT_TRUE(p.create_sql.ends_with(") ENGINE=InnoDB"));
}

TEST(PlanTest, NaiveReadThenWrite) {
  const Lowered p = plan(transfer(), kPostgres, Locking::none);
  ASSERT_EQ(p.statements.size(), 4u);
  EXPECT_EQ(
      p.statements[0],
      "SELECT id, balance, clobber_txn, clobber_version FROM clobber_t_accounts WHERE id = $1");
  EXPECT_EQ(p.statements[1],
            "UPDATE clobber_t_accounts SET balance = $1, clobber_prev = clobber_txn, clobber_txn "
            "= $2, clobber_version = clobber_version + 1 WHERE id = $3 RETURNING clobber_prev, "
            "clobber_version");
  const auto& ops = p.transactions[0].ops;
  ASSERT_EQ(ops.size(), 6u);
  EXPECT_EQ(ops[0].kind, PlannedOp::Kind::read);
  EXPECT_EQ(ops[1].kind, PlannedOp::Kind::check);
  EXPECT_EQ(ops[2].kind, PlannedOp::Kind::sleep);
  EXPECT_EQ(ops[3].kind, PlannedOp::Kind::write);
  EXPECT_EQ(ops[3].read_op, 0);
  EXPECT_EQ(ops[3].zero_rows, ZeroRows::missing);
  EXPECT_EQ(ops[5].read_op, 4);
}

TEST(PlanTest, LockingReadsPerDialect) {
  EXPECT_TRUE(plan(transfer(), kPostgres, Locking::for_update)
                  .statements[0]
                  .ends_with("WHERE id = $1 FOR UPDATE"));
  EXPECT_TRUE(plan(transfer(), kPostgres, Locking::for_share)
                  .statements[0]
                  .ends_with("WHERE id = $1 FOR SHARE"));
  EXPECT_TRUE(plan(transfer(), kMysql, Locking::for_share)
                  .statements[0]
                  .ends_with("WHERE id = ? LOCK IN SHARE MODE"));
  EXPECT_TRUE(plan(transfer(), kSqlite, Locking::none).statements[0].ends_with("WHERE id = ?1"));
}

TEST(PlanTest, OptimisticChecksTheVersion) {
  const Lowered p = plan(transfer(), kSqlite, Locking::optimistic);
  EXPECT_EQ(p.statements[1],
            "UPDATE clobber_t_accounts SET balance = ?1, clobber_prev = clobber_txn, clobber_txn "
            "= ?2, clobber_version = clobber_version + 1 WHERE id = ?3 AND clobber_version = ?4 "
            "RETURNING clobber_prev, clobber_version");
  const auto& write = p.transactions[0].ops[3];
  EXPECT_EQ(write.zero_rows, ZeroRows::conflict);
  ASSERT_EQ(write.args.size(), 4u);
  EXPECT_EQ(write.args[3].source, Arg::Source::version_read);
}

TEST(PlanTest, CompareAndSetComparesTheOldValue) {
  const Lowered p = plan(transfer(), kMysql, Locking::compare_and_set);
  EXPECT_EQ(p.statements[1],
            "UPDATE clobber_t_accounts SET balance = ?, clobber_txn = ?, clobber_version = "
            "clobber_version + 1 WHERE id = ? AND balance = ?");
  const auto& write = p.transactions[0].ops[3];
  EXPECT_EQ(write.zero_rows, ZeroRows::conflict);
  EXPECT_EQ(write.args.back().source, Arg::Source::old_value);
}

TEST(PlanTest, AtomicFoldsReadAndCheckIntoOneUpdate) {
  const Lowered p = plan(transfer(), kPostgres, Locking::atomic);
  ASSERT_EQ(p.statements.size(), 2u);
  EXPECT_EQ(p.statements[0],
            "UPDATE clobber_t_accounts SET balance = balance - CAST($1 AS BIGINT), clobber_prev = "
            "clobber_txn, clobber_txn = $2, clobber_version = clobber_version + 1 WHERE id = $3 "
            "AND (balance >= CAST($4 AS BIGINT)) RETURNING balance, clobber_prev, clobber_version");
  EXPECT_EQ(p.statements[1],
            "UPDATE clobber_t_accounts SET balance = balance + CAST($1 AS BIGINT), clobber_prev = "
            "clobber_txn, clobber_txn = $2, clobber_version = clobber_version + 1 WHERE id = $3 "
            "RETURNING balance, clobber_prev, clobber_version");
  const auto& ops = p.transactions[0].ops;
  ASSERT_EQ(ops.size(), 3u);  // sleep, debit, credit
  EXPECT_EQ(ops[0].kind, PlannedOp::Kind::sleep);
  EXPECT_TRUE(ops[1].atomic);
  EXPECT_EQ(ops[1].zero_rows, ZeroRows::rejected);
  EXPECT_EQ(ops[1].assignments[0].sign, -1);
  EXPECT_EQ(ops[2].zero_rows, ZeroRows::missing);
  EXPECT_EQ(ops[2].assignments[0].sign, 1);
}

TEST(PlanTest, AtomicIsUnsupportedWhereTheWriteIsNoDelta) {
  std::string text = kTransfer;
  text.replace(text.find("src.balance - amount"), 20, "src.balance * 2");
  const Workload w = load_workload_text(text, "x.yaml");
  auto result = plan_cell(w, postgres_traits(), Isolation::read_committed, Locking::atomic, "p_");
  ASSERT_TRUE(std::holds_alternative<std::string>(result));
  EXPECT_NE(std::get<std::string>(result).find("plus or minus"), std::string::npos);
}

TEST(PlanTest, AtomicOnMysqlReadsBackThroughSessionVariables) {
  const Lowered p = plan(transfer(), kMysql, Locking::atomic);
  ASSERT_EQ(p.statements.size(), 2u);
  EXPECT_EQ(p.statements[0],
            "UPDATE clobber_t_accounts SET balance = (@clobber_v0 := balance - ?), clobber_prev = "
            "(@clobber_prev := clobber_txn), clobber_txn = ?, clobber_version = (@clobber_version "
            ":= clobber_version + 1) WHERE id = ? AND (balance >= ?)");
  EXPECT_EQ(p.read_backs[0], "SELECT @clobber_v0, @clobber_prev, @clobber_version");
  EXPECT_EQ(p.transactions[0].ops[1].statement, 0);
}

TEST(PlanTest, AdvisoryLocksEveryReadRow) {
  const Lowered pg = plan(transfer(), kPostgres, Locking::advisory);
  EXPECT_EQ(pg.statements[0],
            "SELECT 1 FROM pg_advisory_xact_lock(hashtextextended('clobber_t_t0:' || CAST($1 AS "
            "BIGINT), 0))");
  EXPECT_EQ(pg.release_statement, -1);
  const auto& ops = pg.transactions[0].ops;
  ASSERT_EQ(ops.size(), 8u);  // lock, read, check, sleep, write, lock, read, write
  EXPECT_EQ(ops[0].kind, PlannedOp::Kind::lock);
  EXPECT_EQ(ops[1].kind, PlannedOp::Kind::read);
  EXPECT_EQ(ops[4].read_op, 1);
  EXPECT_EQ(ops[5].kind, PlannedOp::Kind::lock);
  EXPECT_TRUE(pg.statements[ops[1].statement].ends_with("WHERE id = $1"));

  const Lowered my = plan(transfer(), kMysql, Locking::advisory);
  EXPECT_EQ(my.statements[my.release_statement], "SELECT RELEASE_ALL_LOCKS()");
  EXPECT_EQ(my.statements[my.transactions[0].ops[0].statement],
            "SELECT GET_LOCK(CONCAT('clobber_t_t0:', ?), 10)");
}

TEST(PlanTest, SingleWriterRunsThePlainTransaction) {
  const Lowered p = plan(transfer(), kPostgres, Locking::single_writer);
  EXPECT_EQ(p.statements, plan(transfer(), kPostgres, Locking::none).statements);
}

TEST(PlanTest, RewriteSqlRenamesTablesAndParameters) {
  const Workload w = transfer();
  const Lowered p = plan(w, kPostgres, Locking::none);
  const RawSql update = rewrite_sql(
      "UPDATE accounts SET balance = balance::bigint + :amount WHERE id = :id "
      "AND owner <> 'accounts :x'",
      w, p.tables);
  EXPECT_EQ(update.pieces,
            (std::vector<std::string>{"UPDATE clobber_t_accounts SET balance = balance::bigint + ",
                                      " WHERE id = ", " AND owner <> 'accounts :x'"}));
  EXPECT_EQ(lower_to_sql(update, postgres_dialect()).sql,
            "UPDATE clobber_t_accounts SET balance = balance::bigint + $1 WHERE id = $2 AND owner "
            "<> 'accounts :x'");
  EXPECT_EQ(lower_to_sql(update, mysql_dialect()).params, 2);
  EXPECT_EQ(
      rewrite_sql("SELECT a.balance FROM accounts a, accounts b JOIN accounts c ON 1=1", w,
                  p.tables)
          .pieces,
      std::vector<std::string>{"SELECT a.balance FROM clobber_t_accounts a, clobber_t_accounts b "
                               "JOIN clobber_t_accounts c ON 1=1"});
}

TEST(PlanTest, SqlStepsArePreparedWithTheirParameterCount) {
  const std::string steps_end = "      - write: {row: dst, set: {balance: dst.balance + amount}}\n";
  std::string text = kTransfer;
  text.insert(text.find(steps_end) + steps_end.size(),
              "      - sql: UPDATE accounts SET balance = balance + :amount WHERE id = 2\n");
  const Lowered p = plan(load_workload_text(text, "sql.yaml"), kSqlite, Locking::none);
  ASSERT_EQ(p.statements.size(), 5u);
  EXPECT_EQ(p.statements[4], "UPDATE clobber_t_accounts SET balance = balance + ?1 WHERE id = 2");
  EXPECT_EQ(p.statement_params[4], 1);
  EXPECT_FALSE(p.tables[0].exactly_checked);
}

TEST(PlanTest, CommitGoesWithTheLastWriteOnlyWhenNothingWroteBeforeIt) {
  const char* deposit = R"(
name: deposit
description: one read, one write
tables:
  accounts:
    columns: {id: int, balance: bigint}
    key: id
    rows: [{id: 1, balance: 0}]
transactions:
  deposit:
    steps:
      - read: {table: accounts, key: 1, as: a}
      - check: a.balance >= 0
      - write: {row: a, set: {balance: a.balance + 1}}
)";
  const Workload one_write = load_workload_text(deposit, "deposit.yaml");
  for (Locking locking : {Locking::none, Locking::for_update, Locking::optimistic,
                          Locking::compare_and_set, Locking::atomic, Locking::advisory})
    EXPECT_TRUE(plan(one_write, kPostgres, locking).transactions[0].commit_with_last_write)
        << to_string(locking);
  // No COMMIT at isolation none.
  EXPECT_FALSE(plan(one_write, kPostgres, Locking::none, Isolation::none)
                   .transactions[0]
                   .commit_with_last_write);
  // Two writes: should the second match no row, the first must roll back.
  EXPECT_FALSE(plan(transfer(), kPostgres, Locking::none).transactions[0].commit_with_last_write);
  // A raw SQL step before the write changed rows too.
  std::string text = deposit;
  text.insert(text.find("      - write:"), "      - sql: UPDATE accounts SET balance = 0\n");
  EXPECT_FALSE(plan(load_workload_text(text, "sql.yaml"), kPostgres, Locking::none)
                   .transactions[0]
                   .commit_with_last_write);
  // A check after the write decides whether to commit.
  text = deposit;
  text += "      - check: a.balance >= 0\n";
  EXPECT_FALSE(plan(load_workload_text(text, "check.yaml"), kPostgres, Locking::none)
                   .transactions[0]
                   .commit_with_last_write);
}

TEST(PlanTest, GeneratedSeedRows) {
  const Workload w = load_workload_text(R"(
name: many
description: generated
tables:
  accounts:
    columns: {id: int, balance: bigint, owner: text}
    key: id
    generate: {count: 3, start: 10, values: {balance: "key * 100", owner: acct}}
transactions:
  t:
    steps:
      - read: {table: accounts, key: 10, as: a}
)",
                                        "many.yaml");
  const auto rows = seed_rows(w.tables[0]);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(std::get<int64_t>(rows[2][0]), 12);
  EXPECT_EQ(std::get<int64_t>(rows[2][1]), 1200);
  EXPECT_EQ(std::get<std::string>(rows[2][2]), "acct");
}

TEST(PlanTest, AtomicGuardIsATypedConditionOverTheRowAndParameters) {
  std::string text = kTransfer;
  text.replace(text.find("      - check: src.balance >= amount\n"), 0,
               "      - check: src.balance - amount >= amount % 7\n");
  const Lowered p = plan(load_workload_text(text, "two_checks.yaml"), kMysql, Locking::atomic);
  const auto& write = std::get<WriteRow>(p.operations[0]);
  ASSERT_EQ(write.guard, WriteRow::Guard::condition);
  // Columns id, owner, balance: variable 2 is balance, 3 and up are parameters.
  EXPECT_EQ(write.condition_params, 3);
  EXPECT_EQ(parameter_count(write), 6);
  EXPECT_EQ(p.statements[0],
            "UPDATE clobber_t_accounts SET balance = (@clobber_v0 := balance - ?), clobber_prev = "
            "(@clobber_prev := clobber_txn), clobber_txn = ?, clobber_version = (@clobber_version "
            ":= clobber_version + 1) WHERE id = ? AND (((balance - ?) >= (? % 7)) AND (balance >= "
            "?))");
  const auto& args = p.transactions[0].ops[1].args;
  ASSERT_EQ(args.size(), 6u);
  EXPECT_EQ(args[3].source, Arg::Source::slot);
}

TEST(PlanTest, ADatabaseWithoutSqlRefusesSqlStepsAndRunsNoSqlInvariant) {
  DriverTraits no_sql{.name = "store", .runs_sql = false};
  const Workload w = transfer();
  auto result = plan_cell(w, no_sql, Isolation::none, Locking::none, "p_");
  ASSERT_TRUE(std::holds_alternative<CellPlan>(result));
  EXPECT_EQ(std::get<CellPlan>(result).invariant_sql, std::vector<std::string>{""});
  std::string text = kTransfer;
  text.insert(text.find("invariants:"),
              "      - sql: UPDATE accounts SET balance = balance + :amount WHERE id = 2\n");
  result =
      plan_cell(load_workload_text(text, "sql.yaml"), no_sql, Isolation::none, Locking::none, "p_");
  ASSERT_TRUE(std::holds_alternative<std::string>(result));
  EXPECT_NE(std::get<std::string>(result).find("cannot run on store, which runs no SQL"),
            std::string::npos);
}

}  // namespace
}  // namespace clobber
