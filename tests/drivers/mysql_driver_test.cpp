// The MySQL/MariaDB driver against a real server (URL in CLOBBER_TEST_MYSQL_URL,
// set by scripts/test.sh; MariaDB 10.11): exact abort causes and error numbers,
// what a rollback undoes, found-rows counts, session settings from the URL,
// reconnecting after the connection is killed.
#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <latch>
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

TEST_F(MysqlDriverTest, PrepareExecuteReadBack) {
  auto session = driver_->connect();
  StatementHandle insert = session->prepare("INSERT INTO " + table_ + " (id, v) VALUES (?, ?)", 2);
  StatementHandle select =
      session->prepare("SELECT v, NULL, id FROM " + table_ + " WHERE id = ?", 1);
  StatementHandle select_all =
      session->prepare("SELECT v FROM " + table_ + " WHERE id >= ? ORDER BY id", 1);
  StatementHandle sum = session->prepare("SELECT SUM(v) FROM " + table_ + " WHERE id < ?", 1);
  StatementHandle bump = session->prepare("UPDATE " + table_ + " SET v = v + ? WHERE id >= ?", 2);
  StatementHandle remove = session->prepare("DELETE FROM " + table_ + " WHERE id = ?", 1);

  ASSERT_TRUE(run(*session, insert, {3, -9000000000}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_FALSE(result_.has_row);

  ASSERT_TRUE(run(*session, select, {3}).ok());
  EXPECT_TRUE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(row_[0], -9000000000);
  EXPECT_EQ(row_[1], 0) << "NULL reads as 0";
  EXPECT_EQ(row_[2], 3);

  ASSERT_TRUE(run(*session, select, {99}).ok());
  EXPECT_FALSE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 0);
  EXPECT_EQ(row_[0], -1) << "the row is left alone when nothing is returned";

  ASSERT_TRUE(run(*session, select_all, {1}).ok());
  EXPECT_EQ(result_.rows_affected, 3) << "SELECT counts the rows returned";
  EXPECT_EQ(row_[0], 10);
  EXPECT_EQ(row_[1], -1) << "only the columns the statement returns are written";

  ASSERT_TRUE(run(*session, sum, {3}).ok());
  EXPECT_EQ(row_[0], 30) << "a DECIMAL sum reads as an integer";

  ASSERT_TRUE(run(*session, bump, {1, 2}).ok());
  EXPECT_EQ(result_.rows_affected, 2);
  EXPECT_FALSE(result_.has_row);
  ASSERT_TRUE(run(*session, bump, {1, 42}).ok());
  EXPECT_EQ(result_.rows_affected, 0);
  ASSERT_TRUE(run(*session, remove, {3}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(value_of(2), "21");
}

TEST_F(MysqlDriverTest, UpdateCountsMatchedRowsNotChangedRows) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  ASSERT_TRUE(run(*session, update, {10, 1}).ok());
  EXPECT_EQ(result_.rows_affected, 1) << "v was already 10: found rows, not changed rows";
  ASSERT_TRUE(run(*session, update, {10, 99}).ok());
  EXPECT_EQ(result_.rows_affected, 0);
}

TEST_F(MysqlDriverTest, QueryReturnsTextRowsWithNulls) {
  QueryRows rows =
      admin_->query("SELECT id, NULL AS nothing, v * 2 AS twice FROM " + table_ + " ORDER BY id");
  ASSERT_EQ(rows.columns, (std::vector<std::string>{"id", "nothing", "twice"}));
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(rows.rows[1][0], "2");
  EXPECT_EQ(rows.rows[1][1], std::nullopt);
  EXPECT_EQ(rows.rows[1][2], "40");
  EXPECT_TRUE(admin_->query("UPDATE " + table_ + " SET v = v WHERE id = 1").rows.empty());
  try {
    admin_->query("SELECT nope FROM " + table_);
    FAIL() << "expected DatabaseError";
  } catch (const DatabaseError& error) {
    EXPECT_NE(std::string(error.what()).find("1054: Unknown column 'nope'"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(admin_->query("SELECT 1").rows[0][0], "1") << "usable after a failed query";
}

TEST_F(MysqlDriverTest, TextHoldingTwoStatementsRunsNeither) {
  auto session = driver_->connect();
  const std::string two = "UPDATE " + table_ + " SET v = 99 WHERE id = 1; UPDATE " + table_ +
                          " SET v = 98 WHERE id = 2";
  EXPECT_THROW(session->query(two), DatabaseError);
  TextResult result;
  EXPECT_FALSE(session->execute_text(two, result).ok());
  EXPECT_EQ(value_of(1), "10");
  EXPECT_EQ(value_of(2), "20");
}

TEST_F(MysqlDriverTest, ReadOnlyQueryReadsAndTheServerRefusesWrites) {
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

TEST_F(MysqlDriverTest, BadStatementIsDatabaseError) {
  auto session = driver_->connect();
  EXPECT_THROW(session->prepare("SELECT v FROM clobber_test_mysql_no_such_table", 0),
               DatabaseError);
  EXPECT_THROW(session->prepare(select_sql(), 2), DatabaseError) << "one placeholder, not two";
  StatementHandle select = session->prepare(select_sql(), 1);
  ASSERT_TRUE(run(*session, select, {1}).ok()) << "usable after a failed prepare";
  EXPECT_EQ(row_[0], 10);
}

TEST_F(MysqlDriverTest, TransactionsCommitAndRollBackAtTheirLevel) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  // InnoDB refreshes information_schema.innodb_trx at most every 100 ms.
  auto own_level = [&session] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    QueryRows rows = session->query(
        "SELECT trx_isolation_level FROM information_schema.innodb_trx "
        "WHERE trx_mysql_thread_id = CONNECTION_ID()");
    return rows.rows.empty() ? std::string("none") : rows.rows.at(0).at(0).value_or("NULL");
  };
  const std::pair<Isolation, const char*> levels[] = {
      {Isolation::read_uncommitted, "READ UNCOMMITTED"},
      {Isolation::read_committed, "READ COMMITTED"},
      {Isolation::repeatable_read, "REPEATABLE READ"},
      {Isolation::serializable, "SERIALIZABLE"}};
  for (const auto& [level, name] : levels) {
    ASSERT_TRUE(session->begin(level).ok()) << to_string(level);
    ASSERT_TRUE(run(*session, update, {11, 1}).ok());
    EXPECT_EQ(own_level(), name);
    EXPECT_EQ(value_of(1), "10") << "uncommitted";
    ASSERT_TRUE(session->rollback().ok());
    EXPECT_EQ(value_of(1), "10");
    ASSERT_TRUE(session->begin(level).ok());
    ASSERT_TRUE(run(*session, update, {12, 1}).ok());
    ASSERT_TRUE(session->commit().ok());
    EXPECT_EQ(value_of(1), "12");
    ASSERT_TRUE(run(*session, update, {10, 1}).ok()) << "autocommit outside a transaction";
    EXPECT_EQ(own_level(), "none") << "no transaction left open";
  }
  EXPECT_EQ(value_of(1), "10");
  EXPECT_TRUE(session->begin(Isolation::none).ok());
  ASSERT_TRUE(run(*session, update, {13, 1}).ok());
  EXPECT_EQ(value_of(1), "13") << "isolation none commits every statement";
  EXPECT_TRUE(session->commit().ok());
  EXPECT_TRUE(session->rollback().ok());
  EXPECT_EQ(value_of(1), "13");
}

TEST_F(MysqlDriverTest, RepeatableReadLetsBothWritersCommitAndLosesAnUpdate) {
  auto first = driver_->connect();
  auto second = driver_->connect();
  StatementHandle first_read = first->prepare(select_sql(), 1);
  StatementHandle first_write = first->prepare(update_sql(), 2);
  StatementHandle second_read = second->prepare(select_sql(), 1);
  StatementHandle second_write = second->prepare(update_sql(), 2);

  ASSERT_TRUE(first->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(second->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(run(*first, first_read, {1}).ok());
  EXPECT_EQ(row_[0], 10);
  ASSERT_TRUE(run(*second, second_read, {1}).ok());
  EXPECT_EQ(row_[0], 10);
  ASSERT_TRUE(run(*first, first_write, {10 - 5, 1}).ok());
  ASSERT_TRUE(first->commit().ok());
  ASSERT_TRUE(run(*second, second_write, {10 - 10, 1}).ok()) << "no error at MariaDB's default";
  ASSERT_TRUE(second->commit().ok());
  EXPECT_EQ(value_of(1), "0") << "the first writer's update is lost";
}

TEST_F(MysqlDriverTest, SnapshotIsolationMakesTheSecondWriterFail) {
  auto driver = driver_with("innodb_snapshot_isolation=ON");
  auto first = driver->connect();
  auto second = driver->connect();
  StatementHandle first_read = first->prepare(select_sql(), 1);
  StatementHandle first_write = first->prepare(update_sql(), 2);
  StatementHandle second_read = second->prepare(select_sql(), 1);
  StatementHandle second_write = second->prepare(update_sql(), 2);

  ASSERT_TRUE(first->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(second->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(run(*first, first_read, {1}).ok());
  ASSERT_TRUE(run(*second, second_read, {1}).ok());
  ASSERT_TRUE(run(*first, first_write, {5, 1}).ok());
  ASSERT_TRUE(first->commit().ok());

  Outcome outcome = run(*second, second_write, {0, 1});
  EXPECT_EQ(outcome.cause, AbortCause::serialization);
  EXPECT_EQ(outcome.code, "1020");
  EXPECT_EQ(outcome.message.rfind("Record has changed since last read", 0), 0u) << outcome.message;
  ASSERT_TRUE(second->rollback().ok());
  EXPECT_EQ(value_of(1), "5");

  ASSERT_TRUE(second->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(run(*second, second_read, {1}).ok());
  EXPECT_EQ(row_[0], 5);
  ASSERT_TRUE(run(*second, second_write, {0, 1}).ok());
  ASSERT_TRUE(second->commit().ok());
  EXPECT_EQ(value_of(1), "0");
}

TEST_F(MysqlDriverTest, CrossingUpdatesAtSerializableDeadlock) {
  std::latch both_hold_a_row(2);
  std::array<Outcome, 2> crossing;
  auto worker = [&](int index, int64_t mine, int64_t theirs) {
    auto session = driver_->connect();
    StatementHandle bump = session->prepare("UPDATE " + table_ + " SET v = v + 1 WHERE id = ?", 1);
    std::array<int64_t, 1> row{};
    StatementResult result;
    EXPECT_TRUE(session->begin(Isolation::serializable).ok());
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
    EXPECT_EQ(outcome.code, "1213");
    EXPECT_EQ(outcome.message,
              "Deadlock found when trying to get lock; try restarting transaction");
  }
  EXPECT_EQ(deadlocks, 1) << "exactly one of the two is the victim";
  EXPECT_EQ(std::stoi(value_of(1)) + std::stoi(value_of(2)), 30 + 2);
}

TEST_F(MysqlDriverTest, LockTimeoutThenRollbackUndoesTheWholeTransaction) {
  auto driver = driver_with("innodb_lock_wait_timeout=1");
  auto holder = driver->connect();
  auto waiter = driver->connect();
  StatementHandle hold = holder->prepare(update_sql(), 2);
  StatementHandle write = waiter->prepare(update_sql(), 2);

  ASSERT_TRUE(holder->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*holder, hold, {11, 1}).ok());
  ASSERT_TRUE(waiter->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*waiter, write, {99, 2}).ok()) << "the earlier write";
  Outcome outcome = run(*waiter, write, {99, 1});
  EXPECT_EQ(outcome.cause, AbortCause::lock_timeout);
  EXPECT_EQ(outcome.code, "1205");
  EXPECT_EQ(outcome.message, "Lock wait timeout exceeded; try restarting transaction");
  ASSERT_TRUE(waiter->rollback().ok());

  // InnoDB undid only the timed-out statement; the rollback must undo the
  // earlier write too. Had the transaction stayed open, starting the next one
  // would commit it implicitly.
  ASSERT_TRUE(waiter->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(waiter->commit().ok());
  EXPECT_EQ(value_of(2), "20");
  StatementHandle other_write = holder->prepare(update_sql(), 2);
  ASSERT_TRUE(run(*holder, other_write, {21, 2}).ok()) << "row 2 is no longer locked";
  ASSERT_TRUE(holder->commit().ok());
  EXPECT_EQ(value_of(1), "11");
  EXPECT_EQ(value_of(2), "21");
}

TEST_F(MysqlDriverTest, CommitAfterAFailedStatementRollsBackAndReportsIt) {
  auto driver = driver_with("innodb_lock_wait_timeout=1");
  auto holder = driver->connect();
  auto waiter = driver->connect();
  StatementHandle hold = holder->prepare(update_sql(), 2);
  StatementHandle write = waiter->prepare(update_sql(), 2);
  ASSERT_TRUE(holder->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(run(*holder, hold, {11, 1}).ok());
  ASSERT_TRUE(waiter->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(run(*waiter, write, {99, 2}).ok());
  ASSERT_EQ(run(*waiter, write, {99, 1}).cause, AbortCause::lock_timeout);

  Outcome commit = waiter->commit();
  EXPECT_EQ(commit.cause, AbortCause::lock_timeout);
  EXPECT_EQ(commit.code, "1205");
  EXPECT_NE(commit.message.find("rolled back"), std::string::npos) << commit.message;
  ASSERT_TRUE(holder->rollback().ok());
  EXPECT_EQ(value_of(2), "20") << "the earlier write was not committed";
  EXPECT_TRUE(waiter->rollback().ok()) << "harmless after the failed commit";
  ASSERT_TRUE(waiter->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(run(*waiter, write, {22, 2}).ok());
  ASSERT_TRUE(waiter->commit().ok());
  EXPECT_EQ(value_of(2), "22");
}

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

TEST_F(MysqlDriverTest, ReconnectAfterTheConnectionIsKilled) {
  auto session = driver_->connect();
  StatementHandle select = session->prepare(select_sql(), 1);
  StatementHandle update = session->prepare(update_sql(), 2);
  const std::string id = connection_id(*session);

  ASSERT_TRUE(session->begin(Isolation::repeatable_read).ok());
  ASSERT_TRUE(run(*session, update, {11, 1}).ok());
  admin_->query("KILL " + id);

  Outcome broken = run(*session, select, {1});
  EXPECT_EQ(broken.cause, AbortCause::connection) << broken.code << " " << broken.message;
  EXPECT_TRUE(broken.code == "2006" || broken.code == "2013" || broken.code == "1927")
      << broken.code << " " << broken.message;
  EXPECT_TRUE(session->rollback().ok()) << "the server already ended the transaction";
  EXPECT_EQ(run(*session, select, {1}).cause, AbortCause::connection) << "no silent reconnect";
  EXPECT_EQ(session->begin(Isolation::read_committed).cause, AbortCause::connection);

  ASSERT_TRUE(session->reconnect().ok());
  EXPECT_NE(connection_id(*session), id);
  ASSERT_TRUE(run(*session, select, {1}).ok()) << "statements are prepared again";
  EXPECT_EQ(row_[0], 10) << "the killed transaction never committed";
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {12, 1}).ok());
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(value_of(1), "12");
}

TEST_F(MysqlDriverTest, KilledBeforeCommitIsConnectionFailure) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare(update_sql(), 2);
  const std::string id = connection_id(*session);
  ASSERT_TRUE(session->begin(Isolation::read_committed).ok());
  ASSERT_TRUE(run(*session, update, {11, 1}).ok());
  admin_->query("KILL " + id);
  Outcome commit = session->commit();
  EXPECT_EQ(commit.cause, AbortCause::connection) << commit.code << " " << commit.message;
  EXPECT_EQ(value_of(1), "10");
  ASSERT_TRUE(session->reconnect().ok());
  ASSERT_TRUE(run(*session, update, {12, 1}).ok());
  EXPECT_EQ(value_of(1), "12");
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

TEST_F(MysqlDriverTest, SupportedCellsKindAndVersion) {
  for (Isolation level : kAllIsolations)
    EXPECT_EQ(driver_->unsupported_isolation(level), std::nullopt) << to_string(level);
  for (Locking mode : kAllLockings)
    EXPECT_EQ(driver_->unsupported_locking(mode), std::nullopt) << to_string(mode);
  EXPECT_EQ(driver_->kind(), DatabaseKind::mysql);
  const std::string version = driver_->server_version();
  EXPECT_EQ(version.rfind("10.11.", 0), 0u) << version;
  EXPECT_NE(version.find("MariaDB"), std::string::npos) << version;
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

TEST(MysqlDriver, UnreachableServerIsDatabaseErrorWithMaskedUrl) {
  auto driver = make_driver(parse_database_url("mysql://someone:topsecret@127.0.0.1:1/db"));
  try {
    driver->connect();
    FAIL() << "expected DatabaseError";
  } catch (const DatabaseError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("mysql://someone:***@127.0.0.1:1/db"), std::string::npos) << message;
    EXPECT_NE(message.find("(2002)"), std::string::npos) << message;
    EXPECT_EQ(message.find("topsecret"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace clobber
