// Real PostgreSQL: which isolation levels and locking modes lose updates.
#include "tests/integration/run_checks.h"

namespace clobber {
namespace {

using testing::expect_consistent;
using testing::expect_counter_lost_updates;
using testing::expect_protected;
using testing::run_one;
using testing::test_workload;

class PostgresRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::url_from_env("CLOBBER_TEST_PG_URL");
    if (!url_) GTEST_FAIL();
  }
  std::optional<DatabaseUrl> url_;
};

TEST_F(PostgresRunTest, WitnessesAgreeWithTheOrderTheyState) {
  testing::expect_truthful_witnesses_on_counters(*url_);
}

TEST_F(PostgresRunTest, DeclaredInvariantsAgreeWithTheirSql) {
  testing::expect_twin_invariants_agree(*url_, Isolation::read_committed);
}

TEST_F(PostgresRunTest, NaiveReadCommittedLosesUpdates) {
  const CellResult cell =
      run_one(test_workload("hot_counter.yaml"), *url_, Isolation::read_committed, Locking::none);
  expect_counter_lost_updates(cell);
  EXPECT_EQ(cell.transactions.committed, 240);
}

TEST_F(PostgresRunTest, EveryLostUpdateHasAWitness) {
  // Few enough transactions that every anomaly is listed: the writes the
  // witnesses name as overwritten are exactly the lost updates.
  const CellResult cell = run_one(test_workload("hot_counter.yaml"), *url_,
                                  Isolation::read_committed, Locking::none, 7, 48);
  expect_counter_lost_updates(cell);
  ASSERT_LE(cell.anomalies_total, 100);
  int64_t erased = 0;
  for (const Anomaly& anomaly : cell.anomalies) {
    erased += static_cast<int64_t>(anomaly.transactions.size()) - 1;
    // The overwriter is never one of the writes it erased.
    const WitnessTransaction& overwriter = anomaly.transactions.back();
    for (size_t i = 0; i + 1 < anomaly.transactions.size(); ++i)
      EXPECT_NE(anomaly.transactions[i].id, overwriter.id);
  }
  EXPECT_EQ(erased, cell.lost_updates);
}

TEST_F(PostgresRunTest, NaiveTransferAtReadCommittedLosesMoney) {
  const CellResult cell =
      run_one(test_workload("transfer.yaml"), *url_, Isolation::read_committed, Locking::none);
  expect_consistent(cell);
  EXPECT_GT(cell.lost_updates, 0);
  EXPECT_FALSE(cell.ledger.balanced);
  EXPECT_FALSE(cell.invariants.at(0).passed);  // money is not conserved
  // Debits were lost, so John keeps more than the committed transfers left him.
  EXPECT_LT(cell.ledger.lost_amount, 0);
}

TEST_F(PostgresRunTest, ProtectedModesLoseNothing) {
  for (const char* file : {"hot_counter.yaml", "transfer.yaml"}) {
    const Workload workload = test_workload(file);
    for (Locking locking : {Locking::for_update, Locking::optimistic, Locking::compare_and_set,
                            Locking::atomic, Locking::advisory, Locking::single_writer}) {
      SCOPED_TRACE(std::string(file) + " " + std::string(to_string(locking)));
      expect_protected(run_one(workload, *url_, Isolation::read_committed, locking), 240);
    }
  }
}

TEST_F(PostgresRunTest, SerializableWithRetriesLosesNothing) {
  for (const char* file : {"hot_counter.yaml", "transfer.yaml"}) {
    SCOPED_TRACE(file);
    const CellResult cell =
        run_one(test_workload(file), *url_, Isolation::serializable, Locking::none);
    expect_protected(cell, 240);
    EXPECT_GT(cell.aborts.serialization, 0);
    EXPECT_EQ(cell.retries, cell.aborts.total());
  }
}

TEST_F(PostgresRunTest, NaiveRepeatableReadAbortsInsteadOfLosing) {
  const CellResult cell =
      run_one(test_workload("hot_counter.yaml"), *url_, Isolation::repeatable_read, Locking::none);
  expect_protected(cell, 240);
  EXPECT_GT(cell.aborts.serialization, 0);
  EXPECT_EQ(cell.aborts.serialization, cell.aborts.total());
}

TEST_F(PostgresRunTest, TransactionScopedAdvisoryLocksProtectNothingInAutocommit) {
  // pg_advisory_xact_lock is released when its own statement commits.
  expect_counter_lost_updates(
      run_one(test_workload("hot_counter.yaml"), *url_, Isolation::none, Locking::advisory));
}

TEST_F(PostgresRunTest, SingleWriterProtectsEvenWithoutTransactions) {
  expect_protected(
      run_one(test_workload("transfer.yaml"), *url_, Isolation::none, Locking::single_writer), 240);
}

TEST_F(PostgresRunTest, ReadUncommittedIsUnsupportedNotRelabelled) {
  const CellResult cell =
      run_one(test_workload("hot_counter.yaml"), *url_, Isolation::read_uncommitted, Locking::none);
  EXPECT_EQ(cell.status, CellStatus::unsupported);
  EXPECT_FALSE(cell.reason.empty());
}

}  // namespace
}  // namespace clobber
