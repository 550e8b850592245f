// The Session/Driver contract of drivers/driver.h, one source for every driver.
// Each backend is a Backend (tests/drivers/contract/backends.h): how to make its
// driver from the test URL, its placeholder style, how to kill a connection, the
// levels and locking modes it supports and the exact code of each error. The
// file is built once per backend (tests/drivers/CMakeLists.txt); a new driver
// gets every test by adding its Backend. The Typed* tests hold what every
// driver does with typed operations (drivers/operation.h) on a table made by
// create_table(); the others prepare SQL text and skip on a backend that runs
// no SQL (Redis).
#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <latch>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "drivers/driver.h"
#include "tests/drivers/contract/backends.h"

#if defined(CLOBBER_CONTRACT_POSTGRES)
/// libpqxx 6.4 leaks the PGresult of a statement during which the connection
/// broke (make_result throws before owning it): about 4 KB per lost connection.
/// Known and bounded, so LeakSanitizer builds (CLOBBER_ASAN) ignore it.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:pqxx::connection_base::exec_prepared\nleak:libpqxx-6.4.so\n";
}
#endif

namespace clobber::contract {
namespace {

/// Skips a test that prepares SQL text on a backend that runs none.
#define CLOBBER_SQL_ONLY()                                                            \
  if (!backend().runs_sql)                                                            \
  GTEST_SKIP() << backend().name << " runs no SQL: this test prepares SQL text; the " \
               << "Typed* tests hold the same contract for it"

/// Makes the typed table (make_typed_table) for a Typed* test.
#define CLOBBER_TYPED() \
  make_typed_table();   \
  if (::testing::Test::HasFatalFailure()) return

/// A driver for the backend's test database and a table clobber_contract_<test>
/// (id, v, n) holding rows (1, 10, NULL), (2, 20, 7), (3, 30, 8).
class DriverContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { open(""); }

  void TearDown() override {
    if (!admin_) return;
    if (typed_)
      admin_->drop_table(table_);
    else if (backend().runs_sql)
      admin_->query("DROP TABLE IF EXISTS " + table_);
  }

  /// (Re)makes the driver with URL option `option` ("" for none) and the table.
  void open(const std::string& option) {
    admin_.reset();
    driver_ = backend().make_driver(option);
    ASSERT_NE(driver_, nullptr);
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    name = name.substr(0, name.find('/'));
    table_ = ("clobber_contract_" + name).substr(0, 63);  // PostgreSQL names: 63 at most
    for (char& c : table_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    admin_ = driver_->connect();
    if (!backend().runs_sql) return;
    admin_->query("DROP TABLE IF EXISTS " + table_);
    admin_->query("CREATE TABLE " + table_ + " (id INT PRIMARY KEY, v BIGINT, n BIGINT)" +
                  backend().table_options);
    admin_->query("INSERT INTO " + table_ +
                  " (id, v, n) VALUES (1, 10, NULL), (2, 20, 7), (3, 30, 8)");
  }

  const Backend& backend() const { return GetParam(); }

  /// Replaces the table with one made by create_table(): (id, v, n) and the
  /// hidden columns, holding (1, 10, 0), (2, 20, 7), (3, 30, 8).
  void make_typed_table() {
    shape_.name = table_;
    shape_.columns = {{"id", true}, {"v", true}, {"n", true}};
    shape_.key_column = 0;
    admin_->drop_table(table_);
    admin_->create_table(shape_);
    typed_ = true;
    const std::vector<std::vector<CellValue>> rows = {{int64_t{1}, int64_t{10}, int64_t{0}},
                                                      {int64_t{2}, int64_t{20}, int64_t{7}},
                                                      {int64_t{3}, int64_t{30}, int64_t{8}}};
    admin_->insert_rows(shape_, rows);
  }

  /// Reads row `key` of the typed table: v, n, its last writer and version.
  ReadRow read_row() const { return ReadRow{shape_, {1, 2}, Locking::none}; }
  /// Sets v of a row (parameters: v, writer, key, then the guard's).
  WriteRow set_v(WriteRow::Guard guard = WriteRow::Guard::none) const {
    WriteRow write;
    write.table = shape_;
    write.assignments = {{1, 0}};
    write.guard = guard;
    write.returns_versions = driver_->traits().plain_writes_return_versions;
    return write;
  }
  /// id and v of every row of the typed table, by key, each with its last writer.
  std::vector<std::vector<int64_t>> typed_rows() {
    const std::vector<size_t> columns = {0, 1};
    return admin_->read_rows(shape_, columns);
  }
  /// v of row `key` of the typed table.
  int64_t typed_v(int64_t key) {
    for (const auto& row : typed_rows())
      if (row.at(0) == key) return row.at(1);
    ADD_FAILURE() << "no row " << key;
    return -1;
  }

  /// Placeholder number `n` (1-based) in the backend's style.
  std::string p(int n) const { return backend().placeholder(n); }

  /// Executes `handle` with `params`; the first row lands in row_ (reset to -1).
  Outcome run(Session& session, StatementHandle handle, std::vector<int64_t> params) {
    row_.fill(-1);
    result_ = StatementResult{};
    return session.execute(handle, params, row_, result_);
  }

  /// Executes a typed operation; its row lands in wide_ (reset to -1).
  Outcome run_typed(Session& session, StatementHandle handle, std::vector<int64_t> params) {
    wide_.fill(-1);
    result_ = StatementResult{};
    return session.execute(handle, params, wide_, result_);
  }

  /// execute_then_commit() of `handle`; COMMIT's outcome lands in commit_.
  Outcome run_then_commit(Session& session, StatementHandle handle, std::vector<int64_t> params) {
    row_.fill(-1);
    result_ = StatementResult{};
    commit_ = Outcome::failure(AbortCause::other, "unset", "");
    return session.execute_then_commit(handle, params, row_, result_, commit_);
  }

  /// The committed value of v for `id`.
  std::string value_of(int id) {
    return admin_->query("SELECT v FROM " + table_ + " WHERE id = " + std::to_string(id))
        .rows.at(0)
        .at(0)
        .value_or("NULL");
  }

  std::string select_sql() const { return "SELECT v FROM " + table_ + " WHERE id = " + p(1); }
  /// UPDATE setting v = first parameter where id = second.
  std::string update_sql() const {
    return "UPDATE " + table_ + " SET v = " + p(1) + " WHERE id = " + p(2);
  }
  /// INSERT of (id, v) = parameters: fails with a duplicate key for ids 1..3.
  std::string insert_sql() const {
    return "INSERT INTO " + table_ + " (id, v) VALUES (" + p(1) + ", " + p(2) + ")";
  }

  /// Checks that `outcome` failed with `cause` and the backend's `expected` error.
  static void expect_error(const Outcome& outcome, AbortCause cause,
                           const ExpectedError& expected) {
    EXPECT_EQ(outcome.cause, cause) << outcome.code << " " << outcome.message;
    EXPECT_EQ(outcome.code, expected.code) << outcome.message;
    if (expected.whole_message)
      EXPECT_EQ(outcome.message, expected.message);
    else
      EXPECT_EQ(outcome.message.rfind(expected.message, 0), 0u) << outcome.message;
  }

  /// Checks `effect`, claimed after a failure in the open transaction of
  /// `session`, which earlier wrote `written` into row `id` (or, without row
  /// locks, only read it as `written`); `original` is the row's committed value.
  /// `read` is select_sql() prepared on `session` before the failure.
  void expect_effect(Session& session, StatementHandle read, TransactionEffect effect, int id,
                     int64_t written, const std::string& original, bool wrote) {
    std::array<int64_t, 2> row{-1, -1};
    StatementResult result;
    const Outcome next = session.execute(read, std::array<int64_t, 1>{id}, row, result);
    if (effect == TransactionEffect::statement_rolled_back) {
      ASSERT_TRUE(next.ok()) << "the transaction goes on: " << next.code << " " << next.message;
      EXPECT_EQ(row[0], written) << "it keeps what it did before the failed statement";
      session.continue_transaction();
      const Outcome commit = session.commit();
      ASSERT_TRUE(commit.ok()) << commit.code << " " << commit.message;
      EXPECT_EQ(value_of(id), wrote ? std::to_string(written) : original)
          << "COMMIT commits what the transaction kept";
      return;
    }
    ASSERT_EQ(effect, TransactionEffect::transaction_rolled_back);
    if (next.ok()) {
      EXPECT_NE(row[0], written) << "the earlier write is undone already";
    }
    EXPECT_TRUE(session.rollback().ok());
    EXPECT_EQ(value_of(id), original);
  }

  /// The duplicate-key error of inserting id 1 into this test's table.
  ExpectedError duplicate() const { return backend().duplicate_key(table_); }

  std::unique_ptr<Driver> driver_;
  std::unique_ptr<Session> admin_;
  std::string table_;
  TableShape shape_;    // the typed table (make_typed_table)
  bool typed_ = false;  // the table is shape_
  std::array<int64_t, 2> row_{};
  std::array<int64_t, 4> wide_{};  // the row of run_typed()
  StatementResult result_;
  Outcome commit_;
};

TEST_P(DriverContractTest, PrepareExecuteReadBack) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  StatementHandle insert = session->prepare(insert_sql(), 2);
  StatementHandle select =
      session->prepare("SELECT v, n FROM " + table_ + " WHERE id = " + p(1), 1);
  StatementHandle select_all =
      session->prepare("SELECT v FROM " + table_ + " WHERE id >= " + p(1) + " ORDER BY id", 1);
  StatementHandle sum = session->prepare("SELECT SUM(v) FROM " + table_ + " WHERE id < " + p(1), 1);
  StatementHandle remove = session->prepare("DELETE FROM " + table_ + " WHERE id = " + p(1), 1);

  ASSERT_TRUE(run(*session, insert, {4, -9000000000}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_FALSE(result_.has_row);

  ASSERT_TRUE(run(*session, select, {4}).ok());
  EXPECT_TRUE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(row_[0], -9000000000);
  EXPECT_EQ(row_[1], 0) << "NULL reads as 0";
  ASSERT_TRUE(run(*session, select, {2}).ok());
  EXPECT_EQ(row_[0], 20);
  EXPECT_EQ(row_[1], 7);

  ASSERT_TRUE(run(*session, select, {99}).ok());
  EXPECT_FALSE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 0);
  EXPECT_EQ(row_[0], -1) << "the row is left alone when nothing is returned";

  ASSERT_TRUE(run(*session, select_all, {2}).ok());
  EXPECT_TRUE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 3) << "SELECT counts the rows returned";
  EXPECT_EQ(row_[0], 20) << "the first row is copied";
  EXPECT_EQ(row_[1], -1) << "only the columns the statement returns are written";

  std::array<int64_t, 1> one{};
  StatementResult narrow;
  ASSERT_TRUE(session->execute(select, std::vector<int64_t>{3}, one, narrow).ok());
  EXPECT_EQ(one[0], 30) << "only row.size() columns are copied";

  ASSERT_TRUE(run(*session, sum, {3}).ok());
  EXPECT_EQ(row_[0], 30) << "a sum reads as an integer";

  ASSERT_TRUE(run(*session, remove, {4}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_FALSE(result_.has_row);
}

TEST_P(DriverContractTest, UpdatesCountMatchedRows) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  StatementHandle bump =
      session->prepare("UPDATE " + table_ + " SET v = v + " + p(1) + " WHERE id >= " + p(2), 2);
  StatementHandle cas = session->prepare(
      "UPDATE " + table_ + " SET v = " + p(1) + " WHERE id = " + p(2) + " AND v = " + p(3), 3);

  ASSERT_TRUE(run(*session, bump, {1, 2}).ok());
  EXPECT_EQ(result_.rows_affected, 2);
  EXPECT_FALSE(result_.has_row);
  ASSERT_TRUE(run(*session, bump, {1, 50}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "an UPDATE matching nothing";
  ASSERT_TRUE(run(*session, update, {10, 1}).ok());
  EXPECT_EQ(result_.rows_affected, 1) << "v was already 10: found rows, not changed rows";
  ASSERT_TRUE(run(*session, cas, {0, 1, 12345}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "compare-and-set conflict";
  ASSERT_TRUE(run(*session, cas, {7, 1, 10}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(value_of(1), "7");
  EXPECT_EQ(value_of(2), "21");

  if (!backend().update_returning) return;  // MariaDB has no UPDATE ... RETURNING
  StatementHandle returning = session->prepare(
      "UPDATE " + table_ + " SET v = v + " + p(1) + " WHERE id >= " + p(2) + " RETURNING v, id", 2);
  ASSERT_TRUE(run(*session, returning, {100, 2}).ok());
  EXPECT_EQ(result_.rows_affected, 2) << "UPDATE ... RETURNING counts changed rows";
  EXPECT_TRUE(result_.has_row);
  EXPECT_GT(row_[0], 100);
}

TEST_P(DriverContractTest, QueryReturnsTextRowsWithNulls) {
  CLOBBER_SQL_ONLY();
  QueryRows rows =
      admin_->query("SELECT id, n AS missing, v * 2 AS twice FROM " + table_ + " ORDER BY id");
  ASSERT_EQ(rows.columns, (std::vector<std::string>{"id", "missing", "twice"}));
  ASSERT_EQ(rows.rows.size(), 3u);
  EXPECT_EQ(rows.rows[0][0], "1");
  EXPECT_EQ(rows.rows[0][1], std::nullopt);
  EXPECT_EQ(rows.rows[1][1], "7");
  EXPECT_EQ(rows.rows[1][2], "40");
  EXPECT_TRUE(admin_->query("UPDATE " + table_ + " SET v = v WHERE id = 1").rows.empty());
  try {
    admin_->query("SELECT nope FROM " + table_);
    ADD_FAILURE() << "expected DatabaseError";
  } catch (const DatabaseError& error) {
    EXPECT_NE(std::string(error.what()).find(backend().unknown_column), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(admin_->query("SELECT 1").rows.at(0).at(0), "1") << "usable after a failed query";
}

TEST_P(DriverContractTest, TextHoldingTwoStatementsRunsNeither) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  const std::string two = "UPDATE " + table_ + " SET v = 99 WHERE id = 1; UPDATE " + table_ +
                          " SET v = 98 WHERE id = 2";
  EXPECT_THROW(session->query(two), DatabaseError);
  TextResult result;
  EXPECT_FALSE(session->execute_text(two, result).ok());
  EXPECT_EQ(value_of(1), "10");
  EXPECT_EQ(value_of(2), "20");
}

TEST_P(DriverContractTest, ReadOnlyQueryReadsAndTheServerRefusesWrites) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  EXPECT_EQ(session->read_only_query("SELECT v FROM " + table_ + " WHERE id = 2").rows.at(0).at(0),
            "20");
  EXPECT_THROW(session->read_only_query("UPDATE " + table_ + " SET v = 99 WHERE id = 1"),
               DatabaseError);
  EXPECT_THROW(session->read_only_query("DELETE FROM " + table_), DatabaseError);
  EXPECT_EQ(value_of(1), "10");
  // The session is usable and writable again afterwards.
  TextResult result;
  ASSERT_TRUE(session->execute_text("UPDATE " + table_ + " SET v = 11 WHERE id = 1", result).ok());
  EXPECT_EQ(value_of(1), "11");
}

TEST_P(DriverContractTest, BadStatementIsDatabaseError) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  EXPECT_THROW(session->prepare("SELECT v FROM clobber_contract_no_such_table", 0), DatabaseError);
  EXPECT_THROW(session->prepare("SELEC v FROM " + table_, 0), DatabaseError);
  EXPECT_THROW(session->prepare(select_sql(), 2), DatabaseError) << "one placeholder, not two";
  EXPECT_THROW(session->prepare("SELECT 1; SELECT 2", 0), DatabaseError);
  StatementHandle select = session->prepare(select_sql(), 1);
  ASSERT_TRUE(run(*session, select, {1}).ok()) << "usable after a failed prepare";
  EXPECT_EQ(row_[0], 10);
}

TEST_P(DriverContractTest, TransactionsCommitAndRollBackAtEachSupportedLevel) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  for (Isolation level : backend().levels) {
    ASSERT_TRUE(session->begin(level).ok()) << to_string(level);
    ASSERT_TRUE(run(*session, update, {11, 1}).ok());
    if (backend().open_level) {
      EXPECT_EQ(backend().open_level(*session), backend().level_name(level));
    }
    EXPECT_EQ(value_of(1), "10") << "uncommitted";
    ASSERT_TRUE(session->rollback().ok());
    EXPECT_EQ(value_of(1), "10");
    ASSERT_TRUE(session->begin(level).ok());
    ASSERT_TRUE(run(*session, update, {12, 1}).ok());
    ASSERT_TRUE(session->commit().ok());
    EXPECT_EQ(value_of(1), "12");
    ASSERT_TRUE(run(*session, update, {10, 1}).ok()) << "autocommit outside a transaction";
    EXPECT_EQ(value_of(1), "10");
    if (backend().open_level) {
      EXPECT_EQ(backend().open_level(*session), "none") << "no transaction left open";
    }
  }
  ASSERT_TRUE(session->begin(Isolation::none).ok());
  ASSERT_TRUE(run(*session, update, {13, 1}).ok());
  EXPECT_EQ(value_of(1), "13") << "isolation none commits every statement";
  EXPECT_TRUE(session->commit().ok());
  EXPECT_TRUE(session->rollback().ok());
  EXPECT_EQ(value_of(1), "13");
}

TEST_P(DriverContractTest, RollbackAfterAnErrorKeepsTheSessionUsable) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  StatementHandle insert = session->prepare(insert_sql(), 2);
  StatementHandle update = session->prepare(update_sql(), 2);
  StatementHandle select = session->prepare(select_sql(), 1);
  const Isolation level = backend().levels.back();

  ASSERT_TRUE(session->begin(level).ok());
  ASSERT_TRUE(run(*session, update, {11, 1}).ok());
  expect_error(run(*session, insert, {2, 0}), AbortCause::other, duplicate());
  Outcome next = run(*session, select, {1});
  if (backend().aborted_transaction_code.empty())
    EXPECT_TRUE(next.ok()) << "the transaction goes on: " << next.message;
  else
    EXPECT_EQ(next.code, backend().aborted_transaction_code) << "aborted until it ends";
  ASSERT_TRUE(session->rollback().ok());
  EXPECT_EQ(value_of(1), "10");

  ASSERT_TRUE(run(*session, select, {2}).ok());
  EXPECT_EQ(row_[0], 20);
  ASSERT_TRUE(session->begin(level).ok());
  ASSERT_TRUE(run(*session, update, {12, 1}).ok());
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(value_of(1), "12");
}

TEST_P(DriverContractTest, CommitAfterAFailedStatementReportsItAndRollsBack) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  StatementHandle insert = session->prepare(insert_sql(), 2);
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(session->begin(backend().levels.front()).ok());
  ASSERT_TRUE(run(*session, update, {11, 1}).ok());
  ASSERT_FALSE(run(*session, insert, {2, 0}).ok());
  Outcome commit = session->commit();
  EXPECT_EQ(commit.cause, AbortCause::other) << commit.message;
  EXPECT_EQ(commit.code, duplicate().code);
  EXPECT_NE(commit.message.find(backend().commit_after_error), std::string::npos) << commit.message;
  EXPECT_EQ(value_of(1), "10") << "the earlier write was not committed";
  EXPECT_TRUE(session->rollback().ok()) << "harmless after the failed commit";
  ASSERT_TRUE(session->begin(backend().levels.front()).ok()) << "no transaction left open";
  ASSERT_TRUE(run(*session, update, {13, 1}).ok());
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(value_of(1), "13");

  // The same through execute_text(), as scenarios send their statements.
  ASSERT_TRUE(session->begin(backend().levels.front()).ok());
  TextResult text;
  ASSERT_TRUE(session->execute_text("UPDATE " + table_ + " SET v = 14 WHERE id = 1", text).ok());
  EXPECT_EQ(text.rows_affected, 1);
  Outcome failed = session->execute_text("INSERT INTO " + table_ + " (id, v) VALUES (2, 0)", text);
  expect_error(failed, AbortCause::other, duplicate());
  commit = session->commit();
  EXPECT_EQ(commit.code, duplicate().code) << commit.message;
  EXPECT_EQ(value_of(1), "13") << "the earlier text write was not committed";
  EXPECT_TRUE(session->rollback().ok());
}

TEST_P(DriverContractTest, ExecuteThenCommitCommitsAtEachSupportedLevel) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  EXPECT_EQ(session->commits_with_statement(), backend().commits_with_statement);
  int64_t value = 10;
  for (Isolation level : backend().levels) {
    ASSERT_TRUE(session->begin(level).ok()) << to_string(level);
    ASSERT_TRUE(run_then_commit(*session, update, {++value, 1}).ok());
    EXPECT_TRUE(commit_.ok()) << commit_.message;
    EXPECT_EQ(result_.rows_affected, 1);
    EXPECT_EQ(value_of(1), std::to_string(value));
    EXPECT_TRUE(session->rollback().ok()) << "no transaction is left open";
    EXPECT_EQ(value_of(1), std::to_string(value));
  }
}

TEST_P(DriverContractTest, ExecuteThenCommitOfAWriteThatMatchesNoRowCommits) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(session->begin(backend().levels.front()).ok());
  ASSERT_TRUE(run(*session, update, {21, 2}).ok());
  ASSERT_TRUE(run_then_commit(*session, update, {1, 99}).ok());
  EXPECT_EQ(result_.rows_affected, 0);
  EXPECT_TRUE(commit_.ok()) << commit_.message;
  EXPECT_EQ(value_of(2), "21") << "the transaction's earlier write is committed";
  EXPECT_TRUE(session->rollback().ok());
  EXPECT_EQ(value_of(2), "21");
}

TEST_P(DriverContractTest, ExecuteThenCommitLeavesAFailedTransactionForRollback) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  StatementHandle insert = session->prepare(insert_sql(), 2);
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(session->begin(backend().levels.front()).ok());
  ASSERT_TRUE(run(*session, update, {11, 1}).ok());
  Outcome outcome = run_then_commit(*session, insert, {2, 0});
  expect_error(outcome, AbortCause::other, duplicate());
  EXPECT_EQ(commit_.code, outcome.code) << "COMMIT did not run";
  EXPECT_EQ(commit_.cause, outcome.cause);
  EXPECT_EQ(value_of(1), "10") << "nothing committed";
  ASSERT_TRUE(session->rollback().ok());
  EXPECT_EQ(value_of(1), "10");
  ASSERT_TRUE(session->begin(backend().levels.front()).ok()) << "no transaction left open";
  ASSERT_TRUE(run_then_commit(*session, update, {12, 1}).ok());
  EXPECT_TRUE(commit_.ok());
  EXPECT_EQ(value_of(1), "12");
}

TEST_P(DriverContractTest, ConcurrentUpdateOfARowReadBeforeAtEachLevel) {
  CLOBBER_SQL_ONLY();
  for (const ConflictCase& conflict : backend().conflicts) {
    SCOPED_TRACE(std::string(to_string(conflict.level)) + " " + conflict.url_option);
    open(conflict.url_option);
    auto first = driver_->connect();
    auto second = driver_->connect();
    StatementHandle first_read = first->prepare(select_sql(), 1);
    StatementHandle first_write = first->prepare(update_sql(), 2);
    StatementHandle second_read = second->prepare(select_sql(), 1);
    StatementHandle second_write = second->prepare(update_sql(), 2);

    ASSERT_TRUE(first->begin(conflict.level).ok());
    ASSERT_TRUE(second->begin(conflict.level).ok());
    ASSERT_TRUE(run(*first, first_read, {1}).ok());
    EXPECT_EQ(row_[0], 10);
    ASSERT_TRUE(run(*second, second_read, {1}).ok());
    EXPECT_EQ(row_[0], 10);
    ASSERT_TRUE(run(*first, first_write, {5, 1}).ok());
    ASSERT_TRUE(first->commit().ok());

    Outcome outcome = run(*second, second_write, {0, 1});
    if (!conflict.error) {
      ASSERT_TRUE(outcome.ok()) << outcome.message;
      ASSERT_TRUE(second->commit().ok());
      EXPECT_EQ(value_of(1), "0") << "both writers commit: the first one's update is lost";
      continue;
    }
    expect_error(outcome, AbortCause::serialization, *conflict.error);
    ASSERT_TRUE(second->rollback().ok());
    EXPECT_EQ(value_of(1), "5");
    // The retry sees the first writer's value and succeeds.
    ASSERT_TRUE(second->begin(conflict.level).ok());
    ASSERT_TRUE(run(*second, second_read, {1}).ok());
    EXPECT_EQ(row_[0], 5);
    ASSERT_TRUE(run(*second, second_write, {0, 1}).ok());
    ASSERT_TRUE(second->commit().ok());
    EXPECT_EQ(value_of(1), "0");
  }
}

TEST_P(DriverContractTest, CrossingUpdatesDeadlock) {
  CLOBBER_SQL_ONLY();
  if (!backend().deadlock) GTEST_SKIP() << backend().no_deadlock_reason;
  std::latch both_hold_a_row(2);
  std::array<Outcome, 2> crossing;
  const std::string bump_sql = "UPDATE " + table_ + " SET v = v + 1 WHERE id = " + p(1);
  auto worker = [&](int index, int64_t mine, int64_t theirs) {
    auto session = driver_->connect();
    StatementHandle bump = session->prepare(bump_sql, 1);
    std::array<int64_t, 1> row{};
    StatementResult result;
    EXPECT_TRUE(session->begin(backend().deadlock_level).ok());
    EXPECT_TRUE(session->execute(bump, std::array<int64_t, 1>{mine}, row, result).ok());
    both_hold_a_row.arrive_and_wait();
    crossing[index] = session->execute(bump, std::array<int64_t, 1>{theirs}, row, result);
    if (crossing[index].ok())
      EXPECT_TRUE(session->commit().ok());
    else
      EXPECT_TRUE(session->rollback().ok());
  };
  std::thread a(worker, 0, 1, 2);
  std::thread b(worker, 1, 2, 1);
  a.join();
  b.join();

  int deadlocks = 0;
  for (const Outcome& outcome : crossing) {
    if (outcome.ok()) continue;
    ++deadlocks;
    expect_error(outcome, AbortCause::deadlock, *backend().deadlock);
  }
  EXPECT_EQ(deadlocks, 1) << "exactly one of the two is the victim";
  EXPECT_EQ(std::stoi(value_of(1)) + std::stoi(value_of(2)), 30 + 2);
}

TEST_P(DriverContractTest, LockWaitTimesOutAndRollbackUndoesTheWholeTransaction) {
  CLOBBER_SQL_ONLY();
  open(backend().lock_wait_option);
  auto holder = driver_->connect();
  auto waiter = driver_->connect();
  StatementHandle hold = holder->prepare(update_sql(), 2);
  StatementHandle write = waiter->prepare(update_sql(), 2);
  StatementHandle read = waiter->prepare(select_sql(), 1);
  waiter->limit_lock_waits(std::chrono::milliseconds(100));
  const Isolation level = backend().levels.front();

  ASSERT_TRUE(holder->begin(level).ok());
  ASSERT_TRUE(run(*holder, hold, {11, 1}).ok());
  ASSERT_TRUE(waiter->begin(level).ok());
  if (backend().row_locks) {
    ASSERT_TRUE(run(*waiter, write, {99, 2}).ok()) << "an earlier write";
  }
  expect_error(run(*waiter, write, {99, 1}), AbortCause::lock_timeout, backend().lock_timeout);
  ASSERT_TRUE(waiter->rollback().ok());
  // MySQL undoes only the timed-out statement: the rollback must undo the
  // earlier write too.
  ASSERT_TRUE(waiter->begin(level).ok());
  ASSERT_TRUE(waiter->commit().ok());
  EXPECT_EQ(value_of(2), "20");

  ASSERT_TRUE(holder->commit().ok());
  ASSERT_TRUE(run(*waiter, read, {1}).ok());
  EXPECT_EQ(row_[0], 11);
  ASSERT_TRUE(run(*waiter, write, {21, 2}).ok()) << "free again once the holder commits";
  EXPECT_EQ(value_of(2), "21");
}

TEST_P(DriverContractTest, ReconnectKeepsPreparedStatements) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  StatementHandle select = session->prepare(select_sql(), 1);
  ASSERT_TRUE(session->reconnect().ok());
  ASSERT_TRUE(run(*session, select, {3}).ok());
  EXPECT_EQ(row_[0], 30);
}

TEST_P(DriverContractTest, ReconnectAfterTheConnectionIsKilled) {
  CLOBBER_SQL_ONLY();
  if (!backend().kill) GTEST_SKIP() << backend().name << " has no server connection to kill";
  auto session = driver_->connect();
  StatementHandle select = session->prepare(select_sql(), 1);
  StatementHandle update = session->prepare(update_sql(), 2);
  const std::string id = session->backend_id();
  ASSERT_FALSE(id.empty());

  ASSERT_TRUE(session->begin(backend().levels.front()).ok());
  ASSERT_TRUE(run(*session, update, {11, 1}).ok());
  backend().kill(*admin_, id);

  Outcome broken = run(*session, select, {1});
  EXPECT_EQ(broken.cause, AbortCause::connection) << broken.code << " " << broken.message;
  EXPECT_TRUE(std::regex_match(broken.code, std::regex(backend().connection_code)))
      << "code " << broken.code << ": " << broken.message;
  EXPECT_TRUE(session->rollback().ok()) << "the server already ended the transaction";
  EXPECT_EQ(run(*session, select, {1}).cause, AbortCause::connection) << "no silent reconnect";
  EXPECT_EQ(session->begin(backend().levels.front()).cause, AbortCause::connection);

  ASSERT_TRUE(session->reconnect().ok());
  EXPECT_NE(session->backend_id(), id);
  ASSERT_TRUE(run(*session, select, {1}).ok()) << "statements are prepared again";
  EXPECT_EQ(row_[0], 10) << "the killed transaction never committed";
  ASSERT_TRUE(session->begin(backend().levels.front()).ok());
  ASSERT_TRUE(run(*session, update, {12, 1}).ok());
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(value_of(1), "12");
}

TEST_P(DriverContractTest, KilledBeforeCommitIsConnectionFailure) {
  CLOBBER_SQL_ONLY();
  if (!backend().kill) GTEST_SKIP() << backend().name << " has no server connection to kill";
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(session->begin(backend().levels.front()).ok());
  ASSERT_TRUE(run(*session, update, {11, 1}).ok());
  backend().kill(*admin_, session->backend_id());
  Outcome commit = session->commit();
  EXPECT_EQ(commit.cause, AbortCause::connection) << commit.code << " " << commit.message;
  EXPECT_EQ(value_of(1), "10");
  ASSERT_TRUE(session->reconnect().ok());
  ASSERT_TRUE(run(*session, update, {12, 1}).ok());
  EXPECT_EQ(value_of(1), "12");
}

TEST_P(DriverContractTest, KilledBeforeExecuteThenCommitIsConnectionFailure) {
  CLOBBER_SQL_ONLY();
  if (!backend().kill) GTEST_SKIP() << backend().name << " has no server connection to kill";
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(session->begin(backend().levels.front()).ok());
  ASSERT_TRUE(run(*session, update, {11, 1}).ok());
  backend().kill(*admin_, session->backend_id());
  Outcome outcome = run_then_commit(*session, update, {21, 2});
  EXPECT_EQ(outcome.cause, AbortCause::connection) << outcome.message;
  EXPECT_EQ(commit_.cause, AbortCause::connection) << commit_.message;
  EXPECT_EQ(session->begin(backend().levels.front()).cause, AbortCause::connection)
      << "a known-broken connection fails at once";
  ASSERT_TRUE(session->reconnect().ok());
  EXPECT_EQ(value_of(1), "10");
  EXPECT_EQ(value_of(2), "20");
}

TEST_P(DriverContractTest, TypedReadAndWriteOfOneRow) {
  CLOBBER_TYPED();
  auto session = driver_->connect();
  const StatementHandle read = session->prepare(Operation(read_row()));
  const StatementHandle write = session->prepare(Operation(set_v()));
  const bool versions = driver_->traits().plain_writes_return_versions;

  ASSERT_TRUE(run_typed(*session, read, {2}).ok());
  EXPECT_TRUE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(wide_, (std::array<int64_t, 4>{20, 7, 0, 0})) << "v, n, writer, version";
  ASSERT_TRUE(run_typed(*session, read, {99}).ok());
  EXPECT_FALSE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 0);
  EXPECT_EQ(wide_[0], -1) << "the row is left alone when nothing is returned";

  ASSERT_TRUE(run_typed(*session, write, {21, 100, 2}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(result_.has_row, versions);
  if (versions) {
    EXPECT_EQ(wide_[0], 0) << "replaced the seed";
    EXPECT_EQ(wide_[1], 1) << "the new version";
  }
  ASSERT_TRUE(run_typed(*session, write, {5, 101, 99}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "a write that matches nothing";
  ASSERT_TRUE(run_typed(*session, read, {2}).ok());
  EXPECT_EQ(wide_, (std::array<int64_t, 4>{21, 7, 100, 1}));
  EXPECT_EQ(typed_rows(), (std::vector<std::vector<int64_t>>{{1, 10, 0}, {2, 21, 100}, {3, 30, 0}}))
      << "read_rows: by key, each with its last writer; no row was added";
}

TEST_P(DriverContractTest, TypedGuardedWritesMatchNothingWhenTheGuardFails) {
  CLOBBER_TYPED();
  auto session = driver_->connect();
  const StatementHandle by_version = session->prepare(Operation(set_v(WriteRow::Guard::version)));
  const StatementHandle by_value = session->prepare(Operation(set_v(WriteRow::Guard::old_values)));
  WriteRow add;
  add.table = shape_;
  add.assignments = {{1, +1}};
  add.returns_versions = true;
  const StatementHandle delta = session->prepare(Operation(add));
  // v + delta where v >= the condition's parameter 0 (variable 3 columns + 0).
  WriteRow guarded = add;
  guarded.guard = WriteRow::Guard::condition;
  guarded.condition.nodes = {{ExprOp::variable, 1, -1, -1},
                             {ExprOp::variable, 3, -1, -1},
                             {ExprOp::greater_equal, 0, 0, 1}};
  guarded.condition.text = "v >= floor";
  guarded.condition_params = 1;
  const StatementHandle checked = session->prepare(Operation(guarded));

  ASSERT_TRUE(run_typed(*session, by_version, {11, 200, 1, 5}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "version 5 was never written";
  ASSERT_TRUE(run_typed(*session, by_version, {11, 200, 1, 0}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  ASSERT_TRUE(run_typed(*session, by_value, {12, 201, 1, 10}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "v is 11 now, not 10";
  ASSERT_TRUE(run_typed(*session, by_value, {12, 201, 1, 11}).ok());
  EXPECT_EQ(result_.rows_affected, 1);

  ASSERT_TRUE(run_typed(*session, delta, {5, 202, 3}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(wide_[0], 35) << "the new value";
  EXPECT_EQ(wide_[1], 0) << "the writer it replaced";
  EXPECT_EQ(wide_[2], 1) << "the new version";
  ASSERT_TRUE(run_typed(*session, checked, {5, 203, 3, 100}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "35 >= 100 is false";
  ASSERT_TRUE(run_typed(*session, checked, {5, 204, 3, 35}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(wide_[0], 40);
  EXPECT_EQ(wide_[1], 202);
  EXPECT_EQ(typed_rows(),
            (std::vector<std::vector<int64_t>>{{1, 12, 201}, {2, 20, 0}, {3, 40, 204}}));
}

TEST_P(DriverContractTest, TypedTransactionsAtEachSupportedLevel) {
  CLOBBER_TYPED();
  auto session = driver_->connect();
  const StatementHandle write = session->prepare(Operation(set_v()));
  for (Isolation level : backend().levels) {
    ASSERT_TRUE(session->begin(level).ok()) << to_string(level);
    ASSERT_TRUE(run_typed(*session, write, {11, 300, 1}).ok());
    ASSERT_TRUE(session->rollback().ok());
    EXPECT_EQ(typed_v(1), 10) << "rolled back";
    ASSERT_TRUE(session->begin(level).ok());
    ASSERT_TRUE(run_typed(*session, write, {12, 301, 1}).ok());
    ASSERT_TRUE(session->commit().ok());
    EXPECT_EQ(typed_v(1), 12);
    ASSERT_TRUE(run_typed(*session, write, {10, 302, 1}).ok()) << "autocommit outside";
  }
  ASSERT_TRUE(session->begin(Isolation::none).ok());
  ASSERT_TRUE(run_typed(*session, write, {13, 303, 1}).ok());
  EXPECT_EQ(typed_v(1), 13) << "isolation none applies every write at once";
  EXPECT_TRUE(session->commit().ok());
  EXPECT_TRUE(session->rollback().ok());
  EXPECT_EQ(typed_v(1), 13);
}

TEST_P(DriverContractTest, TypedOperationsArePreparedAgainByReconnect) {
  CLOBBER_TYPED();
  auto session = driver_->connect();
  const StatementHandle read = session->prepare(Operation(read_row()));
  const StatementHandle write = session->prepare(Operation(set_v()));
  ASSERT_TRUE(session->reconnect().ok());
  ASSERT_TRUE(run_typed(*session, write, {31, 400, 3}).ok());
  ASSERT_TRUE(run_typed(*session, read, {3}).ok());
  EXPECT_EQ(wide_[0], 31);
}

TEST_P(DriverContractTest, TypedKilledSessionIsAConnectionOutcomeUntilReconnect) {
  if (!backend().kills_sessions) GTEST_SKIP() << backend().name << " has no session to kill";
  CLOBBER_TYPED();
  auto session = driver_->connect();
  const StatementHandle read = session->prepare(Operation(read_row()));
  const StatementHandle write = session->prepare(Operation(set_v()));
  const std::string id = session->backend_id();
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(admin_->kill_session(id));
  EXPECT_FALSE(admin_->kill_session(id)) << "already gone";

  const Outcome broken = run_typed(*session, read, {1});
  EXPECT_EQ(broken.cause, AbortCause::connection) << broken.code << " " << broken.message;
  EXPECT_TRUE(std::regex_match(broken.code, std::regex(backend().connection_code)))
      << "code " << broken.code << ": " << broken.message;
  EXPECT_EQ(run_typed(*session, write, {1, 500, 1}).cause, AbortCause::connection)
      << "no silent reconnect";
  EXPECT_TRUE(session->rollback().ok()) << "harmless on a broken connection";
  EXPECT_EQ(typed_v(1), 10);

  ASSERT_TRUE(session->reconnect().ok());
  EXPECT_NE(session->backend_id(), id);
  ASSERT_TRUE(run_typed(*session, write, {14, 501, 1}).ok()) << "prepared again";
  EXPECT_EQ(typed_v(1), 14);
}

TEST_P(DriverContractTest, TypedCancelOfAnIdleSessionChangesNothing) {
  CLOBBER_TYPED();
  auto session = driver_->connect();
  const StatementHandle read = session->prepare(Operation(read_row()));
  session->cancel();  // nothing runs: nothing to cancel
  ASSERT_TRUE(session->begin(Isolation::none).ok());
  ASSERT_TRUE(run_typed(*session, read, {2}).ok());
  EXPECT_EQ(wide_[0], 20);
}

TEST_P(DriverContractTest, TypedTablesAreCreatedAndDroppedWhole) {
  CLOBBER_TYPED();
  EXPECT_TRUE(admin_->table_exists(table_));
  EXPECT_THROW(admin_->create_table(shape_), DatabaseError) << "it exists";
  admin_->drop_table(table_);
  EXPECT_FALSE(admin_->table_exists(table_));
  admin_->drop_table(table_);  // harmless when it does not exist
  admin_->create_table(shape_);
  EXPECT_TRUE(typed_rows().empty()) << "a new table is empty: nothing of the old one is left";
}

TEST_P(DriverContractTest, SupportedCells) {
  for (Isolation level : kAllIsolations) {
    auto reason = driver_->unsupported_isolation(level);
    auto expected = backend().unsupported_isolation(level);
    if (!expected) {
      EXPECT_EQ(reason, std::nullopt) << to_string(level);
      continue;
    }
    ASSERT_TRUE(reason.has_value()) << to_string(level);
    EXPECT_NE(reason->find(*expected), std::string::npos) << *reason;
    EXPECT_THROW(driver_->connect()->begin(level), DatabaseError) << to_string(level);
  }
  for (Locking mode : kAllLockings) {
    auto reason = driver_->unsupported_locking(mode);
    auto expected = backend().unsupported_locking(mode);
    if (!expected) {
      EXPECT_EQ(reason, std::nullopt) << to_string(mode);
      continue;
    }
    ASSERT_TRUE(reason.has_value()) << to_string(mode);
    EXPECT_NE(reason->find(*expected), std::string::npos) << *reason;
  }
}

TEST_P(DriverContractTest, KindAndVersion) {
  EXPECT_EQ(driver_->kind(), backend().kind);
  const std::string version = driver_->server_version();
  EXPECT_TRUE(std::regex_search(version, std::regex(backend().version))) << version;
}

TEST_P(DriverContractTest, UnreachableDatabaseIsDatabaseErrorWithMaskedUrl) {
  try {
    make_driver(parse_database_url(backend().unreachable_url))->connect();
    ADD_FAILURE() << "expected DatabaseError";
  } catch (const DatabaseError& error) {
    const std::string message = error.what();
    for (const std::string& fragment : backend().unreachable_fragments)
      EXPECT_NE(message.find(fragment), std::string::npos) << message;
    EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
  }
}

// ---- What an error does to the open transaction (Session::effect_of) --------
// Each claim is checked against what the server then does: after
// statement_rolled_back the transaction goes on with what it did before and,
// after continue_transaction(), commits it; after transaction_rolled_back
// nothing it did survives, even before rollback().

TEST_P(DriverContractTest, EffectOfASuccessIsNone) {
  CLOBBER_SQL_ONLY();
  auto session = driver_->connect();
  ASSERT_TRUE(session->begin(backend().levels.back()).ok());
  TextResult text;
  const Outcome ok = session->execute_text("SELECT v FROM " + table_ + " WHERE id = 1", text);
  ASSERT_TRUE(ok.ok()) << ok.message;
  EXPECT_EQ(session->effect_of(ok), TransactionEffect::none);
  EXPECT_TRUE(session->commit().ok());
}

TEST_P(DriverContractTest, EffectOfADuplicateKeyIsWhatTheServerDid) {
  CLOBBER_SQL_ONLY();
  for (Isolation level : backend().levels) {
    SCOPED_TRACE(std::string(to_string(level)));
    auto session = driver_->connect();
    StatementHandle update = session->prepare(update_sql(), 2);
    StatementHandle insert = session->prepare(insert_sql(), 2);
    StatementHandle read = session->prepare(select_sql(), 1);
    ASSERT_TRUE(session->begin(level).ok());
    ASSERT_TRUE(run(*session, update, {11, 1}).ok());
    const Outcome failed = run(*session, insert, {2, 0});
    expect_error(failed, AbortCause::other, duplicate());
    const TransactionEffect effect = session->effect_of(failed);
    EXPECT_EQ(effect, backend().duplicate_key_effect);
    expect_effect(*session, read, effect, 1, 11, "10", true);
    admin_->query("UPDATE " + table_ + " SET v = 10 WHERE id = 1");
  }
}

TEST_P(DriverContractTest, EffectOfALockWaitTimeoutIsWhatTheServerDid) {
  CLOBBER_SQL_ONLY();
  open(backend().lock_wait_option);
  auto holder = driver_->connect();
  auto waiter = driver_->connect();
  StatementHandle hold = holder->prepare(update_sql(), 2);
  StatementHandle write = waiter->prepare(update_sql(), 2);
  StatementHandle read = waiter->prepare(select_sql(), 1);
  waiter->limit_lock_waits(std::chrono::milliseconds(100));
  const Isolation level = backend().levels.front();
  ASSERT_TRUE(holder->begin(level).ok());
  ASSERT_TRUE(run(*holder, hold, {11, 1}).ok());
  ASSERT_TRUE(waiter->begin(level).ok());
  // Without row locks a write would lock the whole database: read instead.
  if (backend().row_locks) {
    ASSERT_TRUE(run(*waiter, write, {99, 2}).ok());
  } else {
    ASSERT_TRUE(run(*waiter, read, {2}).ok());
  }
  const Outcome failed = run(*waiter, write, {98, 1});
  expect_error(failed, AbortCause::lock_timeout, backend().lock_timeout);
  const TransactionEffect effect = waiter->effect_of(failed);
  EXPECT_EQ(effect, backend().lock_timeout_effect);
  ASSERT_TRUE(holder->commit().ok());
  expect_effect(*waiter, read, effect, 2, backend().row_locks ? 99 : 20, "20", backend().row_locks);
  EXPECT_EQ(value_of(1), "11") << "the timed-out write never happened";
}

TEST_P(DriverContractTest, EffectOfASerializationFailureIsWhatTheServerDid) {
  CLOBBER_SQL_ONLY();
  for (const ConflictCase& conflict : backend().conflicts) {
    if (!conflict.error) continue;
    SCOPED_TRACE(std::string(to_string(conflict.level)) + " " + conflict.url_option);
    open(conflict.url_option);
    auto first = driver_->connect();
    auto second = driver_->connect();
    StatementHandle first_write = first->prepare(update_sql(), 2);
    StatementHandle second_read = second->prepare(select_sql(), 1);
    StatementHandle second_write = second->prepare(update_sql(), 2);
    ASSERT_TRUE(second->begin(conflict.level).ok());
    ASSERT_TRUE(run(*second, second_read, {1}).ok());
    if (backend().row_locks) {
      ASSERT_TRUE(run(*second, second_write, {33, 3}).ok());
    }
    ASSERT_TRUE(first->begin(conflict.level).ok());
    ASSERT_TRUE(run(*first, first_write, {5, 1}).ok());
    ASSERT_TRUE(first->commit().ok());
    const Outcome failed = run(*second, second_write, {0, 1});
    expect_error(failed, AbortCause::serialization, *conflict.error);
    const TransactionEffect effect = second->effect_of(failed);
    EXPECT_EQ(effect, backend().conflict_effect);
    if (backend().row_locks)
      expect_effect(*second, second_read, effect, 3, 33, "30", true);
    else
      expect_effect(*second, second_read, effect, 1, 10, "5",
                    false);  // its snapshot still reads 10
    EXPECT_EQ(value_of(1), "5") << "the failed write never happened";
  }
}

TEST_P(DriverContractTest, EffectOfADeadlockIsWhatTheServerDid) {
  CLOBBER_SQL_ONLY();
  if (!backend().deadlock) GTEST_SKIP() << backend().no_deadlock_reason;
  // Each marks its own row (n = -1), then bumps the other's: a deadlock. The
  // victim then reads its own mark: gone when its transaction was rolled back
  // (the survivor's bump of that row changes only v).
  std::latch both_hold_a_row(2);
  std::array<Outcome, 2> crossing;
  std::array<std::optional<TransactionEffect>, 2> effects;
  std::array<std::optional<Outcome>, 2> reads;
  std::array<int64_t, 2> marks{0, 0};
  const std::string mark_sql = "UPDATE " + table_ + " SET n = -1 WHERE id = " + p(1);
  const std::string bump_sql = "UPDATE " + table_ + " SET v = v + 1 WHERE id = " + p(1);
  const std::string read_sql = "SELECT n FROM " + table_ + " WHERE id = " + p(1);
  auto worker = [&](int index, int64_t mine, int64_t theirs) {
    auto session = driver_->connect();
    StatementHandle mark = session->prepare(mark_sql, 1);
    StatementHandle bump = session->prepare(bump_sql, 1);
    StatementHandle read = session->prepare(read_sql, 1);
    std::array<int64_t, 1> row{};
    StatementResult result;
    EXPECT_TRUE(session->begin(backend().deadlock_level).ok());
    EXPECT_TRUE(session->execute(mark, std::array<int64_t, 1>{mine}, row, result).ok());
    both_hold_a_row.arrive_and_wait();
    crossing[index] = session->execute(bump, std::array<int64_t, 1>{theirs}, row, result);
    if (crossing[index].ok()) {
      EXPECT_TRUE(session->commit().ok());
      return;
    }
    effects[index] = session->effect_of(crossing[index]);
    row[0] = 0;
    reads[index] = session->execute(read, std::array<int64_t, 1>{mine}, row, result);
    marks[index] = row[0];
    EXPECT_TRUE(session->rollback().ok());
  };
  std::thread a(worker, 0, 1, 2);
  std::thread b(worker, 1, 2, 1);
  a.join();
  b.join();
  int victims = 0;
  for (int i = 0; i < 2; ++i) {
    if (crossing[i].ok()) continue;
    ++victims;
    expect_error(crossing[i], AbortCause::deadlock, *backend().deadlock);
    ASSERT_TRUE(effects[i].has_value());
    EXPECT_EQ(*effects[i], backend().deadlock_effect);
    ASSERT_EQ(*effects[i], TransactionEffect::transaction_rolled_back);
    if (reads[i]->ok()) {
      EXPECT_NE(marks[i], -1) << "its own mark is undone already";
    }
  }
  EXPECT_EQ(victims, 1);
}

TEST_P(DriverContractTest, EffectOfALostConnectionIsConnectionLost) {
  CLOBBER_SQL_ONLY();
  if (!backend().kill) GTEST_SKIP() << backend().name << " has no server connection to kill";
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(session->begin(backend().levels.front()).ok());
  ASSERT_TRUE(run(*session, update, {11, 1}).ok());
  backend().kill(*admin_, session->backend_id());
  const Outcome failed = run(*session, update, {12, 2});
  EXPECT_EQ(failed.cause, AbortCause::connection) << failed.code << " " << failed.message;
  EXPECT_EQ(session->effect_of(failed), TransactionEffect::connection_lost);
  EXPECT_EQ(value_of(1), "10");
}

INSTANTIATE_TEST_SUITE_P(Contract, DriverContractTest, ::testing::Values(the_backend()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace clobber::contract
