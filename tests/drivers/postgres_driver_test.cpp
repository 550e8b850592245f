// What only the PostgreSQL driver does, against a real server (URL in
// CLOBBER_TEST_PG_URL, set by scripts/test.sh): BEGIN held back and COMMIT
// pipelined (seen in pg_stat_activity), write skew under SSI, a reconnect the
// server refuses. The contract every driver keeps is in
// tests/drivers/contract/driver_contract_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
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

TEST_F(PostgresDriverTest, WriteSkewAtSerializableFailsAtCommitOrWithIt) {
  // Two doctors each read both shifts and take one off: the second to commit
  // fails, whether COMMIT goes alone or with its write (execute_then_commit).
  for (const bool with_write : {false, true}) {
    admin_->query("UPDATE " + table_ + " SET v = id * 10");
    auto first = driver_->connect();
    auto second = driver_->connect();
    const std::string sum = "SELECT sum(v) FROM " + table_ + " WHERE id < $1";
    StatementHandle first_sum = first->prepare(sum, 1);
    StatementHandle second_sum = second->prepare(sum, 1);
    StatementHandle first_write = first->prepare(update_sql(), 2);
    StatementHandle second_write = second->prepare(update_sql(), 2);
    ASSERT_TRUE(first->begin(Isolation::serializable).ok());
    ASSERT_TRUE(second->begin(Isolation::serializable).ok());
    ASSERT_TRUE(run(*first, first_sum, {10}).ok());
    ASSERT_TRUE(run(*second, second_sum, {10}).ok());
    Outcome commit;
    if (with_write) {
      ASSERT_TRUE(
          first->execute_then_commit(first_write, std::vector<int64_t>{1, 0}, row_, result_, commit)
              .ok());
      ASSERT_TRUE(commit.ok());
      const Outcome outcome = second->execute_then_commit(second_write, std::vector<int64_t>{2, 0},
                                                          row_, result_, commit);
      // PostgreSQL finds the write skew at the UPDATE or at its COMMIT.
      EXPECT_EQ(outcome.ok() ? commit.code : outcome.code, "40001");
    } else {
      ASSERT_TRUE(run(*first, first_write, {1, 0}).ok());
      ASSERT_TRUE(run(*second, second_write, {2, 0}).ok());
      ASSERT_TRUE(first->commit().ok());
      commit = second->commit();
      EXPECT_EQ(commit.code, "40001");
    }
    EXPECT_EQ(commit.cause, AbortCause::serialization) << with_write;
    EXPECT_TRUE(second->rollback().ok()) << "harmless after a failed commit";
    EXPECT_EQ(value_of(2), "20");
    EXPECT_EQ(backend_state(*admin_, *second), "idle");
  }
}

}  // namespace
}  // namespace clobber
