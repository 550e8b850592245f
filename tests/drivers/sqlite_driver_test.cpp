// What only the SQLite driver does, against real temporary database files: the
// busy timeout, cancelling a lock wait, the upgrading reader, a failed COMMIT,
// file cleanup and URL options. The contract every driver keeps is in
// tests/drivers/contract/driver_contract_test.cpp.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drivers/driver.h"
#include "drivers/url.h"

namespace clobber {
namespace {

bool file_exists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

/// A fresh temporary database with table t(id, v, n) holding rows 1..3.
class SqliteDriverTest : public ::testing::Test {
 protected:
  void SetUp() override { open(""); }

  /// (Re)creates the driver with URL options `query` (e.g. "?busy_timeout=50").
  void open(const std::string& query) {
    DatabaseUrl url = temporary_sqlite_url();
    if (!query.empty()) url = parse_temporary(url, query);
    driver_ = make_driver(url);
    auto setup = driver_->connect();
    setup->query("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, n INTEGER)");
    setup->query("INSERT INTO t (id, v, n) VALUES (1, 10, NULL), (2, 20, 7), (3, 30, 8)");
  }

  /// `url` re-parsed with URL options, still temporary.
  static DatabaseUrl parse_temporary(const DatabaseUrl& url, const std::string& query) {
    DatabaseUrl with_options = parse_database_url(url.text + query);
    with_options.temporary = true;
    return with_options;
  }

  /// Executes `handle` and returns its outcome; the first row lands in row_.
  Outcome run(Session& session, StatementHandle handle, std::vector<int64_t> params) {
    row_.fill(-1);
    result_ = StatementResult{};
    return session.execute(handle, params, row_, result_);
  }

  /// The value of t.v for `id`, read through a fresh connection.
  std::string value_of(int id) {
    QueryRows rows = driver_->connect()->query("SELECT v FROM t WHERE id = " + std::to_string(id));
    return rows.rows.empty() ? "" : rows.rows[0][0].value_or("NULL");
  }

  std::unique_ptr<Driver> driver_;
  std::array<int64_t, 2> row_{};
  StatementResult result_;
};

TEST_F(SqliteDriverTest, HeldWriteLockGivesLockTimeoutAfterBusyTimeout) {
  open("?busy_timeout=50");
  auto holder = driver_->connect();
  auto waiter = driver_->connect();
  StatementHandle hold = holder->prepare("UPDATE t SET v = v + 1 WHERE id = ?1", 1);
  StatementHandle write = waiter->prepare("UPDATE t SET v = v + 100 WHERE id = ?1", 1);
  ASSERT_TRUE(holder->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*holder, hold, {1}).ok());

  auto started = std::chrono::steady_clock::now();
  Outcome autocommit = run(*waiter, write, {2});
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(autocommit.cause, AbortCause::lock_timeout);
  EXPECT_TRUE(autocommit.code.starts_with("SQLITE_BUSY")) << autocommit.code;
  EXPECT_GE(waited, std::chrono::milliseconds(40)) << "the busy timeout was waited out";
  EXPECT_LT(waited, std::chrono::milliseconds(2000));

  ASSERT_TRUE(waiter->begin(Isolation::serializable).ok());
  Outcome in_transaction = run(*waiter, write, {2});
  EXPECT_EQ(in_transaction.cause, AbortCause::lock_timeout);
  ASSERT_TRUE(waiter->rollback().ok());

  ASSERT_TRUE(holder->commit().ok());
  ASSERT_TRUE(run(*waiter, write, {2}).ok()) << "free again once the holder commits";
  EXPECT_EQ(value_of(1), "11");
  EXPECT_EQ(value_of(2), "120");
}

TEST_F(SqliteDriverTest, CancelEndsAWaitForALockLongBeforeTheBusyTimeout) {
  // Ctrl-C cancels statements from another thread (harness/runner/interrupt.h);
  // sqlite3_interrupt alone does not reach a statement waiting for a lock.
  open("?busy_timeout=60000");
  auto holder = driver_->connect();
  auto waiter = driver_->connect();
  StatementHandle hold = holder->prepare("UPDATE t SET v = v + 1 WHERE id = ?1", 1);
  StatementHandle write = waiter->prepare("UPDATE t SET v = v + 100 WHERE id = ?1", 1);
  ASSERT_TRUE(holder->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*holder, hold, {1}).ok());

  std::thread canceller([&waiter] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    waiter->cancel();
  });
  const auto started = std::chrono::steady_clock::now();
  const Outcome outcome = run(*waiter, write, {2});
  const auto waited = std::chrono::steady_clock::now() - started;
  canceller.join();
  EXPECT_FALSE(outcome.ok());
  EXPECT_GE(waited, std::chrono::milliseconds(150)) << "it waited for the lock until the cancel";
  EXPECT_LT(waited, std::chrono::seconds(2)) << "not the 60 s busy timeout";

  ASSERT_TRUE(holder->commit().ok());
  ASSERT_TRUE(run(*waiter, write, {2}).ok()) << "the next statement waits and runs again";
  EXPECT_EQ(value_of(2), "120");
}

TEST_F(SqliteDriverTest, UpgradingReaderFailsAtOnceWhileAnotherHoldsWriteLock) {
  // A deferred transaction that has read cannot wait for the write lock (SQLite
  // skips the busy handler there, as waiting could deadlock): it gets SQLITE_BUSY
  // immediately, reported as lock_timeout.
  auto reader = driver_->connect();
  auto writer = driver_->connect();
  StatementHandle read = reader->prepare("SELECT v FROM t WHERE id = ?1", 1);
  StatementHandle upgrade = reader->prepare("UPDATE t SET v = 1 WHERE id = ?1", 1);
  StatementHandle write = writer->prepare("UPDATE t SET v = 2 WHERE id = ?1", 1);
  ASSERT_TRUE(reader->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*reader, read, {1}).ok());
  ASSERT_TRUE(writer->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*writer, write, {2}).ok());

  auto started = std::chrono::steady_clock::now();
  Outcome outcome = run(*reader, upgrade, {3});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1000))
      << "not the 5 s busy timeout";
  EXPECT_EQ(outcome.cause, AbortCause::lock_timeout);
  EXPECT_EQ(outcome.code, "SQLITE_BUSY");
  ASSERT_TRUE(reader->rollback().ok());
  ASSERT_TRUE(writer->commit().ok());
  EXPECT_EQ(value_of(2), "2");
}

TEST_F(SqliteDriverTest, FailedCommitLeavesNoTransactionOpen) {
  open("?busy_timeout=50");
  auto session = driver_->connect();
  session->query("PRAGMA foreign_keys = ON");
  session->query("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
  session->query(
      "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER "
      "  REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
  StatementHandle orphan = session->prepare("INSERT INTO child (id, parent_id) VALUES (?1, ?2)", 2);
  ASSERT_TRUE(session->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*session, orphan, {1, 42}).ok()) << "the check is deferred to COMMIT";
  Outcome commit = session->commit();
  EXPECT_EQ(commit.cause, AbortCause::other);
  EXPECT_EQ(commit.code, "SQLITE_CONSTRAINT_FOREIGNKEY");

  // Nothing was left open: another session can write at once, and the
  // session itself can begin a new transaction.
  auto other = driver_->connect();
  StatementHandle write = other->prepare("UPDATE t SET v = 0 WHERE id = ?1", 1);
  EXPECT_TRUE(run(*other, write, {1}).ok());
  EXPECT_EQ(session->query("SELECT COUNT(*) FROM child").rows[0][0], "0");
  ASSERT_TRUE(session->begin(Isolation::serializable).ok());
  ASSERT_TRUE(session->rollback().ok());
}

TEST(SqliteDriver, TemporaryFilesAreRemoved) {
  DatabaseUrl url = temporary_sqlite_url();
  std::string path = url.database;
  EXPECT_TRUE(url.temporary);
  {
    auto driver = make_driver(url);
    auto session = driver->connect();
    session->query("CREATE TABLE x (id INTEGER)");
    session->query("INSERT INTO x VALUES (1)");
    EXPECT_TRUE(file_exists(path));
    EXPECT_TRUE(file_exists(path + "-wal"));
    EXPECT_TRUE(file_exists(path + "-shm"));
  }
  EXPECT_FALSE(file_exists(path));
  EXPECT_FALSE(file_exists(path + "-wal"));
  EXPECT_FALSE(file_exists(path + "-shm"));
}

TEST(SqliteDriver, NamedFilesAreKept) {
  DatabaseUrl temporary = temporary_sqlite_url();
  DatabaseUrl url = parse_database_url(temporary.text);
  EXPECT_FALSE(url.temporary);
  make_driver(url)->connect()->query("CREATE TABLE x (id INTEGER)");
  EXPECT_TRUE(file_exists(url.database));
  for (const char* suffix : {"", "-wal", "-shm"}) unlink((url.database + suffix).c_str());
}

TEST(SqliteDriver, BadOptionsAreInputErrors) {
  DatabaseUrl temporary = temporary_sqlite_url();
  EXPECT_THROW(make_driver(parse_database_url(temporary.text + "?busy_timeout=soon")), InputError);
  EXPECT_THROW(make_driver(parse_database_url(temporary.text + "?busy_timeout=-1")), InputError);
  EXPECT_THROW(make_driver(parse_database_url(temporary.text + "?cache=shared")), InputError);
  unlink(temporary.database.c_str());
}

}  // namespace
}  // namespace clobber
