// Real MariaDB: which isolation levels and locking modes lose updates.
#include "tests/integration/run_checks.h"

namespace clobber {
namespace {

using testing::expect_consistent;
using testing::expect_counter_lost_updates;
using testing::expect_protected;
using testing::run_one;
using testing::test_workload;

class MysqlRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::url_from_env("CLOBBER_TEST_MYSQL_URL");
    if (!url_) GTEST_FAIL();
  }
  /// The test server's URL with session settings added to its query.
  DatabaseUrl with_settings(const std::string& settings) const {
    const std::string text = url_->text + (url_->text.find('?') == std::string::npos ? "?" : "&");
    return parse_database_url(text + settings);
  }
  std::optional<DatabaseUrl> url_;
};

TEST_F(MysqlRunTest, WitnessesAgreeWithTheOrderTheyState) {
  testing::expect_truthful_witnesses_on_counters(*url_);
}

TEST_F(MysqlRunTest, DeclaredInvariantsAgreeWithTheirSql) {
  testing::expect_twin_invariants_agree(*url_, Isolation::repeatable_read);
}

TEST_F(MysqlRunTest, NaiveRepeatableReadLosesUpdates) {
  // InnoDB's REPEATABLE READ does not detect lost updates (background article 001).
  const CellResult cell =
      run_one(test_workload("hot_counter.yaml"), *url_, Isolation::repeatable_read, Locking::none);
  expect_counter_lost_updates(cell);
  EXPECT_EQ(cell.transactions.committed, 240);
  EXPECT_EQ(cell.aborts.total(), 0);
}

TEST_F(MysqlRunTest, NaiveTransferLosesMoney) {
  const CellResult cell =
      run_one(test_workload("transfer.yaml"), *url_, Isolation::repeatable_read, Locking::none);
  expect_consistent(cell);
  EXPECT_GT(cell.lost_updates, 0);
  EXPECT_LT(cell.ledger.lost_amount, 0);
  EXPECT_FALSE(cell.invariants.at(0).passed);
}

TEST_F(MysqlRunTest, ProtectedModesLoseNothing) {
  for (const char* file : {"hot_counter.yaml", "transfer.yaml"}) {
    const Workload workload = test_workload(file);
    for (Locking locking : {Locking::for_update, Locking::optimistic, Locking::compare_and_set,
                            Locking::atomic, Locking::advisory, Locking::single_writer}) {
      SCOPED_TRACE(std::string(file) + " " + std::string(to_string(locking)));
      expect_protected(run_one(workload, *url_, Isolation::repeatable_read, locking), 240);
    }
  }
}

TEST_F(MysqlRunTest, SessionScopedNamedLocksProtectEvenInAutocommit) {
  // GET_LOCK belongs to the session, not the transaction, unlike PostgreSQL's
  // transaction-scoped advisory locks.
  expect_protected(
      run_one(test_workload("hot_counter.yaml"), *url_, Isolation::none, Locking::advisory), 240);
}

TEST_F(MysqlRunTest, SerializableDeadlocksAndWithRetriesLosesNothing) {
  const CellResult cell =
      run_one(test_workload("hot_counter.yaml"), *url_, Isolation::serializable, Locking::none);
  expect_protected(cell, 240);
  EXPECT_GT(cell.aborts.deadlock, 0);  // 1213: both hold the shared lock, both want to write
  EXPECT_EQ(cell.retries, cell.aborts.total());
}

TEST_F(MysqlRunTest, SnapshotIsolationAbortsTheSecondWriterWith1020) {
  const DatabaseUrl url = with_settings("innodb_snapshot_isolation=ON");
  const CellResult cell =
      run_one(test_workload("hot_counter.yaml"), url, Isolation::repeatable_read, Locking::none);
  expect_protected(cell, 240);
  EXPECT_GT(cell.aborts.serialization, 0);
  EXPECT_EQ(cell.aborts.serialization, cell.aborts.total());
  bool reported = false;
  for (const auto& [name, value] : cell.database.settings)
    reported = reported || (name == "innodb_snapshot_isolation" && value == "ON");
  EXPECT_TRUE(reported);
}

TEST_F(MysqlRunTest, LockWaitTimeoutRollsBackTheWholeTransaction) {
  const DatabaseUrl url = with_settings("innodb_lock_wait_timeout=1");
  const CellResult cell =
      run_one(test_workload("lock_wait.yaml"), url, Isolation::read_committed, Locking::for_update);
  expect_protected(cell, 16);
  EXPECT_GT(cell.aborts.lock_timeout, 0);  // 1205 happened, and was retried
  EXPECT_GE(cell.retries, cell.aborts.lock_timeout);
}

}  // namespace
}  // namespace clobber
