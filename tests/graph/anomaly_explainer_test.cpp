// The explanation (harness/check/anomaly_explainer.h) alone: known cycles and
// dirty reads, built by hand over a small recorded history, turned into the
// exact sentences, rows, columns, values and witnesses a report shows.
#include "harness/check/anomaly_explainer.h"

#include <gtest/gtest.h>

#include <vector>

#include "harness/workload/workload_loader.h"

namespace clobber::graph {
namespace {

const char* kWorkload = R"(
name: explainer
description: doctors on call and an account
tables:
  doctors:
    columns: {id: int, on_call: bigint}
    key: id
    rows: [{id: 1, on_call: 1}, {id: 2, on_call: 1}]
  accounts:
    columns: {id: int, balance: bigint}
    key: id
    rows: [{id: 1, balance: 50}]
transactions:
  go_off_call:
    params: {me: {choice: [1, 2]}}
    steps:
      - read: {table: doctors, key: me, as: self}
      - read: {table: doctors, key: 3 - me, as: other}
      - write: {row: self, set: {on_call: 0}}
)";

constexpr uint32_t kDoctors = 0, kAccounts = 1;

/// Records attempt by attempt, one log per worker; records go to the
/// worker's last attempt.
class Recorder {
 public:
  explicit Recorder(int workers) : logs_(static_cast<size_t>(workers)) {}

  uint64_t begin(int worker, AttemptOutcome outcome = AttemptOutcome::committed,
                 AbortCause cause = AbortCause::none) {
    Records& log = logs_[static_cast<size_t>(worker)];
    AttemptRecord a;
    a.id = make_txn_id(worker, log.attempts.size());
    a.outcome = outcome;
    a.cause = cause;
    a.start_ns = 1'000'000 * static_cast<int64_t>(log.attempts.size() + 1);
    a.end_ns = a.start_ns + 500'000;
    a.first_read = static_cast<uint32_t>(log.reads.size());
    a.first_write = static_cast<uint32_t>(log.writes.size());
    log.attempts.push_back(a);
    return a.id;
  }
  void read(uint64_t txn, uint32_t table, int64_t key, uint64_t writer, int64_t number,
            int64_t value) {
    Records& log = logs_[static_cast<size_t>(txn_worker(txn))];
    ReadRecord r;
    r.table = table;
    r.key = key;
    r.version = writer;
    r.version_number = number;
    r.first_value = static_cast<uint32_t>(log.values.size());
    r.value_count = 2;
    log.values.push_back(key);
    log.values.push_back(value);
    log.reads.push_back(r);
    ++log.attempts.back().read_count;
  }
  void write(uint64_t txn, uint32_t table, int64_t key, int64_t number, int64_t old_value,
             int64_t new_value) {
    Records& log = logs_[static_cast<size_t>(txn_worker(txn))];
    WriteRecord w;
    w.table = table;
    w.key = key;
    w.txn = txn;
    w.version_number = number;
    w.first_change = static_cast<uint32_t>(log.changes.size());
    w.change_count = 1;
    w.durability = log.attempts.back().outcome == AttemptOutcome::committed ? Durability::durable
                                                                            : Durability::discarded;
    log.changes.push_back(ColumnChange{1, old_value, new_value});
    log.writes.push_back(w);
    ++log.attempts.back().write_count;
  }
  std::vector<WorkerLog> logs() const { return encode_logs(logs_); }

 private:
  std::vector<Records> logs_;
};

PendingEdge edge(uint32_t from, uint32_t to, EdgeKind kind, uint32_t row, bool gap = false) {
  return PendingEdge{from, to, edge_info(row, kind, gap)};
}

/// A write skew: T0.0 (node 0) and T1.0 (node 1) each read doctors[1] and
/// doctors[2] from the seed; T0.0 took doctors[1] off call, T1.0 doctors[2].
class ExplainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Recorder r(2);
    const uint64_t a = r.begin(0), b = r.begin(1);
    r.read(a, kDoctors, 1, 0, 0, 1);
    r.read(a, kDoctors, 2, 0, 0, 1);
    r.write(a, kDoctors, 1, 1, 1, 0);
    r.read(b, kDoctors, 2, 0, 0, 1);
    r.read(b, kDoctors, 1, 0, 0, 1);
    r.write(b, kDoctors, 2, 1, 1, 0);
    logs_ = r.logs();
    doctor1_ = rows_.find_or_add(kDoctors, 1);
    doctor2_ = rows_.find_or_add(kDoctors, 2);
  }

  Workload workload_ = load_workload_text(kWorkload, "explainer.yaml");
  std::vector<WorkerLog> logs_;
  RowIndex rows_;
  uint32_t doctor1_ = 0, doctor2_ = 0;
};

TEST_F(ExplainerTest, AWriteSkewCycleNamesItsTransactionsRowsAndValues) {
  const Nodes nodes(logs_);
  const AnomalyExplainer explainer(workload_, nodes, rows_);
  int64_t bytes = 0;
  // 0 -rw-> 1 on doctors[2] (edge 0), 1 -rw-> 0 on doctors[1] (edge 1); the
  // cycle as found from node 1, told from node 0.
  const Graph graph =
      make_graph(2, std::vector{edge(0, 1, kRw, doctor2_), edge(1, 0, kRw, doctor1_)}, bytes);
  const Anomaly a = explainer.describe(graph, kG2Item, Cycle{{1, 0}, {1, 0}}, 2);
  EXPECT_EQ(a.type, "G2-item");
  EXPECT_EQ(a.table, "doctors");
  EXPECT_EQ(a.key, 2);
  EXPECT_EQ(a.column, "on_call");
  ASSERT_EQ(a.rows.size(), 2u);
  EXPECT_EQ(a.rows[0].key, 2);
  EXPECT_EQ(a.rows[1].key, 1);
  ASSERT_EQ(a.transactions.size(), 2u);
  EXPECT_EQ(a.transactions[0].id, make_txn_id(0, 0));
  EXPECT_EQ(a.transactions[0].type, "go_off_call");
  EXPECT_EQ(a.transactions[0].read_value, 1);
  EXPECT_EQ(a.transactions[0].start_ms, 1.0);
  EXPECT_EQ(a.transactions[0].commit_ms, 1.5);
  EXPECT_EQ(a.transactions[1].id, make_txn_id(1, 0));
  EXPECT_EQ(a.transactions[1].worker, 1);
  EXPECT_EQ(a.transactions[1].read_value, 1);
  ASSERT_EQ(a.edges.size(), 2u);
  EXPECT_EQ(a.edges[0].from, make_txn_id(0, 0));
  EXPECT_EQ(a.edges[0].to, make_txn_id(1, 0));
  EXPECT_EQ(a.edges[0].kind, "rw");
  EXPECT_EQ(a.edges[0].explanation,
            "T0.0 read doctors[2].on_call = 1 written by the seed; T1.0 wrote the next version "
            "of doctors[2] (rw): T0.0 did not see it");
  EXPECT_EQ(a.edges[1].explanation,
            "T1.0 read doctors[1].on_call = 1 written by the seed; T0.0 wrote the next version "
            "of doctors[1] (rw): T1.0 did not see it");
  EXPECT_EQ(a.rules_out, std::vector<std::string>{"serializable"});
  EXPECT_EQ(a.explanation,
            "Write skew (G2-item): T0.0 and T1.0 each read a row the other then wrote "
            "(doctors[2] and doctors[1]), neither seeing the other's write; no serial order of "
            "these transactions gives what they read and wrote, which rules out serializable.");
}

TEST_F(ExplainerTest, ALargerComponentIsMentionedAndAGapIsALaterVersion) {
  const Nodes nodes(logs_);
  const AnomalyExplainer explainer(workload_, nodes, rows_);
  int64_t bytes = 0;
  const Graph graph =
      make_graph(2, std::vector{edge(0, 1, kRw, doctor2_, true), edge(1, 0, kRw, doctor1_)}, bytes);
  const Anomaly a = explainer.describe(graph, kG2Item, Cycle{{0, 1}, {0, 1}}, 7);
  EXPECT_EQ(a.edges[0].explanation,
            "T0.0 read doctors[2].on_call = 1 written by the seed; T1.0 wrote a later version "
            "of doctors[2] (rw): T0.0 did not see it");
  const std::string tail =
      "which rules out serializable (the shortest cycle found among 7 transactions that depend "
      "on one another in cycles).";
  EXPECT_EQ(a.explanation.substr(a.explanation.size() - tail.size()), tail);
}

TEST(AnomalyExplainer, EachClassLeadsWithItsName) {
  // T1.0 overwrote T0.0's doctors[1] (ww) and T0.0 read T1.0's doctors[2] (wr).
  Recorder r(2);
  const uint64_t a = r.begin(0), b = r.begin(1);
  r.write(a, kDoctors, 1, 1, 1, 0);
  r.write(b, kDoctors, 1, 2, 0, 1);
  r.write(b, kDoctors, 2, 1, 1, 0);
  r.read(a, kDoctors, 2, b, 1, 0);
  const std::vector<WorkerLog> logs = r.logs();
  const Workload workload = load_workload_text(kWorkload, "explainer.yaml");
  const Nodes nodes(logs);
  RowIndex rows;
  const uint32_t doctor1 = rows.find_or_add(kDoctors, 1), doctor2 = rows.find_or_add(kDoctors, 2);
  const AnomalyExplainer explainer(workload, nodes, rows);
  int64_t bytes = 0;
  const Graph graph =
      make_graph(2, std::vector{edge(0, 1, kWw, doctor1), edge(1, 0, kWr, doctor2)}, bytes);
  const Cycle cycle{{0, 1}, {0, 1}};
  const Anomaly g1c = explainer.describe(graph, kG1c, cycle, 2);
  EXPECT_EQ(g1c.explanation.rfind("Circular information flow (G1c): T0.0 and T1.0 each saw or "
                                  "overwrote a write of the next, in a cycle; ",
                                  0),
            0u);
  ASSERT_EQ(g1c.edges.size(), 2u);
  EXPECT_EQ(g1c.edges[0].kind, "ww");
  EXPECT_EQ(g1c.edges[0].explanation,
            "T0.0 wrote doctors[1].on_call = 0; T1.0 wrote the next version of doctors[1], "
            "on_call = 1 (ww): it overwrote that write");
  EXPECT_EQ(g1c.edges[1].kind, "wr");
  EXPECT_EQ(g1c.edges[1].explanation,
            "T1.0 wrote doctors[2].on_call = 0 and T0.0 read it (wr): it saw that write");
  EXPECT_EQ(g1c.rules_out,
            (std::vector<std::string>{"read_committed", "repeatable_read", "serializable"}));
  EXPECT_EQ(
      explainer.describe(graph, kG0, cycle, 2)
          .explanation.rfind(
              "Dirty write (G0): T0.0 and T1.0 overwrote one another's writes in a cycle; ", 0),
      0u);
}

TEST_F(ExplainerTest, ANonRepeatableReadAndAReadSkewAreToldApart) {
  const Nodes nodes(logs_);
  const AnomalyExplainer explainer(workload_, nodes, rows_);
  int64_t bytes = 0;
  const Cycle cycle{{0, 1}, {0, 1}};
  // Both edges on doctors[2]: T0.0 read it before and after T1.0 wrote it.
  const Graph same =
      make_graph(2, std::vector{edge(0, 1, kRw, doctor2_), edge(1, 0, kWr, doctor2_)}, bytes);
  EXPECT_EQ(explainer.describe(same, kGSingle, cycle, 2)
                .explanation.rfind("Non-repeatable read (G-single): T0.0 read doctors[2] both "
                                   "before and after T1.0 wrote it; ",
                                   0),
            0u);
  const Graph skew =
      make_graph(2, std::vector{edge(0, 1, kRw, doctor2_), edge(1, 0, kWr, doctor1_)}, bytes);
  EXPECT_EQ(explainer.describe(skew, kGSingle, cycle, 2)
                .explanation.rfind("Read skew (G-single): T0.0 saw a write of doctors[1] by T1.0 "
                                   "but did not see its write of doctors[2]; ",
                                   0),
            0u);
}

TEST(AnomalyExplainer, DirtyReadsNameTheWriterAndItsFate) {
  Recorder r(2);
  const uint64_t a = r.begin(0, AttemptOutcome::aborted, AbortCause::deadlock);
  r.write(a, kAccounts, 1, 1, 50, 0);
  const uint64_t b = r.begin(0);
  r.write(b, kAccounts, 1, 1, 50, 10);
  r.write(b, kAccounts, 1, 2, 10, 40);
  const uint64_t c = r.begin(1);
  r.read(c, kAccounts, 1, a, 1, 0);
  r.read(c, kAccounts, 1, b, 1, 10);
  const std::vector<WorkerLog> logs = r.logs();
  const Workload workload = load_workload_text(kWorkload, "explainer.yaml");
  const Nodes nodes(logs);
  RowIndex rows;
  const uint32_t account = rows.find_or_add(kAccounts, 1);
  const AnomalyExplainer explainer(workload, nodes, rows);
  // Nodes: a is 0, b is 1 (worker 0), c is 2 (worker 1).
  const Anomaly g1a = explainer.describe(DirtyRead{kG1a, 2, 0, account, 1, 0});
  EXPECT_EQ(g1a.type, "G1a");
  EXPECT_EQ(g1a.table, "accounts");
  EXPECT_EQ(g1a.column, "balance");
  EXPECT_EQ(g1a.version_read, a);
  ASSERT_EQ(g1a.transactions.size(), 2u);
  EXPECT_EQ(g1a.transactions[0].id, a);
  EXPECT_EQ(g1a.transactions[1].id, c);
  ASSERT_EQ(g1a.edges.size(), 1u);
  EXPECT_EQ(g1a.edges[0].kind, "wr");
  EXPECT_EQ(g1a.edges[0].explanation,
            "T0.0 wrote accounts[1].balance = 0, then aborted (deadlock) and was rolled back; "
            "T1.0 read it (wr) and committed");
  EXPECT_EQ(g1a.explanation,
            "Aborted read (G1a): T1.0 committed having read accounts[1].balance = 0, written by "
            "T0.0, which aborted (deadlock) and was rolled back; this rules out read_committed, "
            "repeatable_read and serializable.");
  const Anomaly g1b = explainer.describe(DirtyRead{kG1b, 2, 1, account, 1, 2});
  EXPECT_EQ(g1b.type, "G1b");
  EXPECT_EQ(g1b.edges[0].explanation,
            "T0.1 wrote accounts[1].balance = 10 as version 1 and wrote accounts[1] again "
            "(version 2) before committing; T1.0 read version 1 (wr)");
  EXPECT_EQ(g1b.explanation,
            "Intermediate read (G1b): T1.0 committed having read accounts[1].balance = 10 "
            "(version 1), which T0.1 replaced itself with version 2 before committing; this "
            "rules out read_committed, repeatable_read and serializable.");
}

TEST(AnomalyExplainer, RulesOutAndJoinWithAnd) {
  EXPECT_EQ(rules_out(kG0), (std::vector<std::string>{"read_uncommitted", "read_committed",
                                                      "repeatable_read", "serializable"}));
  EXPECT_EQ(rules_out(kG1b),
            (std::vector<std::string>{"read_committed", "repeatable_read", "serializable"}));
  EXPECT_EQ(rules_out(kGSingle), (std::vector<std::string>{"repeatable_read", "serializable"}));
  EXPECT_EQ(rules_out(kG2Item), std::vector<std::string>{"serializable"});
  EXPECT_EQ(join_with_and({}), "");
  EXPECT_EQ(join_with_and({"a"}), "a");
  EXPECT_EQ(join_with_and({"a", "b"}), "a and b");
  EXPECT_EQ(join_with_and({"a", "b", "c"}), "a, b and c");
}

}  // namespace
}  // namespace clobber::graph
