// The SQLite driver against real temporary database files: statements, abort
// causes (stale snapshot, busy), commit failure, unsupported cells, cleanup.
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

TEST_F(SqliteDriverTest, PrepareExecuteReadBack) {
  auto session = driver_->connect();
  StatementHandle insert = session->prepare("INSERT INTO t (id, v, n) VALUES (?1, ?2, ?3)", 3);
  StatementHandle select = session->prepare("SELECT v, n FROM t WHERE id = ?1", 1);
  StatementHandle select_all = session->prepare("SELECT v, n FROM t WHERE id >= ?1 ORDER BY id", 1);

  ASSERT_TRUE(run(*session, insert, {4, 40, -5}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_FALSE(result_.has_row);

  ASSERT_TRUE(run(*session, select, {4}).ok());
  EXPECT_TRUE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(row_[0], 40);
  EXPECT_EQ(row_[1], -5);

  ASSERT_TRUE(run(*session, select, {1}).ok());
  EXPECT_EQ(row_[0], 10);
  EXPECT_EQ(row_[1], 0) << "NULL reads as 0";

  ASSERT_TRUE(run(*session, select, {99}).ok());
  EXPECT_FALSE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 0);
  EXPECT_EQ(row_[0], -1) << "row untouched when nothing is returned";

  ASSERT_TRUE(run(*session, select_all, {2}).ok());
  EXPECT_TRUE(result_.has_row);
  EXPECT_EQ(result_.rows_affected, 3) << "SELECT counts the rows returned";
  EXPECT_EQ(row_[0], 20) << "the first row is copied";

  std::array<int64_t, 1> one{};
  StatementResult narrow;
  ASSERT_TRUE(session->execute(select, std::vector<int64_t>{2}, one, narrow).ok());
  EXPECT_EQ(one[0], 20) << "only row.size() columns are copied";
}

TEST_F(SqliteDriverTest, RowsAffectedForUpdates) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare("UPDATE t SET v = v + ?2 WHERE id >= ?1", 2);
  StatementHandle returning =
      session->prepare("UPDATE t SET v = v + ?2 WHERE id >= ?1 RETURNING v, id", 2);
  StatementHandle cas = session->prepare("UPDATE t SET v = ?3 WHERE id = ?1 AND v = ?2", 3);

  ASSERT_TRUE(run(*session, update, {2, 1}).ok());
  EXPECT_EQ(result_.rows_affected, 2);
  ASSERT_TRUE(run(*session, update, {50, 1}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "an UPDATE matching nothing changes 0 rows";

  ASSERT_TRUE(run(*session, returning, {1, 100}).ok());
  EXPECT_EQ(result_.rows_affected, 3) << "UPDATE ... RETURNING counts changed rows";
  EXPECT_TRUE(result_.has_row);
  EXPECT_GT(row_[0], 100);

  ASSERT_TRUE(run(*session, cas, {1, 12345, 0}).ok());
  EXPECT_EQ(result_.rows_affected, 0) << "compare-and-set conflict";
  ASSERT_TRUE(run(*session, cas, {1, 110, 7}).ok());
  EXPECT_EQ(result_.rows_affected, 1);
  EXPECT_EQ(value_of(1), "7");
}

TEST_F(SqliteDriverTest, QueryReturnsTextRowsWithNulls) {
  auto session = driver_->connect();
  QueryRows rows = session->query("SELECT id, n, 'x' || id AS label FROM t ORDER BY id");
  ASSERT_EQ(rows.columns, (std::vector<std::string>{"id", "n", "label"}));
  ASSERT_EQ(rows.rows.size(), 3u);
  EXPECT_EQ(rows.rows[0][0], "1");
  EXPECT_EQ(rows.rows[0][1], std::nullopt);
  EXPECT_EQ(rows.rows[2][2], "x3");
  EXPECT_THROW(session->query("SELECT nope FROM t"), DatabaseError);
}

TEST_F(SqliteDriverTest, TextHoldingTwoStatementsRunsNeither) {
  auto session = driver_->connect();
  const std::string two = "UPDATE t SET v = 99 WHERE id = 1; UPDATE t SET v = 98 WHERE id = 2";
  EXPECT_THROW(session->query(two), DatabaseError);
  TextResult result;
  EXPECT_FALSE(session->execute_text(two, result).ok());
  EXPECT_EQ(value_of(1), "10");
  EXPECT_EQ(value_of(2), "20");
}

TEST_F(SqliteDriverTest, ReadOnlyQueryReadsAndRefusesWrites) {
  auto session = driver_->connect();
  EXPECT_EQ(session->read_only_query("SELECT v FROM t WHERE id = 2").rows.at(0).at(0), "20");
  EXPECT_THROW(session->read_only_query("UPDATE t SET v = 99 WHERE id = 1"), DatabaseError);
  EXPECT_EQ(value_of(1), "10");
  TextResult result;
  ASSERT_TRUE(session->execute_text("UPDATE t SET v = 11 WHERE id = 1", result).ok());
  EXPECT_EQ(value_of(1), "11");
}

TEST_F(SqliteDriverTest, BadStatementsThrow) {
  auto session = driver_->connect();
  EXPECT_THROW(session->prepare("SELEC v FROM t", 0), DatabaseError);
  EXPECT_THROW(session->prepare("SELECT v FROM t WHERE id = ?1", 2), DatabaseError)
      << "placeholder count differs from param_count";
  EXPECT_THROW(session->prepare("SELECT 1; SELECT 2", 0), DatabaseError);
}

TEST_F(SqliteDriverTest, AutocommitWritesAreVisibleAtOnce) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare("UPDATE t SET v = ?2 WHERE id = ?1", 2);
  ASSERT_TRUE(session->begin(Isolation::none).ok());
  ASSERT_TRUE(run(*session, update, {1, 11}).ok());
  EXPECT_EQ(value_of(1), "11");
  EXPECT_TRUE(session->commit().ok());
  EXPECT_TRUE(session->rollback().ok());
  EXPECT_EQ(value_of(1), "11");
}

TEST_F(SqliteDriverTest, RollbackUndoesTransaction) {
  auto session = driver_->connect();
  StatementHandle update = session->prepare("UPDATE t SET v = ?2 WHERE id = ?1", 2);
  ASSERT_TRUE(session->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*session, update, {1, 11}).ok());
  EXPECT_EQ(value_of(1), "10") << "uncommitted";
  ASSERT_TRUE(session->rollback().ok());
  EXPECT_EQ(value_of(1), "10");
  ASSERT_TRUE(session->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*session, update, {1, 12}).ok());
  ASSERT_TRUE(session->commit().ok());
  EXPECT_EQ(value_of(1), "12");
}

TEST_F(SqliteDriverTest, StaleSnapshotWriteIsSerializationFailure) {
  auto alice = driver_->connect();
  auto bob = driver_->connect();
  StatementHandle alice_read = alice->prepare("SELECT v FROM t WHERE id = ?1", 1);
  StatementHandle alice_write = alice->prepare("UPDATE t SET v = ?2 WHERE id = ?1", 2);
  StatementHandle bob_write = bob->prepare("UPDATE t SET v = ?2 WHERE id = ?1", 2);

  ASSERT_TRUE(alice->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*alice, alice_read, {1}).ok());  // alice's snapshot starts here
  EXPECT_EQ(row_[0], 10);
  ASSERT_TRUE(bob->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*bob, bob_write, {1, 0}).ok());
  ASSERT_TRUE(bob->commit().ok());

  Outcome outcome = run(*alice, alice_write, {1, 5});
  EXPECT_EQ(outcome.cause, AbortCause::serialization);
  EXPECT_EQ(outcome.code, "SQLITE_BUSY_SNAPSHOT");
  EXPECT_FALSE(outcome.message.empty());
  ASSERT_TRUE(alice->rollback().ok());
  EXPECT_EQ(value_of(1), "0") << "bob's write survives, alice's never happened";

  // The retry sees bob's write and succeeds.
  ASSERT_TRUE(alice->begin(Isolation::serializable).ok());
  ASSERT_TRUE(run(*alice, alice_read, {1}).ok());
  EXPECT_EQ(row_[0], 0);
  ASSERT_TRUE(run(*alice, alice_write, {1, -5}).ok());
  ASSERT_TRUE(alice->commit().ok());
  EXPECT_EQ(value_of(1), "-5");
}

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

TEST_F(SqliteDriverTest, UnsupportedCellsHaveReasons) {
  for (Isolation level :
       {Isolation::read_uncommitted, Isolation::read_committed, Isolation::repeatable_read}) {
    auto reason = driver_->unsupported_isolation(level);
    ASSERT_TRUE(reason.has_value()) << to_string(level);
    EXPECT_NE(reason->find("always serializable"), std::string::npos) << *reason;
  }
  EXPECT_EQ(driver_->unsupported_isolation(Isolation::none), std::nullopt);
  EXPECT_EQ(driver_->unsupported_isolation(Isolation::serializable), std::nullopt);

  for (Locking mode : {Locking::for_update, Locking::for_share}) {
    auto reason = driver_->unsupported_locking(mode);
    ASSERT_TRUE(reason.has_value());
    EXPECT_NE(reason->find("no row locks"), std::string::npos) << *reason;
  }
  ASSERT_TRUE(driver_->unsupported_locking(Locking::advisory).has_value());
  EXPECT_NE(driver_->unsupported_locking(Locking::advisory)->find("advisory"), std::string::npos);
  for (Locking mode : {Locking::none, Locking::optimistic, Locking::compare_and_set,
                       Locking::atomic, Locking::single_writer})
    EXPECT_EQ(driver_->unsupported_locking(mode), std::nullopt) << to_string(mode);

  auto session = driver_->connect();
  EXPECT_THROW(session->begin(Isolation::read_committed), DatabaseError);
}

TEST_F(SqliteDriverTest, ReconnectKeepsPreparedStatements) {
  auto session = driver_->connect();
  StatementHandle select = session->prepare("SELECT v FROM t WHERE id = ?1", 1);
  ASSERT_TRUE(session->reconnect().ok());
  ASSERT_TRUE(run(*session, select, {3}).ok());
  EXPECT_EQ(row_[0], 30);
}

TEST_F(SqliteDriverTest, KindAndVersion) {
  EXPECT_EQ(driver_->kind(), DatabaseKind::sqlite);
  EXPECT_TRUE(driver_->server_version().starts_with("3.")) << driver_->server_version();
  EXPECT_TRUE(driver_->url().temporary);
}

TEST(SqliteDriver, TemporaryFilesAreRemoved) {
  DatabaseUrl url = temporary_sqlite_url();
  std::string path = url.database;
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

TEST(SqliteDriver, UnopenablePathIsDatabaseError) {
  EXPECT_THROW(make_driver(parse_database_url("sqlite:/nonexistent-dir/x/y.db")), DatabaseError);
}

}  // namespace
}  // namespace clobber
