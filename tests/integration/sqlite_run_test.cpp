// Embedded SQLite: autocommit loses updates; transactions and the optimistic,
// compare-and-set and atomic modes lose none.
#include "tests/integration/run_checks.h"

namespace clobber {
namespace {

using testing::expect_counter_lost_updates;
using testing::expect_protected;
using testing::expect_truthful_witnesses;
using testing::run_one;
using testing::test_workload;

TEST(SqliteRunTest, AutocommitLosesUpdates) {
  const CellResult cell = run_one(test_workload("hot_counter.yaml"), temporary_sqlite_url(),
                                  Isolation::none, Locking::none);
  expect_counter_lost_updates(cell);
}

TEST(SqliteRunTest, WitnessesAgreeWithTheOrderTheyState) {
  // Two workers race on one counter with no pause: the overwriting write is
  // often the other worker's very next statement, and a preempted thread
  // returns long after its write took effect. Every witness still reads in order.
  const CellResult cell = run_one(test_workload("counter.yaml"), temporary_sqlite_url(),
                                  Isolation::none, Locking::none);
  EXPECT_GT(cell.lost_updates, 0);
  EXPECT_EQ(cell.lost_updates, cell.ledger.lost_amount);
  expect_truthful_witnesses(cell);
  expect_truthful_witnesses(run_one(test_workload("hot_counter.yaml"), temporary_sqlite_url(),
                                    Isolation::none, Locking::none));
}

TEST(SqliteRunTest, ProtectedCellsLoseNothing) {
  for (const char* file : {"hot_counter.yaml", "transfer.yaml"}) {
    const Workload workload = test_workload(file);
    for (Locking locking :
         {Locking::none, Locking::optimistic, Locking::compare_and_set, Locking::atomic}) {
      SCOPED_TRACE(std::string(file) + " serializable " + std::string(to_string(locking)));
      expect_protected(run_one(workload, temporary_sqlite_url(), Isolation::serializable, locking),
                       240);
    }
  }
}

TEST(SqliteRunTest, SingleRowModesAreSafeEvenInAutocommit) {
  const Workload workload = test_workload("hot_counter.yaml");
  for (Locking locking :
       {Locking::optimistic, Locking::compare_and_set, Locking::atomic, Locking::single_writer}) {
    SCOPED_TRACE(to_string(locking));
    expect_protected(run_one(workload, temporary_sqlite_url(), Isolation::none, locking), 240);
  }
}

TEST(SqliteRunTest, DeclaredInvariantsAgreeWithTheirSql) {
  testing::expect_twin_invariants_agree(temporary_sqlite_url(), Isolation::none);
}

TEST(SqliteRunTest, UnsupportedCellsSayWhy) {
  const Workload workload = test_workload("hot_counter.yaml");
  for (auto [isolation, locking] : {std::pair{Isolation::read_committed, Locking::none},
                                    std::pair{Isolation::serializable, Locking::for_update}}) {
    const CellResult cell = run_one(workload, temporary_sqlite_url(), isolation, locking);
    EXPECT_EQ(cell.status, CellStatus::unsupported);
    EXPECT_FALSE(cell.reason.empty());
    EXPECT_TRUE(cell.passed);
  }
}

}  // namespace
}  // namespace clobber
