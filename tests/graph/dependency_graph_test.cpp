// The dependency-graph check on hand-built histories: each anomaly class gives
// exactly the expected anomaly and witness, clean and indeterminate histories
// give none.
#include <gtest/gtest.h>

#include <tuple>

#include "harness/check/dependency_graph.h"
#include "harness/workload/workload_loader.h"

namespace clobber {
namespace {

const char* kWorkload = R"(
name: graph
description: doctors on call and two accounts
tables:
  doctors:
    columns: {id: int, on_call: bigint}
    key: id
    rows: [{id: 1, on_call: 1}, {id: 2, on_call: 1}, {id: 3, on_call: 1}]
  accounts:
    columns: {id: int, balance: bigint}
    key: id
    rows: [{id: 1, balance: 50}, {id: 2, balance: 50}]
transactions:
  go_off_call:
    params: {me: {choice: [1, 2]}}
    steps:
      - read: {table: doctors, key: me, as: self}
      - read: {table: doctors, key: 3 - me, as: other}
      - write: {row: self, set: {on_call: 0}}
  transfer:
    params: {amount: 10}
    steps:
      - read: {table: accounts, key: 1, as: a}
      - read: {table: accounts, key: 2, as: b}
      - write: {row: a, set: {balance: a.balance - amount}}
      - write: {row: b, set: {balance: b.balance + amount}}
  audit:
    steps:
      - read: {table: accounts, key: 1, as: a}
      - read: {table: accounts, key: 2, as: b}
  report:
    steps:
      - sql: SELECT COUNT(*) FROM doctors
)";

constexpr uint32_t kDoctors = 0;
constexpr uint32_t kAccounts = 1;
constexpr uint32_t kGoOffCall = 0, kTransfer = 1, kAudit = 2;

/// Builds worker logs attempt by attempt; records go to the worker's last attempt.
class History {
 public:
  explicit History(int workers) : logs_(static_cast<size_t>(workers)) {}

  /// Starts an attempt of `worker` and returns its id.
  uint64_t begin(int worker, uint32_t type, AttemptOutcome outcome = AttemptOutcome::committed,
                 AbortCause cause = AbortCause::none) {
    Records& log = logs_[static_cast<size_t>(worker)];
    AttemptRecord attempt;
    attempt.id = make_txn_id(worker, log.attempts.size());
    attempt.type = type;
    attempt.outcome = outcome;
    attempt.cause = cause;
    attempt.start_ns = clock_ += 1'000'000;
    attempt.end_ns = clock_ + 500'000;
    attempt.first_read = static_cast<uint32_t>(log.reads.size());
    attempt.first_write = static_cast<uint32_t>(log.writes.size());
    log.attempts.push_back(attempt);
    return attempt.id;
  }

  /// `txn` read row `key` of `table`: the version `number` written by `writer`.
  void read(uint64_t txn, uint32_t table, int64_t key, uint64_t writer, int64_t number,
            int64_t value) {
    Records& log = last(txn);
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

  /// `txn` wrote row `key` of `table` from `old_value` to `new_value`, having
  /// read `version_read`'s version; it replaced `overwrote`'s and created
  /// version `number` (kUnknownVersion and 0 when the database does not say).
  void write(uint64_t txn, uint32_t table, int64_t key, uint64_t version_read, uint64_t overwrote,
             int64_t number, int64_t old_value, int64_t new_value) {
    Records& log = last(txn);
    const AttemptOutcome outcome = log.attempts.back().outcome;
    WriteRecord w;
    w.table = table;
    w.key = key;
    w.txn = txn;
    w.version_read = version_read;
    w.overwrote = overwrote;
    w.version_number = number;
    w.first_change = static_cast<uint32_t>(log.changes.size());
    w.change_count = 1;
    w.durability = outcome == AttemptOutcome::committed       ? Durability::durable
                   : outcome == AttemptOutcome::indeterminate ? Durability::maybe
                                                              : Durability::discarded;
    log.changes.push_back(ColumnChange{1, old_value, new_value});
    log.writes.push_back(w);
    ++log.attempts.back().write_count;
  }

  /// The logs the workers would have recorded: each worker's records, encoded.
  std::vector<WorkerLog> logs() const { return encode_logs(logs_); }

 private:
  Records& last(uint64_t txn) {
    Records& log = logs_[static_cast<size_t>(txn_worker(txn))];
    EXPECT_EQ(log.attempts.back().id, txn) << "records go to the worker's last attempt";
    return log;
  }

  std::vector<Records> logs_;  // per worker
  int64_t clock_ = 0;
};

/// Final rows: every doctor on call and both accounts at 50, written by the
/// seed, except where `set` says (table, key, value, writer).
struct FinalRow {
  uint32_t table;
  int64_t key;
  int64_t value;
  uint64_t writer;
};
std::vector<TableSnapshot> final_state(std::initializer_list<FinalRow> set) {
  std::vector<TableSnapshot> state = {{{1, {1, 1, 0}}, {2, {2, 1, 0}}, {3, {3, 1, 0}}},
                                      {{1, {1, 50, 0}}, {2, {2, 50, 0}}}};
  for (const FinalRow& row : set)
    state[row.table][row.key] = {row.key, row.value, static_cast<int64_t>(row.writer)};
  return state;
}

class DependencyGraphTest : public ::testing::Test {
 protected:
  DependencyGraph check(const History& h, const std::vector<TableSnapshot>& final,
                        size_t max_listed = 100) {
    return check_dependency_graph(workload_, h.logs(), final, max_listed);
  }
  /// Two doctors on call each check the other and go off call: write skew.
  /// Both read doctors[1] and doctors[2] as version `number` written by `d1`
  /// and `d2`; `unknown` records the writes as MySQL does outside atomic mode.
  std::pair<uint64_t, uint64_t> write_skew(History& h, AttemptOutcome second, bool unknown = false,
                                           uint64_t d1 = 0, uint64_t d2 = 0, int64_t number = 0) {
    const uint64_t a = h.begin(0, kGoOffCall);
    h.read(a, kDoctors, 1, d1, number, 1);
    h.read(a, kDoctors, 2, d2, number, 1);
    h.write(a, kDoctors, 1, d1, unknown ? kUnknownVersion : d1, unknown ? 0 : number + 1, 1, 0);
    const uint64_t b = h.begin(1, kGoOffCall, second);
    h.read(b, kDoctors, 2, d2, number, 1);
    h.read(b, kDoctors, 1, d1, number, 1);
    h.write(b, kDoctors, 2, d2, unknown ? kUnknownVersion : d2, unknown ? 0 : number + 1, 1, 0);
    return {a, b};
  }

  Workload workload_ = load_workload_text(kWorkload, "graph.yaml");
};

std::vector<std::string> types(const DependencyGraph& g) {
  std::vector<std::string> out;
  for (const Anomaly& a : g.anomalies) out.push_back(a.type);
  return out;
}

TEST_F(DependencyGraphTest, WriteSkewIsG2Item) {
  History h(2);
  const auto [a, b] = write_skew(h, AttemptOutcome::committed);
  const auto final = final_state({{kDoctors, 1, 0, a}, {kDoctors, 2, 0, b}});
  const DependencyGraph g = check(h, final);
  ASSERT_EQ(types(g), std::vector<std::string>{"G2-item"});
  EXPECT_EQ(g.total, 1);
  ASSERT_EQ(g.counts.size(), 1u);
  EXPECT_EQ(g.counts[0].type, "G2-item");
  EXPECT_EQ(g.counts[0].count, 1);
  EXPECT_EQ(g.transactions, 2);
  const Anomaly& w = g.anomalies[0];
  EXPECT_EQ(w.table, "doctors");
  EXPECT_EQ(w.key, 2);
  EXPECT_EQ(w.column, "on_call");
  ASSERT_EQ(w.rows.size(), 2u);
  EXPECT_EQ(w.rows[0].key, 2);
  EXPECT_EQ(w.rows[1].key, 1);
  ASSERT_EQ(w.transactions.size(), 2u);
  EXPECT_EQ(w.transactions[0].id, a);
  EXPECT_EQ(w.transactions[0].type, "go_off_call");
  EXPECT_EQ(w.transactions[0].read_value, 1);  // of doctors[2], the row of its edge
  EXPECT_EQ(w.transactions[1].id, b);
  EXPECT_EQ(w.transactions[1].worker, 1);
  ASSERT_EQ(w.edges.size(), 2u);
  EXPECT_EQ(w.edges[0].from, a);
  EXPECT_EQ(w.edges[0].to, b);
  EXPECT_EQ(w.edges[0].kind, "rw");
  EXPECT_EQ(w.edges[0].table, "doctors");
  EXPECT_EQ(w.edges[0].key, 2);
  EXPECT_EQ(w.edges[0].explanation,
            "T0.0 read doctors[2].on_call = 1 written by the seed; T1.0 wrote the next version "
            "of doctors[2] (rw): T0.0 did not see it");
  EXPECT_EQ(w.edges[1].explanation,
            "T1.0 read doctors[1].on_call = 1 written by the seed; T0.0 wrote the next version "
            "of doctors[1] (rw): T1.0 did not see it");
  EXPECT_EQ(w.rules_out, std::vector<std::string>{"serializable"});
  EXPECT_EQ(w.explanation,
            "Write skew (G2-item): T0.0 and T1.0 each read a row the other then wrote "
            "(doctors[2] and doctors[1]), neither seeing the other's write; no serial order of "
            "these transactions gives what they read and wrote, which rules out serializable.");
  EXPECT_TRUE(g.notes.empty());
  EXPECT_EQ(find_lost_updates(workload_, h.logs(), final, 100).count, 0);
}

TEST_F(DependencyGraphTest, BatchesOfRowsBoundItsArraysAndChangeNothing) {
  // 3,000 read-then-writes in turn on the five rows, each over the last version.
  History h(4);
  struct Row {
    uint32_t table;
    int64_t key;
    uint64_t writer = 0;
    int64_t number = 0;
    int64_t value = 1;
  };
  std::vector<Row> rows = {
      {kAccounts, 1}, {kAccounts, 2}, {kDoctors, 1}, {kDoctors, 2}, {kDoctors, 3}};
  for (int i = 0; i < 3000; ++i) {
    Row& row = rows[static_cast<size_t>(i) % rows.size()];
    const uint64_t t = h.begin(i % 4, kTransfer);
    h.read(t, row.table, row.key, row.writer, row.number, row.value);
    h.write(t, row.table, row.key, row.writer, row.writer, row.number + 1, row.value,
            row.value + 1);
    row = Row{row.table, row.key, t, row.number + 1, row.value + 1};
  }
  std::vector<TableSnapshot> final(2);
  for (const Row& row : rows)
    final[row.table][row.key] = {row.key, row.value, static_cast<int64_t>(row.writer)};
  const std::vector<WorkerLog> logs = h.logs();
  const DependencyGraph whole = check_dependency_graph(workload_, logs, final, 100);
  const DependencyGraph batched = check_dependency_graph(workload_, logs, final, 100, 1);
  EXPECT_EQ(whole.transactions, 3000);
  EXPECT_EQ(whole.edges, 2995);  // a ww edge into every write but each row's first
  EXPECT_EQ(batched.transactions, whole.transactions);
  EXPECT_EQ(batched.edges, whole.edges);
  EXPECT_EQ(batched.total, 0);
  EXPECT_EQ(whole.total, 0);
  // A row at a time, the rows' records never take the room of all of them.
  EXPECT_LT(batched.peak_bytes, whole.peak_bytes);
}

TEST_F(DependencyGraphTest, ReadSkewIsGSingle) {
  History h(2);
  const uint64_t t = h.begin(0, kTransfer);
  h.read(t, kAccounts, 1, 0, 0, 50);
  h.read(t, kAccounts, 2, 0, 0, 50);
  h.write(t, kAccounts, 1, 0, 0, 1, 50, 40);
  h.write(t, kAccounts, 2, 0, 0, 1, 50, 60);
  const uint64_t u = h.begin(1, kAudit);
  h.read(u, kAccounts, 1, 0, 0, 50);
  h.read(u, kAccounts, 2, t, 1, 60);
  const DependencyGraph g = check(h, final_state({{kAccounts, 1, 40, t}, {kAccounts, 2, 60, t}}));
  ASSERT_EQ(types(g), std::vector<std::string>{"G-single"});
  const Anomaly& s = g.anomalies[0];
  ASSERT_EQ(s.edges.size(), 2u);
  EXPECT_EQ(s.edges[0].kind, "wr");
  EXPECT_EQ(s.edges[0].from, t);
  EXPECT_EQ(s.edges[0].explanation,
            "T0.0 wrote accounts[2].balance = 60 and T1.0 read it (wr): it saw that write");
  EXPECT_EQ(s.edges[1].kind, "rw");
  EXPECT_EQ(s.edges[1].from, u);
  EXPECT_EQ(s.edges[1].explanation,
            "T1.0 read accounts[1].balance = 50 written by the seed; T0.0 wrote the next version "
            "of accounts[1] (rw): T1.0 did not see it");
  EXPECT_EQ(s.rules_out, (std::vector<std::string>{"repeatable_read", "serializable"}));
  EXPECT_EQ(s.explanation,
            "Read skew (G-single): T1.0 saw a write of accounts[2] by T0.0 but did not see its "
            "write of accounts[1]; no serial order of these transactions gives what they read and "
            "wrote, which rules out repeatable_read and serializable.");
  EXPECT_EQ(s.transactions[0].written_value, 60);
  EXPECT_EQ(s.transactions[1].read_value, 50);
}

TEST_F(DependencyGraphTest, WriteCycleIsG0) {
  History h(2);
  const uint64_t t = h.begin(0, kTransfer);
  const uint64_t u = h.begin(1, kTransfer);
  h.write(t, kAccounts, 1, 0, 0, 1, 50, 40);
  h.write(u, kAccounts, 2, 0, 0, 1, 50, 45);
  h.write(u, kAccounts, 1, t, t, 2, 40, 35);
  h.write(t, kAccounts, 2, u, u, 2, 45, 55);
  const DependencyGraph g = check(h, final_state({{kAccounts, 1, 35, u}, {kAccounts, 2, 55, t}}));
  ASSERT_EQ(types(g), std::vector<std::string>{"G0"});
  const Anomaly& a = g.anomalies[0];
  ASSERT_EQ(a.edges.size(), 2u);
  EXPECT_EQ(a.edges[0].kind, "ww");
  EXPECT_EQ(a.edges[0].explanation,
            "T0.0 wrote accounts[1].balance = 40; T1.0 wrote the next version of accounts[1], "
            "balance = 35 (ww): it overwrote that write");
  EXPECT_EQ(a.edges[1].kind, "ww");
  EXPECT_EQ(a.edges[1].key, 2);
  EXPECT_EQ(a.rules_out, (std::vector<std::string>{"read_uncommitted", "read_committed",
                                                   "repeatable_read", "serializable"}));
  EXPECT_EQ(a.explanation.rfind("Dirty write (G0): T0.0 and T1.0 overwrote one another's", 0), 0u);
}

TEST_F(DependencyGraphTest, ReadOfAnAbortedWriteIsG1a) {
  History h(2);
  const uint64_t a = h.begin(0, kGoOffCall, AttemptOutcome::aborted, AbortCause::deadlock);
  h.read(a, kDoctors, 1, 0, 0, 1);
  h.write(a, kDoctors, 1, 0, 0, 1, 1, 0);
  const uint64_t b = h.begin(1, kGoOffCall);
  h.read(b, kDoctors, 1, a, 1, 0);
  h.read(b, kDoctors, 2, 0, 0, 1);
  const DependencyGraph g = check(h, final_state({}));
  ASSERT_EQ(types(g), std::vector<std::string>{"G1a"});
  const Anomaly& d = g.anomalies[0];
  EXPECT_EQ(d.version_read, a);
  ASSERT_EQ(d.transactions.size(), 2u);
  EXPECT_EQ(d.transactions[0].id, a);
  EXPECT_EQ(d.transactions[1].id, b);
  ASSERT_EQ(d.edges.size(), 1u);
  EXPECT_EQ(d.edges[0].kind, "wr");
  EXPECT_EQ(d.rules_out,
            (std::vector<std::string>{"read_committed", "repeatable_read", "serializable"}));
  EXPECT_EQ(d.explanation,
            "Aborted read (G1a): T1.0 committed having read doctors[1].on_call = 0, written by "
            "T0.0, which aborted (deadlock) and was rolled back; this rules out read_committed, "
            "repeatable_read and serializable.");
}

TEST_F(DependencyGraphTest, ReadOfAnIntermediateVersionIsG1b) {
  History h(2);
  const uint64_t a = h.begin(0, kTransfer);
  h.write(a, kAccounts, 1, 0, 0, 1, 50, 0);
  h.write(a, kAccounts, 1, 0, a, 2, 0, 50);
  const uint64_t b = h.begin(1, kAudit);
  h.read(b, kAccounts, 1, a, 1, 0);
  const DependencyGraph g = check(h, final_state({{kAccounts, 1, 50, a}}));
  ASSERT_EQ(types(g), std::vector<std::string>{"G1b"});
  EXPECT_EQ(g.anomalies[0].explanation,
            "Intermediate read (G1b): T1.0 committed having read accounts[1].balance = 0 "
            "(version 1), which T0.0 replaced itself with version 2 before committing; this "
            "rules out read_committed, repeatable_read and serializable.");
}

TEST_F(DependencyGraphTest, CircularInformationFlowIsG1c) {
  History h(2);
  const uint64_t a = h.begin(0, kTransfer);
  const uint64_t b = h.begin(1, kTransfer);
  h.write(a, kAccounts, 1, 0, 0, 1, 50, 40);
  h.read(b, kAccounts, 1, a, 1, 40);
  h.write(b, kAccounts, 2, 0, 0, 1, 50, 60);
  h.read(a, kAccounts, 2, b, 1, 60);
  const DependencyGraph g = check(h, final_state({{kAccounts, 1, 40, a}, {kAccounts, 2, 60, b}}));
  ASSERT_EQ(types(g), std::vector<std::string>{"G1c"});
  const Anomaly& c = g.anomalies[0];
  ASSERT_EQ(c.edges.size(), 2u);
  EXPECT_EQ(c.edges[0].kind, "wr");
  EXPECT_EQ(c.edges[1].kind, "wr");
  EXPECT_EQ(c.rules_out,
            (std::vector<std::string>{"read_committed", "repeatable_read", "serializable"}));
}

TEST_F(DependencyGraphTest, LostUpdatesAreNotReportedAgainAsGSingle) {
  History h(2);
  const uint64_t a = h.begin(0, kGoOffCall);
  h.read(a, kDoctors, 1, 0, 0, 1);
  h.write(a, kDoctors, 1, 0, 0, 1, 1, 0);
  const uint64_t b = h.begin(1, kGoOffCall);
  h.read(b, kDoctors, 1, 0, 0, 1);
  h.write(b, kDoctors, 1, 0, a, 2, 1, 0);
  const auto final = final_state({{kDoctors, 1, 0, b}});
  EXPECT_EQ(find_lost_updates(workload_, h.logs(), final, 100).count, 1);
  const DependencyGraph g = check(h, final);
  EXPECT_TRUE(g.anomalies.empty());
  EXPECT_EQ(g.total, 0);
}

TEST_F(DependencyGraphTest, CyclesThroughALostUpdateAreNotReported) {
  // MySQL's REPEATABLE READ: a reads both doctors from its snapshot; a shift
  // change s and a request x commit meanwhile; a's write of doctors[1] then
  // overwrites x's unseen. a -rw-> s -wr-> x -ww-> a is a cycle only because
  // of that lost update, which find_lost_updates reports.
  History h(3);
  const uint64_t a = h.begin(0, kGoOffCall);
  h.read(a, kDoctors, 1, 0, 0, 1);
  h.read(a, kDoctors, 2, 0, 0, 1);
  const uint64_t s = h.begin(1, kGoOffCall);
  h.read(s, kDoctors, 2, 0, 0, 1);
  h.write(s, kDoctors, 2, 0, 0, 1, 1, 0);
  const uint64_t x = h.begin(2, kGoOffCall);
  h.read(x, kDoctors, 1, 0, 0, 1);
  h.read(x, kDoctors, 2, s, 1, 0);
  h.write(x, kDoctors, 1, 0, 0, 1, 1, 1);
  h.write(a, kDoctors, 1, 0, x, 2, 1, 0);
  const auto final = final_state({{kDoctors, 1, 0, a}, {kDoctors, 2, 0, s}});
  EXPECT_EQ(find_lost_updates(workload_, h.logs(), final, 100).count, 1);
  const DependencyGraph g = check(h, final);
  EXPECT_TRUE(g.anomalies.empty());
  EXPECT_EQ(g.total, 0);
}

TEST_F(DependencyGraphTest, SerialHistoriesHaveNoAnomalies) {
  History h(3);
  uint64_t d1 = 0, d2 = 0;
  int64_t n1 = 0, n2 = 0, v1 = 1, v2 = 1;
  for (int i = 0; i < 30; ++i) {
    const uint64_t t = h.begin(i % 3, kGoOffCall);
    h.read(t, kDoctors, 1, d1, n1, v1);
    h.read(t, kDoctors, 2, d2, n2, v2);
    if (i % 2 == 0) {
      h.write(t, kDoctors, 1, d1, d1, ++n1, v1, 1 - v1);
      d1 = t;
      v1 = 1 - v1;
    } else {
      h.write(t, kDoctors, 2, d2, d2, ++n2, v2, 1 - v2);
      d2 = t;
      v2 = 1 - v2;
    }
    const uint64_t audit = h.begin((i + 1) % 3, kAudit);
    h.read(audit, kDoctors, 1, d1, n1, v1);
    h.read(audit, kDoctors, 2, d2, n2, v2);
  }
  const DependencyGraph g = check(h, final_state({{kDoctors, 1, v1, d1}, {kDoctors, 2, v2, d2}}));
  EXPECT_TRUE(g.anomalies.empty());
  EXPECT_TRUE(g.counts.empty());
  EXPECT_EQ(g.total, 0);
  EXPECT_EQ(g.transactions, 60);
  // Per transaction: a ww edge to the next writer of its row (but the last),
  // wr edges to every later reader of a version it wrote, rw edges from
  // readers that did not write to the next writer.
  EXPECT_GT(g.edges, 0);
  EXPECT_TRUE(g.notes.empty());
}

TEST_F(DependencyGraphTest, AMoreSpecificCycleWinsInItsComponent) {
  // T and V write-skew each other (two rw edges); the audit U read-skews T
  // (one rw edge). All three are one component: G-single is reported.
  History h(3);
  const uint64_t t = h.begin(0, kTransfer);
  h.read(t, kAccounts, 1, 0, 0, 50);
  h.read(t, kDoctors, 3, 0, 0, 1);
  h.write(t, kAccounts, 1, 0, 0, 1, 50, 40);
  h.write(t, kAccounts, 2, 0, 0, 1, 50, 60);
  const uint64_t v = h.begin(1, kGoOffCall);
  h.read(v, kAccounts, 1, 0, 0, 50);
  h.write(v, kDoctors, 3, 0, 0, 1, 1, 0);
  const uint64_t u = h.begin(2, kAudit);
  h.read(u, kAccounts, 1, 0, 0, 50);
  h.read(u, kAccounts, 2, t, 1, 60);
  const DependencyGraph g =
      check(h, final_state({{kAccounts, 1, 40, t}, {kAccounts, 2, 60, t}, {kDoctors, 3, 0, v}}));
  ASSERT_EQ(types(g), std::vector<std::string>{"G-single"});
  EXPECT_EQ(g.anomalies[0].transactions.size(), 2u);
  EXPECT_EQ(g.anomalies[0].transactions[0].id, t);
  EXPECT_EQ(g.anomalies[0].transactions[1].id, u);
  EXPECT_NE(g.anomalies[0].explanation.find("among 3 transactions"), std::string::npos);
}

TEST_F(DependencyGraphTest, ListsAtMostMaxListedButCountsAll) {
  // Three write skews one after the other, each pair reading the last one's writes.
  History h(2);
  uint64_t d1 = 0, d2 = 0;
  for (int64_t n = 0; n < 3; ++n)
    std::tie(d1, d2) = write_skew(h, AttemptOutcome::committed, false, d1, d2, n);
  const DependencyGraph g = check(h, final_state({{kDoctors, 1, 0, d1}, {kDoctors, 2, 0, d2}}), 2);
  EXPECT_EQ(types(g), (std::vector<std::string>{"G2-item", "G2-item"}));
  EXPECT_EQ(g.total, 3);
  ASSERT_EQ(g.counts.size(), 1u);
  EXPECT_EQ(g.counts[0].count, 3);
}

TEST_F(DependencyGraphTest, IndeterminateWriteHeldByTheFinalRowCounts) {
  History h(2);
  const auto [a, b] = write_skew(h, AttemptOutcome::indeterminate);
  const DependencyGraph g = check(h, final_state({{kDoctors, 1, 0, a}, {kDoctors, 2, 0, b}}));
  ASSERT_EQ(types(g), std::vector<std::string>{"G2-item"});
  ASSERT_EQ(g.notes.size(), 1u);
  EXPECT_EQ(g.notes[0].rfind("1 of 1 indeterminate attempts", 0), 0u);
}

TEST_F(DependencyGraphTest, UnprovenIndeterminateWritesNeverReport) {
  History h(2);
  const auto [a, b] = write_skew(h, AttemptOutcome::indeterminate);
  (void)b;
  const DependencyGraph g = check(h, final_state({{kDoctors, 1, 0, a}}));
  EXPECT_TRUE(g.anomalies.empty());
  EXPECT_EQ(g.transactions, 1);
  ASSERT_EQ(g.notes.size(), 1u);
  EXPECT_EQ(g.notes[0].rfind("0 of 1 indeterminate attempts", 0), 0u);
}

TEST_F(DependencyGraphTest, ReadOfAnIndeterminateWriteIsNoAbortedRead) {
  History h(2);
  const uint64_t a = h.begin(0, kGoOffCall, AttemptOutcome::indeterminate);
  h.read(a, kDoctors, 1, 0, 0, 1);
  h.write(a, kDoctors, 1, 0, 0, 1, 1, 0);
  const uint64_t b = h.begin(1, kAudit);
  h.read(b, kDoctors, 1, a, 1, 0);
  const uint64_t c = h.begin(1, kGoOffCall);
  h.read(c, kDoctors, 1, a, 1, 0);
  h.write(c, kDoctors, 1, a, a, 2, 0, 1);
  const DependencyGraph g = check(h, final_state({{kDoctors, 1, 1, c}}));
  EXPECT_TRUE(g.anomalies.empty());
  EXPECT_EQ(g.transactions, 3);  // b and c saw a's write: a committed
}

TEST_F(DependencyGraphTest, UnnumberedWritesArePlacedByTheFinalRow) {
  // MySQL outside atomic mode: writes report no version; the final rows hold
  // both, so each is the last version of its row.
  History h(2);
  const auto [a, b] = write_skew(h, AttemptOutcome::committed, true);
  const DependencyGraph g = check(h, final_state({{kDoctors, 1, 0, a}, {kDoctors, 2, 0, b}}));
  ASSERT_EQ(types(g), std::vector<std::string>{"G2-item"});
  EXPECT_EQ(g.anomalies[0].edges[0].explanation,
            "T0.0 read doctors[2].on_call = 1 written by the seed; T1.0 wrote a later version "
            "of doctors[2] (rw): T0.0 did not see it");
}

TEST_F(DependencyGraphTest, UnplacedWritesAssumeNothing) {
  // Neither write was numbered, read or kept by the final row (a later
  // unrecorded writer holds it): no order, no edge, no report.
  History h(2);
  write_skew(h, AttemptOutcome::committed, true);
  const DependencyGraph g = check(h, final_state({{kDoctors, 1, 0, 999}, {kDoctors, 2, 0, 999}}));
  EXPECT_TRUE(g.anomalies.empty());
  EXPECT_EQ(g.edges, 0);
  ASSERT_EQ(g.notes.size(), 1u);
  EXPECT_EQ(g.notes[0].rfind("2 committed writes could not be placed", 0), 0u);
}

TEST_F(DependencyGraphTest, ContradictoryVersionNumbersAssumeNothing) {
  History h(2);
  const uint64_t a = h.begin(0, kGoOffCall);
  h.read(a, kDoctors, 2, 0, 0, 1);
  h.write(a, kDoctors, 1, 0, 0, 1, 1, 0);
  const uint64_t b = h.begin(1, kGoOffCall);
  h.read(b, kDoctors, 1, 0, 0, 1);
  h.write(b, kDoctors, 2, 0, 0, 1, 1, 0);
  const uint64_t c = h.begin(1, kGoOffCall);
  h.write(c, kDoctors, 1, 0, 0, 1, 1, 0);  // the same version number as a's
  const DependencyGraph g = check(h, final_state({{kDoctors, 1, 0, c}, {kDoctors, 2, 0, b}}));
  EXPECT_TRUE(g.anomalies.empty());
  ASSERT_EQ(g.notes.size(), 1u);
  EXPECT_EQ(g.notes[0].rfind("1 rows had contradictory version numbers", 0), 0u);
}

TEST_F(DependencyGraphTest, RawSqlStepsAreNoted) {
  const auto note = raw_sql_note(workload_);
  ASSERT_TRUE(note);
  EXPECT_NE(note->find("'report' at graph.yaml:"), std::string::npos);
  Workload without = workload_;
  without.transactions.pop_back();
  EXPECT_FALSE(raw_sql_note(without));
}

}  // namespace
}  // namespace clobber
