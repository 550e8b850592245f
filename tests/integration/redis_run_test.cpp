// Real Redis (drivers/redis/): the naive cells lose updates, each witnessed;
// atomic, optimistic, compare-and-set, advisory (a lock that outlives the
// transaction) and single_writer lose none; a lock that expires between the
// read and the write loses updates, and the report says why.
#include "tests/integration/run_checks.h"

namespace clobber {
namespace {

using testing::expect_consistent;
using testing::expect_counter_lost_updates;
using testing::expect_protected;
using testing::expect_truthful_witnesses;
using testing::run_one;
using testing::test_workload;

class RedisRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    text_ = testing::server_url("CLOBBER_TEST_REDIS_URL");
    if (text_.empty()) GTEST_FAIL();
  }
  /// The test server's URL with `option` ("" for none).
  DatabaseUrl url(const std::string& option = "") const {
    return parse_database_url(option.empty() ? text_ : text_ + "?" + option);
  }
  std::string text_;
};

TEST_F(RedisRunTest, NaiveCellsLoseUpdatesEachWitnessed) {
  const CellResult cell =
      run_one(test_workload("redis_hot_counter.yaml"), url(), Isolation::none, Locking::none);
  expect_counter_lost_updates(cell);
  EXPECT_EQ(cell.transactions.committed, 240);
  expect_truthful_witnesses(cell);
}

TEST_F(RedisRunTest, EveryLostUpdateHasAWitness) {
  // Few enough transactions that every anomaly is listed: the writes the
  // witnesses name as overwritten are exactly the lost updates.
  const CellResult cell = run_one(test_workload("redis_hot_counter.yaml"), url(), Isolation::none,
                                  Locking::none, 7, 48);
  expect_counter_lost_updates(cell);
  ASSERT_LE(cell.anomalies_total, 100);
  int64_t erased = 0;
  for (const Anomaly& anomaly : cell.anomalies) {
    erased += static_cast<int64_t>(anomaly.transactions.size()) - 1;
    const WitnessTransaction& overwriter = anomaly.transactions.back();
    for (size_t i = 0; i + 1 < anomaly.transactions.size(); ++i)
      EXPECT_NE(anomaly.transactions[i].id, overwriter.id);
  }
  EXPECT_EQ(erased, cell.lost_updates);
}

TEST_F(RedisRunTest, NaiveTransferLosesMoney) {
  const CellResult cell =
      run_one(test_workload("redis_transfer.yaml"), url(), Isolation::none, Locking::none);
  expect_consistent(cell);
  EXPECT_GT(cell.lost_updates, 0);
  EXPECT_FALSE(cell.ledger.balanced);
  EXPECT_LT(cell.ledger.lost_amount, 0) << "debits of the hot account were lost";
}

TEST_F(RedisRunTest, ProtectedModesLoseNothing) {
  for (const char* file : {"redis_hot_counter.yaml", "redis_transfer.yaml"}) {
    const Workload workload = test_workload(file);
    for (Locking locking : {Locking::optimistic, Locking::compare_and_set, Locking::atomic,
                            Locking::advisory, Locking::single_writer}) {
      SCOPED_TRACE(std::string(file) + " " + std::string(to_string(locking)));
      // The lock outlives every transaction by far.
      const CellResult cell = run_one(workload, url("lock_ttl=10s"), Isolation::none, locking);
      expect_protected(cell, 240);
      if (locking == Locking::optimistic || locking == Locking::compare_and_set) {
        EXPECT_GT(cell.aborts.conflict, 0) << "a nil EXEC or a failed guard, retried";
        EXPECT_EQ(cell.retries, cell.aborts.total());
      }
    }
  }
}

TEST_F(RedisRunTest, ALockThatExpiresBeforeTheWriteProtectsNothing) {
  const Workload workload = test_workload("redis_expiring_lock.yaml");
  // 10 ms locks, 40 ms pauses: the next worker takes the lock while its
  // holder still sleeps, reads the same count and writes it too.
  const CellResult expiring =
      run_one(workload, url("lock_ttl=10ms"), Isolation::none, Locking::advisory);
  expect_counter_lost_updates(expiring);
  EXPECT_EQ(expiring.transactions.committed, 24);
  expect_truthful_witnesses(expiring);
  bool warned = false;
  for (const std::string& note : expiring.notes)
    warned = warned || note.find("protects nothing") != std::string::npos;
  EXPECT_TRUE(warned) << "the report says why the lock did not protect";

  const CellResult lasting =
      run_one(workload, url("lock_ttl=10s"), Isolation::none, Locking::advisory);
  expect_protected(lasting, 24);
}

TEST_F(RedisRunTest, CellsRedisCannotRunSayWhy) {
  const Workload workload = test_workload("redis_hot_counter.yaml");
  const CellResult isolated = run_one(workload, url(), Isolation::serializable, Locking::none);
  EXPECT_EQ(isolated.status, CellStatus::unsupported);
  EXPECT_NE(isolated.reason.find("no isolation levels"), std::string::npos) << isolated.reason;
  const CellResult locked = run_one(workload, url(), Isolation::none, Locking::for_update);
  EXPECT_EQ(locked.status, CellStatus::unsupported);
  EXPECT_NE(locked.reason.find("no row locks"), std::string::npos) << locked.reason;
}

TEST_F(RedisRunTest, TheConsoleWarnsOfExpiringLocks) {
  const testing::TempDir dir("clobber-redis-");
  const testing::Separated run = testing::clobber_apart(
      "run " +
          testing::quoted(std::string(CLOBBER_SOURCE_DIR) +
                          "/tests/integration/workloads/redis_expiring_lock.yaml") +
          " --db " + testing::quoted(text_ + "?lock_ttl=10ms") +
          " --isolation none --locking advisory",
      dir);
  EXPECT_EQ(run.exit_code, 1) << run.err << run.out;  // updates were lost
  EXPECT_NE(testing::flat(run.out).find("protects nothing"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("redis"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace clobber
