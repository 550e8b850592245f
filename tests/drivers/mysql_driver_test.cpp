// What only the MySQL/MariaDB driver does, against a real server (URL in
// CLOBBER_TEST_MYSQL_URL, set by scripts/test.sh; MariaDB 10.11): the isolation
// level set once per session, session settings from the URL, GET_LOCK cycles,
// user variables, a reconnect the server refuses. The contract every driver
// keeps is in tests/drivers/contract/driver_contract_test.cpp.
#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "drivers/driver.h"
#include "drivers/url.h"
#include "tests/common/clobber_binary.h"

namespace clobber {
namespace {

/// The test server's URL; fails the test when it is not set.
std::string test_url() {
  return testing::server_url("CLOBBER_TEST_MYSQL_URL");
}

/// `url` with a query option appended.
std::string with_option(const std::string& url, const std::string& option) {
  return url + (url.find('?') == std::string::npos ? '?' : '&') + option;
}

/// A driver for the test server and a table clobber_test_mysql_<test name>(id, v)
/// holding rows (1, 10), (2, 20), dropped after the test.
class MysqlDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = test_url();
    ASSERT_FALSE(url_.empty());
    driver_ = make_driver(parse_database_url(url_));
    // MySQL names are at most 64 characters.
    table_ = ("clobber_test_mysql_" +
              std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()))
                 .substr(0, 64);
    for (char& c : table_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    admin_ = driver_->connect();
    admin_->query("DROP TABLE IF EXISTS " + table_);
    admin_->query("CREATE TABLE " + table_ +
                  " (id INT PRIMARY KEY, v BIGINT, txn BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB");
    admin_->query("INSERT INTO " + table_ + " (id, v) VALUES (1, 10), (2, 20)");
  }

  void TearDown() override {
    if (admin_) admin_->query("DROP TABLE IF EXISTS " + table_);
  }

  /// A driver for the test server with `option` added to the URL.
  std::unique_ptr<Driver> driver_with(const std::string& option) const {
    return make_driver(parse_database_url(with_option(url_, option)));
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

  /// The server's id for a session's connection.
  static std::string connection_id(Session& session) {
    return session.query("SELECT CONNECTION_ID()").rows.at(0).at(0).value();
  }

  std::string select_sql() const { return "SELECT v FROM " + table_ + " WHERE id = ?"; }
  std::string update_sql() const { return "UPDATE " + table_ + " SET v = ? WHERE id = ?"; }

  std::string url_;
  std::unique_ptr<Driver> driver_;
  std::unique_ptr<Session> admin_;
  std::string table_;
  std::array<int64_t, 3> row_{};
  StatementResult result_;
};

TEST_F(MysqlDriverTest, TheIsolationLevelIsSetOncePerSessionNotPerTransaction) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  const auto sets = [&session] {  // SET statements this connection ran
    return std::stoll(
        session->query("SHOW SESSION STATUS LIKE 'Com_set_option'").rows.at(0).at(1).value_or("0"));
  };
  const auto own_level = [&session] {  // innodb_trx is refreshed every 100 ms
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    QueryRows rows = session->query(
        "SELECT trx_isolation_level FROM information_schema.innodb_trx "
        "WHERE trx_mysql_thread_id = CONNECTION_ID()");
    return rows.rows.empty() ? std::string("none") : rows.rows.at(0).at(0).value_or("NULL");
  };
  const int64_t before = sets();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(session->begin(Isolation::serializable).ok());
    ASSERT_TRUE(run(*session, update, {20 + i, 1}).ok());
    ASSERT_TRUE(session->commit().ok());
  }
  EXPECT_EQ(sets() - before, 1) << "one SET for twenty transactions at one level";
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {50, 1}).ok());
  EXPECT_EQ(own_level(), "READ COMMITTED");
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(sets() - before, 2) << "a new level is set once more";

  // A reconnected session starts at the server's default: the level is set again.
  admin_->query("KILL " + connection_id(*session));
  EXPECT_EQ(session->begin(Isolation::read_committed).cause, AbortCause::connection);
  ASSERT_TRUE(session->reconnect().ok());
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {60, 1}).ok());
  EXPECT_EQ(own_level(), "READ COMMITTED");
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(value_of(1), "60");
}

TEST_F(MysqlDriverTest, FailedReconnectKeepsReportingUntilTheServerTakesUsBack) {
  // A locked account stands in for a server that is down.
  const std::string user = "clobber_test_mysql_reconnect";
  admin_->query("DROP USER IF EXISTS '" + user + "'@'%'");
  admin_->query("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw'");
  admin_->query("GRANT ALL ON " + driver_->url().database + "." + table_ + " TO '" + user +
                "'@'%'");
  const DatabaseUrl& admin_url = driver_->url();
  auto driver =
      make_driver(parse_database_url("mysql://" + user + ":pw@" + admin_url.host + ":" +
                                     std::to_string(admin_url.port) + "/" + admin_url.database));
  auto session = driver->connect();
  StatementHandle select = session->prepare(select_sql(), 1);
  const std::string id = connection_id(*session);

  admin_->query("ALTER USER '" + user + "'@'%' ACCOUNT LOCK");
  admin_->query("KILL " + id);
  Outcome reconnect = session->reconnect();
  EXPECT_EQ(reconnect.cause, AbortCause::connection);
  EXPECT_EQ(reconnect.code, "4151") << reconnect.message;
  EXPECT_NE(reconnect.message.find("account is locked"), std::string::npos) << reconnect.message;
  EXPECT_EQ(run(*session, select, {1}).cause, AbortCause::connection);
  EXPECT_TRUE(session->rollback().ok());
  EXPECT_EQ(session->begin(Isolation::read_committed).cause, AbortCause::connection);

  admin_->query("ALTER USER '" + user + "'@'%' ACCOUNT UNLOCK");
  ASSERT_TRUE(session->reconnect().ok());
  ASSERT_TRUE(run(*session, select, {1}).ok());
  EXPECT_EQ(row_[0], 10);
  session.reset();
  admin_->query("DROP USER '" + user + "'@'%'");
}

TEST_F(MysqlDriverTest, UrlOptionsAreSessionVariables) {
  auto driver = driver_with(
      "innodb_lock_wait_timeout=7&sql_mode=STRICT_ALL_TABLES,NO_ZERO_DATE"
      "&innodb_snapshot_isolation=on&lc_messages=en_US&password=");
  auto session = driver->connect();
  QueryRows rows = session->query(
      "SELECT @@innodb_lock_wait_timeout, @@sql_mode, @@innodb_snapshot_isolation, @@autocommit");
  EXPECT_EQ(rows.rows.at(0), (std::vector<std::optional<std::string>>{
                                 "7", "STRICT_ALL_TABLES,NO_ZERO_DATE", "1", "1"}));
  ASSERT_TRUE(session->reconnect().ok());
  EXPECT_EQ(session->query("SELECT @@innodb_lock_wait_timeout").rows.at(0).at(0), "7")
      << "applied again after reconnecting";
}

TEST_F(MysqlDriverTest, UnknownSessionVariableIsDatabaseError) {
  auto driver = driver_with("clobber_no_such_variable=1");
  try {
    driver->connect();
    FAIL() << "expected DatabaseError";
  } catch (const DatabaseError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(driver->url().masked), std::string::npos) << message;
    EXPECT_NE(message.find("'SET SESSION clobber_no_such_variable = 1': Unknown system variable "
                           "'clobber_no_such_variable' (1193)"),
              std::string::npos)
        << message;
  }
}

TEST_F(MysqlDriverTest, ReportedSettingsIncludeSnapshotIsolationAndTheDefaultLevel) {
  auto reported = driver_->reported_settings();
  EXPECT_EQ(reported, (std::vector<std::pair<std::string, std::string>>{
                          {"transaction_isolation", "REPEATABLE-READ"},
                          {"innodb_snapshot_isolation", "OFF"}}));
  auto driver = driver_with("innodb_lock_wait_timeout=5&innodb_snapshot_isolation=ON");
  EXPECT_EQ(driver->reported_settings(), (std::vector<std::pair<std::string, std::string>>{
                                             {"innodb_lock_wait_timeout", "5"},
                                             {"innodb_snapshot_isolation", "ON"},
                                             {"transaction_isolation", "REPEATABLE-READ"}}));
}

TEST_F(MysqlDriverTest, AdvisoryLockCyclesDeadlockAndTheVictimKeepsItsLocks) {
  auto first = driver_->connect();
  auto second = driver_->connect();
  const std::string lock = "SELECT GET_LOCK(CONCAT('" + table_ + "_', ?), 10)";
  StatementHandle first_lock = first->prepare(lock, 1);
  StatementHandle second_lock = second->prepare(lock, 1);
  StatementHandle release = first->prepare("SELECT RELEASE_ALL_LOCKS()", 0);

  ASSERT_TRUE(run(*first, first_lock, {1}).ok());
  EXPECT_EQ(row_[0], 1);
  ASSERT_TRUE(run(*second, second_lock, {2}).ok());
  EXPECT_EQ(row_[0], 1);
  Outcome first_outcome;
  std::array<int64_t, 1> first_row{};
  std::thread waiter([&] {
    StatementResult result;
    first_outcome = first->execute(first_lock, std::array<int64_t, 1>{2}, first_row, result);
  });
  // The first session is waiting for lock 2 when the second asks for lock 1.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Outcome second_outcome = run(*second, second_lock, {1});
  EXPECT_EQ(second_outcome.cause, AbortCause::deadlock);
  EXPECT_EQ(second_outcome.code, "1213") << "MariaDB reports 1213, MySQL 8 3058";
  // The victim still holds lock 2: GET_LOCK locks outlive errors and transactions.
  EXPECT_EQ(second->query("SELECT RELEASE_ALL_LOCKS()").rows.at(0).at(0), "1");
  waiter.join();
  ASSERT_TRUE(first_outcome.ok()) << first_outcome.message;
  EXPECT_EQ(first_row[0], 1);
  ASSERT_TRUE(run(*first, release, {}).ok());
  EXPECT_EQ(row_[0], 2) << "both of the first session's locks";
}

TEST_F(MysqlDriverTest, UserVariablesInAnUpdateSeeTheNewValueAndTheOldTxn) {
  admin_->query("ALTER TABLE " + table_ + " ADD COLUMN p BIGINT NOT NULL DEFAULT 0");
  admin_->query("UPDATE " + table_ + " SET txn = 7 WHERE id = 1");
  auto session = driver_->connect();
  // Assignments run left to right: p reads txn before txn is set.
  StatementHandle update = session->prepare(
      "UPDATE " + table_ + " SET v = (@v := v - ?), p = (@p := txn), txn = ? WHERE id = ?", 3);
  StatementHandle read_back = session->prepare("SELECT @v, @p", 0);
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {1, 5, 1}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  ASSERT_TRUE(run(*session, read_back, {}).ok());
  EXPECT_EQ(row_[0], 9) << "@v is the new value";
  EXPECT_EQ(row_[1], 7) << "@p is the txn the row had before the update";
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(admin_->query("SELECT v, p, txn FROM " + table_ + " WHERE id = 1").rows.at(0),
            (std::vector<std::optional<std::string>>{"9", "7", "5"}));
}

TEST(MysqlDriver, BadOptionNamesAreInputErrors) {
  EXPECT_THROW(make_driver(parse_database_url("mysql://root@127.0.0.1/db?ssl-mode=REQUIRED")),
               InputError);
  EXPECT_THROW(make_driver(parse_database_url("mysql://root@127.0.0.1/db?1x=2")), InputError);
  EXPECT_THROW(make_driver(parse_database_url("mysql://root@127.0.0.1/db?autocommit=0")),
               InputError);
  auto driver = make_driver(parse_database_url("mariadb://u:pw@127.0.0.1/db?password=x&a_b=1"));
  EXPECT_EQ(driver->kind(), DatabaseKind::mysql);
}

}  // namespace
}  // namespace clobber
