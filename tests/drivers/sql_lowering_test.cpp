// What the SQL lowering (drivers/sql/sql_lowering.h) refuses, and the table
// statements per dialect; the operations of real plans are asserted in
// tests/plan/plan_test.cpp.
#include <gtest/gtest.h>

#include "common/errors.h"
#include "drivers/mysql/mysql_dialect.h"
#include "drivers/postgres/postgres_dialect.h"
#include "drivers/sql/sql_lowering.h"
#include "drivers/sqlite/sqlite_dialect.h"

namespace clobber {
namespace {

TableShape counters() {
  return TableShape{"t_counters", {{"id", true}, {"name", false}, {"n", true}}, 0};
}

TEST(SqlLowering, NamedLocksOnlyWhereTheDatabaseHasThem) {
  EXPECT_THROW(lower_to_sql(LockKey{"run_t0:"}, sqlite_dialect()), DatabaseError);
  EXPECT_EQ(lower_to_sql(LockKey{"run_t0:"}, mysql_dialect()).sql,
            "SELECT GET_LOCK(CONCAT('run_t0:', ?), 10)");
  // PostgreSQL's advisory locks end with the transaction: nothing to release.
  EXPECT_THROW(lower_to_sql(ReleaseLocks{}, postgres_dialect()), DatabaseError);
  EXPECT_EQ(lower_to_sql(ReleaseLocks{}, mysql_dialect()).sql, "SELECT RELEASE_ALL_LOCKS()");
}

TEST(SqlLowering, APlainWriteWithoutVersionsSetsNoPreviousWriter) {
  WriteRow write;
  write.table = counters();
  write.assignments = {{2, 0}};
  const SqlStatement statement = lower_to_sql(write, postgres_dialect());
  EXPECT_EQ(statement.sql,
            "UPDATE t_counters SET n = $1, clobber_txn = $2, clobber_version = clobber_version + "
            "1 WHERE id = $3");
  EXPECT_EQ(statement.params, 3);
  EXPECT_TRUE(statement.read_back.empty());
}

TEST(SqlLowering, AGuardMayRepeatAParameterWhereNumbersAreNamed) {
  // Numbered placeholders may appear in any order; `?` may not.
  WriteRow write;
  write.table = counters();
  write.assignments = {{2, 1}};
  write.guard = WriteRow::Guard::condition;
  write.condition_params = 1;
  // n >= parameter 0 of the condition (variable 3 = columns + 0)
  write.condition.nodes = {{ExprOp::variable, 2, -1, -1},
                           {ExprOp::variable, 3, -1, -1},
                           {ExprOp::greater_equal, 0, 0, 1}};
  EXPECT_EQ(lower_to_sql(write, sqlite_dialect()).sql,
            "UPDATE t_counters SET n = n + ?1, clobber_txn = ?2, clobber_version = clobber_version "
            "+ 1 WHERE id = ?3 AND (n >= ?4)");
  // The condition's parameter 0 twice: `parameter 0 = parameter 0`.
  write.condition.nodes = {
      {ExprOp::variable, 3, -1, -1}, {ExprOp::variable, 3, -1, -1}, {ExprOp::equal, 0, 0, 1}};
  EXPECT_NO_THROW(lower_to_sql(write, postgres_dialect()));
  EXPECT_THROW(lower_to_sql(write, mysql_dialect()), DatabaseError);
}

TEST(SqlLowering, TablesPerDialect) {
  EXPECT_EQ(create_table_sql(counters(), sqlite_dialect()),
            "CREATE TABLE t_counters (id INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL DEFAULT "
            "'', n INTEGER NOT NULL DEFAULT 0, clobber_txn INTEGER NOT NULL DEFAULT 0, "
            "clobber_prev INTEGER NOT NULL DEFAULT 0, clobber_version INTEGER NOT NULL DEFAULT 0)");
  const std::vector<std::vector<CellValue>> rows = {{int64_t{1}, std::string("a'b\\c"), int64_t{5}},
                                                    {int64_t{2}, std::string(""), int64_t{-1}},
                                                    {int64_t{3}, std::string("z"), int64_t{0}}};
  EXPECT_EQ(insert_rows_sql(counters(), rows, mysql_dialect(), 2),
            (std::vector<std::string>{
                "INSERT INTO t_counters (id, name, n) VALUES (1, 'a''b\\\\c', 5), (2, '', -1)",
                "INSERT INTO t_counters (id, name, n) VALUES (3, 'z', 0)"}));
  EXPECT_EQ(insert_rows_sql(counters(), rows, postgres_dialect())[0],
            "INSERT INTO t_counters (id, name, n) VALUES (1, 'a''b\\c', 5), (2, '', -1), (3, 'z', "
            "0)");
  const size_t columns[] = {0, 2};
  EXPECT_EQ(read_rows_sql(counters(), columns),
            "SELECT id, n, clobber_txn FROM t_counters ORDER BY id");
}

}  // namespace
}  // namespace clobber
