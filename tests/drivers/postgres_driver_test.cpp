// The PostgreSQL driver against a real server (URL in CLOBBER_TEST_PG_URL, set
// by scripts/test.sh): exact abort causes and SQLSTATEs, recovery after errors,
// reconnecting after the backend is killed.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drivers/driver.h"
#include "drivers/url.h"
#include "tests/common/clobber_binary.h"

/// libpqxx 6.4 leaks the PGresult of a statement during which the connection
/// broke (make_result throws before owning it): about 4 KB per lost connection.
/// Known and bounded, so LeakSanitizer builds (CLOBBER_ASAN) ignore it.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:pqxx::connection_base::exec_prepared\nleak:libpqxx-6.4.so\n";
}

namespace clobber {
namespace {

/// A driver for the test server and a table clobber_test_<test name>(id, v)
/// holding rows (1, 10), (2, 20), dropped after the test.
class PostgresDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string url = testing::server_url("CLOBBER_TEST_PG_URL");
    ASSERT_NE(url, "");
    driver_ = make_driver(parse_database_url(url));
    table_ = "clobber_test_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : table_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    admin_ = driver_->connect();
    admin_->query("DROP TABLE IF EXISTS " + table_);
    admin_->query("CREATE TABLE " + table_ + " (id int PRIMARY KEY, v bigint)");
    admin_->query("INSERT INTO " + table_ + " VALUES (1, 10), (2, 20)");
  }

  void TearDown() override {
    if (admin_) admin_->query("DROP TABLE IF EXISTS " + table_);
  }

  /// Executes `handle` with `params`; the first row lands in row_.
  Outcome run(Session& session, StatementHandle handle, std::vector<int64_t> params) {
    row_.fill(-1);
    result_ = StatementResult{};
    return session.execute(handle, params, row_, result_);
  }

  /// The committed value of v for `id`.
  std::string value_of(int id) {
    return admin_->query("SELECT v FROM " + table_ + " WHERE id = " + std::to_string(id))
        .rows.at(0)
        .at(0)
        .value_or("NULL");
  }

  std::string select_sql() const { return "SELECT v FROM " + table_ + " WHERE id = $1"; }
  std::string update_sql() const { return "UPDATE " + table_ + " SET v = $2 WHERE id = $1"; }

  std::unique_ptr<Driver> driver_;
  std::unique_ptr<Session> admin_;
  std::string table_;
  std::array<int64_t, 2> row_{};
  StatementResult result_;
};

TEST_F(PostgresDriverTest, PrepareExecuteReadBack) {
  auto session = driver_->connect();
  StatementHandle insert =
      session->prepare("INSERT INTO " + table_ + " (id, v) VALUES ($1, $2)", 2);
  StatementHandle select =
      session->prepare("SELECT v, NULL::int FROM " + table_ + " WHERE id = $1", 1);
  StatementHandle select_all =
      session->prepare("SELECT v FROM " + table_ + " WHERE id >= $1 ORDER BY id", 1);
  StatementHandle returning =
      session->prepare("UPDATE " + table_ + " SET v = v + $2 WHERE id >= $1 RETURNING v, id", 2);
  StatementHandle update = session->prepare(update_sql(), 2);

  ASSERT_TRUE(run(*session, insert, {3, -9000000000}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_FALSE(result_.has_row);

  ASSERT_TRUE(run(*session, select, {3}).ok());
  EXPECT_TRUE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(row_[0], -9000000000);
  EXPECT_EQ(row_[1], 0) << "NULL reads as 0";

  ASSERT_TRUE(run(*session, select, {99}).ok());
  EXPECT_FALSE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 0);

  ASSERT_TRUE(run(*session, select_all, {1}).ok());
  EXPECT_EQ(result_.rows_affected, 3) << "SELECT counts the rows returned";
  EXPECT_EQ(row_[0], 10);

  ASSERT_TRUE(run(*session, returning, {2, 1}).ok());
  EXPECT_EQ(result_.rows_affected, 2) << "UPDATE ... RETURNING counts changed rows";
  EXPECT_TRUE(result_.has_row);

  ASSERT_TRUE(run(*session, update, {42, 0}).ok());
  EXPECT_EQ(result_.rows_affected, 0);
  EXPECT_FALSE(result_.has_row);
}

TEST_F(PostgresDriverTest, QueryReturnsTextRowsWithNulls) {
  QueryRows rows =
      admin_->query("SELECT id, NULL::text AS nothing FROM " + table_ + " ORDER BY id");
  ASSERT_EQ(rows.columns, (std::vector<std::string>{"id", "nothing"}));
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(rows.rows[1][0], "2");
  EXPECT_EQ(rows.rows[1][1], std::nullopt);
  EXPECT_THROW(admin_->query("SELECT nope FROM " + table_), DatabaseError);
  EXPECT_EQ(admin_->query("SELECT 1").rows[0][0], "1") << "usable after a failed query";
}

TEST_F(PostgresDriverTest, TextHoldingTwoStatementsRunsNeither) {
  auto session = driver_->connect();
  const std::string two = "UPDATE " + table_ + " SET v = 99 WHERE id = 1; UPDATE " + table_ +
                          " SET v = 98 WHERE id = 2";
  EXPECT_THROW(session->query(two), DatabaseError);
  TextResult result;
  EXPECT_FALSE(session->execute_text(two, result).ok());
  EXPECT_EQ(value_of(1), "10");
  EXPECT_EQ(value_of(2), "20");
}

TEST_F(PostgresDriverTest, ReadOnlyQueryReadsAndTheServerRefusesWrites) {
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

TEST_F(PostgresDriverTest, BadStatementIsDatabaseError) {
  auto session = driver_->connect();
  EXPECT_THROW(session->prepare("SELECT v FROM clobber_test_no_such_table", 0), DatabaseError);
  StatementHandle select = session->prepare(select_sql(), 1);
  ASSERT_TRUE(run(*session, select, {1}).ok()) << "usable after a failed prepare";
  EXPECT_EQ(row_[0], 10);
}

TEST_F(PostgresDriverTest, TransactionsCommitAndRollBack) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  for (Isolation level :
       {Isolation::read_committed, Isolation::repeatable_read, Isolation::serializable}) {
    ASSERT_TRUE(session->begin(level).ok()) << to_string(level);
    ASSERT_TRUE(run(*session, update, {1, 11}).ok());
    EXPECT_EQ(value_of(1), "10") << "uncommitted";
    ASSERT_TRUE(session->rollback().ok());
    EXPECT_EQ(value_of(1), "10");
    ASSERT_TRUE(session->begin(level).ok());
    ASSERT_TRUE(run(*session, update, {1, 12}).ok());
    ASSERT_TRUE(session->commit().ok());
    EXPECT_EQ(value_of(1), "12");
    ASSERT_TRUE(run(*session, update, {1, 10}).ok()) << "autocommit outside a transaction";
  }
  EXPECT_EQ(value_of(1), "10");
  EXPECT_TRUE(session->begin(Isolation::none).ok());
  EXPECT_TRUE(session->commit().ok());
  EXPECT_TRUE(session->rollback().ok());
}

TEST_F(PostgresDriverTest, ConcurrentUpdateAtRepeatableReadIsSerializationFailure) {
  auto first = driver_->connect();
  auto second = driver_->connect();
  StatementHandle first_read = first->prepare(select_sql(), 1);
  StatementHandle first_write = first->prepare(update_sql(), 2);
  StatementHandle second_read = second->prepare(select_sql(), 1);
  StatementHandle second_write = second->prepare(update_sql(), 2);

  ASSERT_TRUE(first->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(second->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(run(*first, first_read, {1}).ok());
  ASSERT_TRUE(run(*second, second_read, {1}).ok());
  EXPECT_EQ(row_[0], 10);
  ASSERT_TRUE(run(*first, first_write, {1, 5}).ok());
  ASSERT_TRUE(first->commit().ok());

  Outcome outcome = run(*second, second_write, {1, 0});
  EXPECT_EQ(outcome.cause, AbortCause::serialization);
  EXPECT_EQ(outcome.code, "40001");
  EXPECT_EQ(outcome.message, "could not serialize access due to concurrent update");
  ASSERT_TRUE(second->rollback().ok());
  EXPECT_EQ(value_of(1), "5");

  ASSERT_TRUE(second->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(run(*second, second_read, {1}).ok());
  EXPECT_EQ(row_[0], 5);
  ASSERT_TRUE(run(*second, second_write, {1, 0}).ok());
  ASSERT_TRUE(second->commit().ok());
  EXPECT_EQ(value_of(1), "0");
}

TEST_F(PostgresDriverTest, CrossingUpdatesDeadlock) {
  std::latch both_hold_a_row(2);
  std::array<Outcome, 2> crossing;
  auto worker = [&](int index, int64_t mine, int64_t theirs) {
    auto session = driver_->connect();
    StatementHandle bump = session->prepare("UPDATE " + table_ + " SET v = v + 1 WHERE id = $1", 1);
    std::array<int64_t, 1> row{};
    StatementResult result;
    EXPECT_TRUE(session->begin(Isolation::read_committed).ok());
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
    EXPECT_EQ(outcome.cause, AbortCause::deadlock);
    EXPECT_EQ(outcome.code, "40P01");
    EXPECT_EQ(outcome.message, "deadlock detected");
  }
  EXPECT_EQ(deadlocks, 1) << "exactly one of the two is the victim";
  EXPECT_EQ(std::stoi(value_of(1)) + std::stoi(value_of(2)), 30 + 2);
}

TEST_F(PostgresDriverTest, LockTimeout) {
  auto holder = driver_->connect();
  auto waiter = driver_->connect();
  StatementHandle hold = holder->prepare(update_sql(), 2);
  StatementHandle write = waiter->prepare(update_sql(), 2);
  StatementHandle read = waiter->prepare(select_sql(), 1);
  waiter->query("SET lock_timeout = '100ms'");

  ASSERT_TRUE(holder->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*holder, hold, {1, 11}).ok());
  ASSERT_TRUE(waiter->begin(Isolation::read_committed).ok());
  Outcome outcome = run(*waiter, write, {1, 99});
  EXPECT_EQ(outcome.cause, AbortCause::lock_timeout);
  EXPECT_EQ(outcome.code, "55P03");
  EXPECT_EQ(outcome.message, "canceling statement due to lock timeout");
  ASSERT_TRUE(waiter->rollback().ok());

  ASSERT_TRUE(holder->commit().ok());
  ASSERT_TRUE(run(*waiter, read, {1}).ok());
  EXPECT_EQ(row_[0], 11);
}

TEST_F(PostgresDriverTest, RollbackAfterErrorKeepsSessionUsable) {
  auto session = driver_->connect();
  StatementHandle divide = session->prepare("SELECT 100 / $1::bigint", 1);
  StatementHandle update = session->prepare(update_sql(), 2);

  ASSERT_TRUE(session->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(run(*session, update, {1, 11}).ok());
  Outcome error = run(*session, divide, {0});
  EXPECT_EQ(error.cause, AbortCause::other);
  EXPECT_EQ(error.code, "22012");
  EXPECT_EQ(error.message, "division by zero");
  Outcome ignored = run(*session, divide, {5});
  EXPECT_EQ(ignored.code, "25P02") << "the transaction is aborted until it ends";
  ASSERT_TRUE(session->rollback().ok());
  EXPECT_EQ(value_of(1), "10");

  ASSERT_TRUE(run(*session, divide, {5}).ok());
  EXPECT_EQ(row_[0], 20);
  ASSERT_TRUE(session->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*session, update, {1, 12}).ok());
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(value_of(1), "12");
}

TEST_F(PostgresDriverTest, CommitAfterErrorReportsTheErrorAndRollsBack) {
  auto session = driver_->connect();
  StatementHandle divide = session->prepare("SELECT 100 / $1::bigint", 1);
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {1, 11}).ok());
  ASSERT_FALSE(run(*session, divide, {0}).ok());
  Outcome commit = session->commit();
  EXPECT_EQ(commit.cause, AbortCause::other);
  EXPECT_EQ(commit.code, "22012");
  EXPECT_EQ(value_of(1), "10");
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok()) << "no transaction left open";
  ASSERT_TRUE(run(*session, update, {1, 13}).ok());
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(value_of(1), "13");
}

TEST_F(PostgresDriverTest, SerializableCommitOrStatementFailsOnWriteSkew) {
  auto first = driver_->connect();
  auto second = driver_->connect();
  std::string sum = "SELECT sum(v) FROM " + table_ + " WHERE id < $1";
  StatementHandle first_sum = first->prepare(sum, 1);
  StatementHandle second_sum = second->prepare(sum, 1);
  StatementHandle first_write = first->prepare(update_sql(), 2);
  StatementHandle second_write = second->prepare(update_sql(), 2);
  ASSERT_TRUE(first->begin(Isolation::serializable).ok());
  ASSERT_TRUE(second->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*first, first_sum, {10}).ok());
  ASSERT_TRUE(run(*second, second_sum, {10}).ok());
  ASSERT_TRUE(run(*first, first_write, {1, 0}).ok());
  ASSERT_TRUE(run(*second, second_write, {2, 0}).ok());
  ASSERT_TRUE(first->commit().ok());
  Outcome outcome = second->commit();
  EXPECT_EQ(outcome.cause, AbortCause::serialization);
  EXPECT_EQ(outcome.code, "40001");
  EXPECT_EQ(value_of(2), "20");
  ASSERT_TRUE(second->rollback().ok()) << "harmless after a failed commit";
}

TEST_F(PostgresDriverTest, ReconnectAfterBackendIsKilled) {
  auto session = driver_->connect();
  StatementHandle select = session->prepare(select_sql(), 1);
  StatementHandle update = session->prepare(update_sql(), 2);
  std::string pid = session->query("SELECT pg_backend_pid()").rows.at(0).at(0).value();

  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {1, 11}).ok());
  EXPECT_EQ(admin_->query("SELECT pg_terminate_backend(" + pid + ", 5000)").rows.at(0).at(0), "t");

  Outcome broken = run(*session, select, {1});
  EXPECT_EQ(broken.cause, AbortCause::connection);
  EXPECT_FALSE(broken.code.empty());
  EXPECT_TRUE(session->rollback().ok()) << "the server already ended the transaction";
  EXPECT_EQ(run(*session, select, {1}).cause, AbortCause::connection) << "no silent reconnect";

  ASSERT_TRUE(session->reconnect().ok());
  EXPECT_NE(session->query("SELECT pg_backend_pid()").rows.at(0).at(0).value(), pid);
  ASSERT_TRUE(run(*session, select, {1}).ok()) << "statements are prepared again";
  EXPECT_EQ(row_[0], 10) << "the killed transaction never committed";
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {1, 12}).ok());
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(value_of(1), "12");
}

TEST_F(PostgresDriverTest, FailedReconnectKeepsReportingUntilServerIsBack) {
  // A role that may not connect stands in for a server that is down.
  const std::string role = "clobber_test_reconnect_role";
  admin_->query("DROP ROLE IF EXISTS " + role);
  admin_->query("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'");
  admin_->query("GRANT ALL ON " + table_ + " TO " + role);
  DatabaseUrl admin_url = driver_->url();
  auto driver =
      make_driver(parse_database_url("postgresql://" + role + ":pw@" + admin_url.host + ":" +
                                     std::to_string(admin_url.port) + "/" + admin_url.database));
  auto session = driver->connect();
  StatementHandle select = session->prepare(select_sql(), 1);
  std::string pid = session->query("SELECT pg_backend_pid()").rows.at(0).at(0).value();

  admin_->query("ALTER ROLE " + role + " CONNECTION LIMIT 0");
  admin_->query("SELECT pg_terminate_backend(" + pid + ", 5000)");
  Outcome reconnect = session->reconnect();
  EXPECT_EQ(reconnect.cause, AbortCause::connection);
  EXPECT_NE(reconnect.message.find("too many connections"), std::string::npos) << reconnect.message;
  EXPECT_EQ(run(*session, select, {1}).cause, AbortCause::connection);
  EXPECT_TRUE(session->rollback().ok());
  EXPECT_EQ(session->begin(Isolation::read_committed).cause, AbortCause::connection);

  admin_->query("ALTER ROLE " + role + " CONNECTION LIMIT -1");
  ASSERT_TRUE(session->reconnect().ok());
  ASSERT_TRUE(run(*session, select, {1}).ok());
  EXPECT_EQ(row_[0], 10);
  session.reset();
  admin_->query("DROP OWNED BY " + role);
  admin_->query("DROP ROLE " + role);
}

TEST_F(PostgresDriverTest, KilledDuringCommitIsConnectionFailure) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  std::string pid = session->query("SELECT pg_backend_pid()").rows.at(0).at(0).value();
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {1, 11}).ok());
  admin_->query("SELECT pg_terminate_backend(" + pid + ", 5000)");
  Outcome commit = session->commit();
  EXPECT_EQ(commit.cause, AbortCause::connection);
  ASSERT_TRUE(session->reconnect().ok());
}

/// The state pg_stat_activity shows for the backend of `session`: "idle", or
/// "idle in transaction" once BEGIN reached the server.
std::string backend_state(Session& admin, Session& session) {
  return admin.query("SELECT state FROM pg_stat_activity WHERE pid = " + session.backend_id())
      .rows.at(0)
      .at(0)
      .value_or("NULL");
}

TEST_F(PostgresDriverTest, BeginGoesWithTheFirstStatementAndCommitWithTheLast) {
  auto session = driver_->connect();
  StatementHandle select = session->prepare(select_sql(), 1);
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(session->commits_with_statement());
  for (Isolation level :
       {Isolation::read_committed, Isolation::repeatable_read, Isolation::serializable}) {
    ASSERT_TRUE(session->begin(level).ok());
    EXPECT_EQ(backend_state(*admin_, *session), "idle") << "BEGIN is held back";
    ASSERT_TRUE(run(*session, select, {1}).ok());
    EXPECT_EQ(backend_state(*admin_, *session), "idle in transaction");
    std::string shown(to_string(level));
    std::replace(shown.begin(), shown.end(), '_', ' ');
    EXPECT_EQ(session->query("SHOW transaction_isolation").rows.at(0).at(0), shown);
    Outcome commit = Outcome::failure(AbortCause::other, "unset", "");
    ASSERT_TRUE(session
                    ->execute_then_commit(update, std::vector<int64_t>{1, row_[0] + 1}, row_,
                                          result_, commit)
                    .ok());
    EXPECT_TRUE(commit.ok()) << commit.message;
    EXPECT_EQ(result_.rows_affected, 1);
    EXPECT_EQ(backend_state(*admin_, *session), "idle") << "committed in the same round trip";
    EXPECT_TRUE(session->rollback().ok()) << "no transaction is left open";
  }
  EXPECT_EQ(value_of(1), "13");
  // A transaction that ran nothing sends nothing.
  ASSERT_TRUE(session->begin(Isolation::serializable).ok());
  EXPECT_TRUE(session->commit().ok());
  ASSERT_TRUE(session->begin(Isolation::serializable).ok());
  EXPECT_TRUE(session->rollback().ok());
  EXPECT_EQ(backend_state(*admin_, *session), "idle");
}

TEST_F(PostgresDriverTest, ExecuteThenCommitOfAWriteThatMatchesNoRowCommits) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(session->begin(Isolation::repeatable_read).ok());
  Outcome commit;
  ASSERT_TRUE(
      session->execute_then_commit(update, std::vector<int64_t>{99, 1}, row_, result_, commit)
          .ok());
  EXPECT_EQ(result_.rows_affected, 0);
  EXPECT_TRUE(commit.ok());
  EXPECT_EQ(backend_state(*admin_, *session), "idle");
}

TEST_F(PostgresDriverTest, ExecuteThenCommitLeavesAFailedTransactionForRollback) {
  auto session = driver_->connect();
  StatementHandle divide = session->prepare("SELECT 100 / $1::bigint", 1);
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {1, 11}).ok());
  Outcome commit;
  Outcome outcome =
      session->execute_then_commit(divide, std::vector<int64_t>{0}, row_, result_, commit);
  EXPECT_EQ(outcome.code, "22012");
  EXPECT_EQ(outcome.message, "division by zero");
  EXPECT_EQ(commit.code, "22012") << "COMMIT did not run";
  EXPECT_EQ(backend_state(*admin_, *session), "idle in transaction (aborted)");
  ASSERT_TRUE(session->rollback().ok());
  EXPECT_EQ(backend_state(*admin_, *session), "idle");
  EXPECT_EQ(value_of(1), "10");
}

TEST_F(PostgresDriverTest, ExecuteThenCommitReportsASerializationFailureAtCommit) {
  auto first = driver_->connect();
  auto second = driver_->connect();
  std::string sum = "SELECT sum(v) FROM " + table_ + " WHERE id < $1";
  StatementHandle first_sum = first->prepare(sum, 1);
  StatementHandle second_sum = second->prepare(sum, 1);
  StatementHandle first_write = first->prepare(update_sql(), 2);
  StatementHandle second_write = second->prepare(update_sql(), 2);
  ASSERT_TRUE(first->begin(Isolation::serializable).ok());
  ASSERT_TRUE(second->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*first, first_sum, {10}).ok());
  ASSERT_TRUE(run(*second, second_sum, {10}).ok());
  Outcome commit;
  ASSERT_TRUE(
      first->execute_then_commit(first_write, std::vector<int64_t>{1, 0}, row_, result_, commit)
          .ok());
  ASSERT_TRUE(commit.ok());
  Outcome outcome =
      second->execute_then_commit(second_write, std::vector<int64_t>{2, 0}, row_, result_, commit);
  // PostgreSQL finds the write skew at the UPDATE or at its COMMIT.
  EXPECT_EQ(outcome.ok() ? commit.code : outcome.code, "40001");
  EXPECT_EQ(commit.cause, AbortCause::serialization);
  EXPECT_TRUE(second->rollback().ok());
  EXPECT_EQ(value_of(2), "20");
  EXPECT_EQ(backend_state(*admin_, *second), "idle");
}

TEST_F(PostgresDriverTest, KilledBeforeExecuteThenCommitIsConnectionFailure) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  std::string pid = session->backend_id();
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {1, 11}).ok());
  admin_->query("SELECT pg_terminate_backend(" + pid + ", 5000)");
  Outcome commit;
  Outcome outcome =
      session->execute_then_commit(update, std::vector<int64_t>{2, 21}, row_, result_, commit);
  EXPECT_EQ(outcome.cause, AbortCause::connection);
  EXPECT_EQ(commit.cause, AbortCause::connection);
  EXPECT_EQ(session->begin(Isolation::read_committed).cause, AbortCause::connection)
      << "a known-broken connection fails at once";
  ASSERT_TRUE(session->reconnect().ok());
  EXPECT_EQ(value_of(1), "10");
  EXPECT_EQ(value_of(2), "20");
}

TEST_F(PostgresDriverTest, SupportedCells) {
  auto reason = driver_->unsupported_isolation(Isolation::read_uncommitted);
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("does not relabel"), std::string::npos) << *reason;
  for (Isolation level : {Isolation::none, Isolation::read_committed, Isolation::repeatable_read,
                          Isolation::serializable})
    EXPECT_EQ(driver_->unsupported_isolation(level), std::nullopt) << to_string(level);
  for (Locking mode : kAllLockings)
    EXPECT_EQ(driver_->unsupported_locking(mode), std::nullopt) << to_string(mode);
  auto session = driver_->connect();
  EXPECT_THROW(session->begin(Isolation::read_uncommitted), DatabaseError);
}

TEST_F(PostgresDriverTest, KindAndVersion) {
  EXPECT_EQ(driver_->kind(), DatabaseKind::postgresql);
  std::string version = driver_->server_version();
  EXPECT_FALSE(version.empty());
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(version[0]))) << version;
}

TEST(PostgresDriver, UnreachableServerIsDatabaseErrorWithMaskedUrl) {
  auto driver = make_driver(parse_database_url("postgresql://someone:topsecret@127.0.0.1:1/db"));
  try {
    driver->connect();
    FAIL() << "expected DatabaseError";
  } catch (const DatabaseError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("postgresql://someone:***@127.0.0.1:1/db"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace clobber
