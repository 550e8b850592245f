// Real servers: the dependency graph names write skew (doctors on call) and
// read skew (an audit during transfers) where the isolation level lets them
// through, and nothing where it does not. Built twice: for PostgreSQL
// (CLOBBER_GRAPH_POSTGRES) and for MariaDB.
#include <set>

#include "harness/check/dependency_graph.h"
#include "tests/integration/run_checks.h"

namespace clobber {
namespace {

using testing::expect_consistent;
using testing::run_one;

/// A workload from workloads/, run for a fixed number of transactions.
Workload example(const std::string& file, int64_t transactions) {
  Workload workload = load_workload_file(std::string(CLOBBER_SOURCE_DIR) + "/workloads/" + file);
  workload.run.duration.reset();
  workload.run.transactions = transactions;
  return workload;
}

/// Every dependency anomaly in `cell` is a well-formed witness of `type`: its
/// edges close a cycle through its transactions, one sentence each, with the
/// number of rw edges its class demands and the levels it rules out.
void expect_cycles_of(const CellResult& cell, const std::string& type,
                      const std::vector<std::string>& rules_out) {
  for (const Anomaly& a : cell.anomalies) {
    if (a.type == "lost_update") continue;
    SCOPED_TRACE(a.explanation);
    EXPECT_EQ(a.type, type);
    EXPECT_EQ(a.rules_out, rules_out);
    ASSERT_GE(a.edges.size(), 2u);
    ASSERT_EQ(a.transactions.size(), a.edges.size());
    size_t rw = 0;
    for (size_t i = 0; i < a.edges.size(); ++i) {
      const AnomalyEdge& e = a.edges[i];
      EXPECT_EQ(e.from, a.transactions[i].id);
      EXPECT_EQ(e.to, a.edges[(i + 1) % a.edges.size()].from);
      EXPECT_NE(e.explanation.find("(" + e.kind + ")"), std::string::npos) << e.explanation;
      rw += e.kind == "rw";
    }
    if (type == "G-single") {
      EXPECT_EQ(rw, 1u);
    } else {
      EXPECT_GE(rw, 2u);
    }
    EXPECT_FALSE(a.rows.empty());
  }
}

/// The count of anomalies of `type` in the cell (listed or not).
int64_t count_of(const CellResult& cell, const std::string& type) {
  for (const AnomalyCount& count : cell.anomaly_counts)
    if (count.type == type) return count.count;
  return 0;
}

/// Doctors on call at repeatable_read: write skew, and at least one witness is
/// the textbook pair - Alice's and Bob's requests, each reading the row the
/// other wrote. Only lost updates (MariaDB) may come with it.
void expect_write_skew(const CellResult& cell) {
  expect_consistent(cell);
  EXPECT_GE(count_of(cell, "G2-item"), 1);
  EXPECT_EQ(cell.anomalies_total, count_of(cell, "G2-item") + count_of(cell, "lost_update"));
  expect_cycles_of(cell, "G2-item", {"serializable"});
  bool pair = false;
  for (const Anomaly& a : cell.anomalies) {
    if (a.type != "G2-item" || a.transactions.size() != 2) continue;
    const std::set<std::string> types = {a.transactions[0].type, a.transactions[1].type};
    if (types != std::set<std::string>{"alice_goes_off_call", "bob_goes_off_call"}) continue;
    pair = true;
    EXPECT_EQ(a.edges[0].kind, "rw");
    EXPECT_EQ(a.edges[1].kind, "rw");
    EXPECT_NE(a.edges[0].key, a.edges[1].key);
    EXPECT_EQ(a.explanation.rfind("Write skew (G2-item): ", 0), 0u);
  }
  EXPECT_TRUE(pair) << "no anomaly is the two requests' write skew";
  EXPECT_TRUE(cell.passed);  // expected by the workload
}

/// A cell where the isolation level or the locking prevented every anomaly.
void expect_no_anomaly(const CellResult& cell) {
  expect_consistent(cell);
  EXPECT_EQ(cell.anomalies_total, 0);
  EXPECT_TRUE(cell.anomalies.empty());
  EXPECT_TRUE(cell.anomaly_counts.empty());
  EXPECT_EQ(cell.lost_updates, 0);
  EXPECT_TRUE(cell.ledger.balanced);
  for (const InvariantResult& invariant : cell.invariants) EXPECT_TRUE(invariant.passed);
  EXPECT_TRUE(cell.passed);
}

class GraphRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::url_from_env(kUrlVariable);
    if (!url_) GTEST_FAIL();
  }
#ifdef CLOBBER_GRAPH_POSTGRES
  static constexpr const char* kUrlVariable = "CLOBBER_TEST_PG_URL";
#else
  static constexpr const char* kUrlVariable = "CLOBBER_TEST_MYSQL_URL";
#endif
  std::optional<DatabaseUrl> url_;
  // Enough transactions that one of the write skews is the textbook pair alone
  // in its strongly connected component (the graph reports one cycle per
  // component, and under contention shift changes join most of them).
  const Workload doctors_ = example("doctors_on_call.yaml", 2000);
  const Workload read_skew_ = example("read_skew.yaml", 600);
};

#ifdef CLOBBER_GRAPH_POSTGRES
using PostgresGraphRunTest = GraphRunTest;

TEST_F(PostgresGraphRunTest, DoctorsOnCallWriteSkewAtRepeatableRead) {
  // Snapshot isolation: no lost update (the second writer of a row aborts),
  // but the two requests write different rows.
  const CellResult cell = run_one(doctors_, *url_, Isolation::repeatable_read, Locking::none);
  expect_write_skew(cell);
  EXPECT_EQ(cell.lost_updates, 0);
  EXPECT_TRUE(cell.ledger.balanced);
}

TEST_F(PostgresGraphRunTest, DoctorsOnCallNothingAtSerializable) {
  const CellResult cell = run_one(doctors_, *url_, Isolation::serializable, Locking::none);
  expect_no_anomaly(cell);
  EXPECT_TRUE(cell.notes.empty());  // every version numbered, nothing indeterminate
}

TEST_F(PostgresGraphRunTest, NoDependencyGraphWithoutTransactions) {
  const CellResult cell = run_one(doctors_, *url_, Isolation::none, Locking::none);
  expect_consistent(cell);
  EXPECT_EQ(cell.anomalies_total, count_of(cell, "lost_update"));
  EXPECT_EQ(cell.notes, std::vector<std::string>{kNoTransactionsNote});
}

TEST_F(PostgresGraphRunTest, DoctorsOnCallNothingWithForUpdate) {
  expect_no_anomaly(run_one(doctors_, *url_, Isolation::read_committed, Locking::for_update));
}

TEST_F(PostgresGraphRunTest, AuditReadSkewAtReadCommitted) {
  const CellResult cell = run_one(read_skew_, *url_, Isolation::read_committed, Locking::atomic);
  expect_consistent(cell);
  EXPECT_GE(count_of(cell, "G-single"), 1);
  EXPECT_EQ(cell.anomalies_total, count_of(cell, "G-single"));
  expect_cycles_of(cell, "G-single", {"repeatable_read", "serializable"});
  EXPECT_EQ(cell.lost_updates, 0);
  EXPECT_TRUE(cell.ledger.balanced);
  EXPECT_TRUE(cell.passed);
}

TEST_F(PostgresGraphRunTest, AuditNothingAtRepeatableRead) {
  expect_no_anomaly(run_one(read_skew_, *url_, Isolation::repeatable_read, Locking::atomic));
}
#else
using MariadbGraphRunTest = GraphRunTest;

TEST_F(MariadbGraphRunTest, DoctorsOnCallWriteSkewAtRepeatableRead) {
  // InnoDB's REPEATABLE READ reads one snapshot and writes the latest
  // version: write skew, and shift changes may also lose updates.
  expect_write_skew(run_one(doctors_, *url_, Isolation::repeatable_read, Locking::none));
}

TEST_F(MariadbGraphRunTest, DoctorsOnCallNothingAtSerializable) {
  expect_no_anomaly(run_one(doctors_, *url_, Isolation::serializable, Locking::none));
}

TEST_F(MariadbGraphRunTest, DoctorsOnCallNothingWithForUpdate) {
  expect_no_anomaly(run_one(doctors_, *url_, Isolation::repeatable_read, Locking::for_update));
}

TEST_F(MariadbGraphRunTest, AuditReadSkewAtReadCommitted) {
  const CellResult cell = run_one(read_skew_, *url_, Isolation::read_committed, Locking::atomic);
  expect_consistent(cell);
  EXPECT_GE(count_of(cell, "G-single"), 1);
  EXPECT_EQ(cell.anomalies_total, count_of(cell, "G-single"));
  expect_cycles_of(cell, "G-single", {"repeatable_read", "serializable"});
  EXPECT_TRUE(cell.ledger.balanced);
  EXPECT_TRUE(cell.passed);
}

TEST_F(MariadbGraphRunTest, AuditNothingAtRepeatableRead) {
  expect_no_anomaly(run_one(read_skew_, *url_, Isolation::repeatable_read, Locking::atomic));
}
#endif

}  // namespace
}  // namespace clobber
