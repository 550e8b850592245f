// The ledger check, the lost-update check and expectations on hand-made histories.
#include <algorithm>

#include <gtest/gtest.h>

#include "common/errors.h"
#include "harness/check/checks.h"
#include "harness/workload/workload_loader.h"

namespace clobber {
namespace {

const char* kCounter = R"(
name: counter
description: one hot row
tables:
  entry:
    columns: {id: int, value: bigint}
    key: id
    rows: [{id: 1, value: 400}, {id: 2, value: 0}]
transactions:
  take:
    steps:
      - read: {table: entry, key: 1, as: e}
      - write: {row: e, set: {value: e.value - 1}}
expect:
  - where: {locking: none}
    lost_updates: {min: 1}
    ledger: any
)";

/// Builds worker logs write by write.
class History {
 public:
  explicit History(int workers) : logs_(static_cast<size_t>(workers)) {}
  /// Records an attempt of `worker` that wrote row `key` of table 0 from `old_value`
  /// to `new_value`, having read the version written by `version_read`.
  uint64_t write(int worker, int64_t key, uint64_t version_read, int64_t old_value,
                 int64_t new_value, Durability durability = Durability::durable,
                 int64_t commit_ns = 0) {
    Records& log = logs_[static_cast<size_t>(worker)];
    const uint64_t id = make_txn_id(worker, log.attempts.size());
    AttemptRecord attempt;
    attempt.id = id;
    attempt.start_ns = commit_ns - 1000;
    attempt.commit_ns = commit_ns - 100;  // a transaction: COMMIT sent, returned at commit_ns
    attempt.end_ns = commit_ns;
    attempt.outcome = durability == Durability::durable ? AttemptOutcome::committed
                                                        : AttemptOutcome::indeterminate;
    attempt.first_write = static_cast<uint32_t>(log.writes.size());
    attempt.write_count = 1;
    log.attempts.push_back(attempt);
    WriteRecord write;
    write.table = 0;
    write.key = key;
    write.txn = id;
    write.version_read = version_read;
    write.sent_ns = commit_ns - 600;
    write.done_ns = commit_ns - 500;
    write.first_change = static_cast<uint32_t>(log.changes.size());
    write.change_count = 1;
    write.durability = durability;
    log.writes.push_back(write);
    log.changes.push_back(ColumnChange{1, old_value, new_value});
    return id;
  }
  /// Records the version number `id`'s write created, as RETURNING reports it.
  void created(uint64_t id, int64_t version_number) {
    for (WriteRecord& write : logs_[static_cast<size_t>(txn_worker(id))].writes)
      if (write.txn == id) write.version_number = version_number;
  }
  /// The logs the workers would have recorded: each worker's records, encoded.
  std::vector<WorkerLog> logs() const { return encode_logs(logs_); }

 private:
  std::vector<Records> logs_;  // per worker
};

class ChecksTest : public ::testing::Test {
 protected:
  Workload workload_ = load_workload_text(kCounter, "counter.yaml");
  std::vector<TableSnapshot> seed_ = {{{1, {1, 400}}, {2, {2, 0}}}};
  std::vector<bool> checked_ = {true};

  /// The final rows: row 1 holds `value`, last written by `writer`.
  static std::vector<TableSnapshot> final_state(int64_t value, uint64_t writer = 0) {
    return {{{1, {1, value, static_cast<int64_t>(writer)}}, {2, {2, 0, 0}}}};
  }
};

TEST_F(ChecksTest, SerialHistoryBalancesAndLosesNothing) {
  History h(2);
  const uint64_t a = h.write(0, 1, 0, 400, 399);
  const uint64_t b = h.write(1, 1, a, 399, 398);
  const uint64_t c = h.write(0, 1, b, 398, 397);
  const auto final = final_state(397, c);
  const LedgerResult ledger = check_ledger(workload_, checked_, seed_, final, h.logs());
  EXPECT_TRUE(ledger.balanced);
  EXPECT_EQ(ledger.lost_amount, 0);
  EXPECT_EQ(ledger.rows_checked, 2);
  const LostUpdates lost = find_lost_updates(workload_, h.logs(), final, 10);
  EXPECT_EQ(lost.count, 0);
  EXPECT_TRUE(lost.anomalies.empty());
}

TEST_F(ChecksTest, TwoWritersOfTheSameVersionLoseOne) {
  // The joint account: both read 400 from the seed; 200 is overwritten by 250.
  History h(2);
  h.write(0, 1, 0, 400, 200, Durability::durable, 3'100'000);
  const uint64_t last = h.write(1, 1, 0, 400, 250, Durability::durable, 3'400'000);
  const auto final = final_state(250, last);
  const LedgerResult ledger = check_ledger(workload_, checked_, seed_, final, h.logs());
  EXPECT_FALSE(ledger.balanced);
  ASSERT_EQ(ledger.differences.size(), 1u);
  EXPECT_EQ(ledger.differences[0].expected, 50);
  EXPECT_EQ(ledger.differences[0].actual, 250);
  EXPECT_EQ(ledger.lost_amount, 50 - 250);
  const LostUpdates lost = find_lost_updates(workload_, h.logs(), final, 10);
  EXPECT_EQ(lost.count, 1);
  ASSERT_EQ(lost.anomalies.size(), 1u);
  const Anomaly& a = lost.anomalies[0];
  EXPECT_EQ(a.type, "lost_update");
  EXPECT_EQ(a.table, "entry");
  EXPECT_EQ(a.key, 1);
  EXPECT_EQ(a.column, "value");
  EXPECT_EQ(a.version_read, 0u);
  ASSERT_EQ(a.transactions.size(), 2u);
  EXPECT_EQ(a.transactions[0].written_value, 200);
  EXPECT_EQ(
      a.explanation,
      "T0.0 and T1.0 both read entry[1].value = 400 written by the seed; T0.0 wrote 200 and "
      "committed at +3.1 ms; T1.0 wrote 250 at +3.4 ms and committed at +3.4 ms, overwriting it "
      "without having seen it: 200 was lost.");
}

TEST_F(ChecksTest, ThreeWritersOfOneVersionLoseTwo) {
  History h(3);
  const uint64_t base = h.write(0, 1, 0, 400, 399, Durability::durable, 1'000'000);
  h.write(0, 1, base, 399, 398, Durability::durable, 2'000'000);
  h.write(1, 1, base, 399, 398, Durability::durable, 3'000'000);
  const uint64_t last = h.write(2, 1, base, 399, 398, Durability::durable, 4'000'000);
  const auto final = final_state(398, last);
  const LostUpdates lost = find_lost_updates(workload_, h.logs(), final, 10);
  EXPECT_EQ(lost.count, 2);
  ASSERT_EQ(lost.anomalies.size(), 1u);
  EXPECT_EQ(lost.anomalies[0].transactions.size(), 3u);
  EXPECT_EQ(lost.anomalies[0].transactions.back().id, last);
  const LedgerResult ledger = check_ledger(workload_, checked_, seed_, final, h.logs());
  EXPECT_EQ(ledger.lost_amount, 396 - 398);
  EXPECT_EQ(ledger.lost_amount, -lost.count);
}

TEST_F(ChecksTest, OverwritesOfUnseenChainsCountEveryErasedWrite) {
  // Each worker re-reads its own last write: no two writers share a read
  // version, yet the final writer erased the two increments it never saw.
  History h(2);
  const uint64_t a1 = h.write(0, 1, 0, 400, 401, Durability::durable, 1'000'000);
  const uint64_t b1 = h.write(1, 1, a1, 401, 402, Durability::durable, 2'000'000);
  h.write(1, 1, b1, 402, 403, Durability::durable, 3'000'000);
  const uint64_t a2 = h.write(0, 1, a1, 401, 402, Durability::durable, 4'000'000);
  const auto final = final_state(402, a2);
  const LostUpdates lost = find_lost_updates(workload_, h.logs(), final, 10);
  EXPECT_EQ(lost.count, 2);
  ASSERT_EQ(lost.anomalies.size(), 1u);
  EXPECT_EQ(lost.anomalies[0].version_read, a1);
  EXPECT_NE(lost.anomalies[0].explanation.find("2 updates were lost"), std::string::npos);
  const LedgerResult ledger = check_ledger(workload_, checked_, seed_, final, h.logs());
  EXPECT_EQ(ledger.lost_amount, 404 - 402);
  EXPECT_EQ(ledger.lost_amount, lost.count);
}

TEST_F(ChecksTest, TheOverwriterIsTheFirstLaterWriteThatDidNotSeeTheLostOne) {
  // In version order: a (read the seed), b (read a), c (read the seed). b
  // replaced a having seen it; c erased both without seeing either.
  History h(2);
  const uint64_t a = h.write(0, 1, 0, 400, 399, Durability::durable, 1'000'000);
  const uint64_t b = h.write(0, 1, a, 399, 398, Durability::durable, 2'000'000);
  const uint64_t c = h.write(1, 1, 0, 400, 399, Durability::durable, 3'000'000);
  h.created(a, 1);
  h.created(b, 2);
  h.created(c, 3);
  const LostUpdates lost = find_lost_updates(workload_, h.logs(), final_state(399, c), 10);
  EXPECT_EQ(lost.count, 2);
  ASSERT_EQ(lost.anomalies.size(), 1u);
  const Anomaly& anomaly = lost.anomalies[0];
  ASSERT_EQ(anomaly.transactions.size(), 3u);
  EXPECT_EQ(anomaly.transactions[0].id, a);
  EXPECT_EQ(anomaly.transactions[1].id, b);
  EXPECT_EQ(anomaly.transactions[2].id, c);
  EXPECT_EQ(anomaly.explanation,
            "T1.0 read entry[1].value = 400 written by the seed; then T0.0 wrote 399 and committed "
            "at +1.0 ms; then T0.1 wrote 398 and committed at +2.0 ms; T1.0 wrote 399 at +3.0 ms "
            "and committed at +3.0 ms, overwriting them without having seen them: 2 updates were "
            "lost.");
}

TEST_F(ChecksTest, DiscardedWritesCountForNothing) {
  History h(2);
  const uint64_t a = h.write(0, 1, 0, 400, 399);
  h.write(1, 1, 0, 400, 399, Durability::discarded);
  const auto final = final_state(399, a);
  EXPECT_TRUE(check_ledger(workload_, checked_, seed_, final, h.logs()).balanced);
  EXPECT_EQ(find_lost_updates(workload_, h.logs(), final, 10).count, 0);
}

TEST_F(ChecksTest, IndeterminateWritesWidenTheRangeAndNeverReport) {
  History h(2);
  const uint64_t a = h.write(0, 1, 0, 400, 399);
  const uint64_t maybe = h.write(1, 1, a, 399, 398, Durability::maybe);
  for (auto [actual, writer] : {std::pair{int64_t{399}, a}, std::pair{int64_t{398}, maybe}}) {
    const auto final = final_state(actual, writer);
    EXPECT_TRUE(check_ledger(workload_, checked_, seed_, final, h.logs()).balanced) << actual;
    EXPECT_EQ(find_lost_updates(workload_, h.logs(), final, 10).count, 0);
  }
  EXPECT_FALSE(check_ledger(workload_, checked_, seed_, final_state(397), h.logs()).balanced);
}

TEST_F(ChecksTest, ChainsThroughUnrecordedWritersAreNotJudged) {
  History h(2);
  h.write(0, 1, 0, 400, 399);
  h.write(1, 1, 0, 400, 399);
  // The final version was written by something clobber did not record.
  EXPECT_EQ(find_lost_updates(workload_, h.logs(), final_state(5, 777), 10).count, 0);
}

TEST_F(ChecksTest, UncheckedTablesAreSkipped) {
  History h(1);
  EXPECT_TRUE(check_ledger(workload_, {false}, seed_, final_state(7), h.logs()).balanced);
}

TEST_F(ChecksTest, DefaultsDemandNoLostUpdatesBalancedLedgerAndInvariants) {
  CellResult cell;
  cell.isolation = Isolation::serializable;
  cell.locking = Locking::optimistic;
  cell.transactions.committed = 10;
  apply_expectations(workload_, cell);
  EXPECT_TRUE(cell.passed);
  ASSERT_EQ(cell.expectations.size(), 6u);
  EXPECT_EQ(cell.expectations[0].description, "lost_updates = 0 (default)");
  EXPECT_EQ(cell.expectations[1].description, "committed >= 1 (default)");
  EXPECT_EQ(cell.expectations[2].description, "anomalies other than lost updates = 0 (default)");
  EXPECT_EQ(cell.expectations[3].description,
            "transactions failed by an unexpected error = 0 (default)");
  cell.invariants.push_back(InvariantResult{"total", false, "= 1", "2", ""});
  apply_expectations(workload_, cell);
  EXPECT_FALSE(cell.passed);
  cell.invariants.clear();
  cell.lost_updates = 1;
  apply_expectations(workload_, cell);
  EXPECT_FALSE(cell.passed);
}

TEST_F(ChecksTest, LatencyBoundsAndCommandLineThresholds) {
  Workload workload =
      load_workload_text(std::string(kCounter) + R"(  - where: {isolation: serializable}
    latency_ms.p99: {max: 50}
)",
                         "counter.yaml");
  CellResult cell;
  cell.isolation = Isolation::serializable;
  cell.locking = Locking::for_update;
  cell.transactions.committed = 10;
  cell.latency_ms = {5, 20, 49.5, 80};
  apply_expectations(workload, cell);
  EXPECT_TRUE(cell.passed);
  cell.latency_ms.p99 = 50.5;
  apply_expectations(workload, cell);
  EXPECT_FALSE(cell.passed);
  EXPECT_TRUE(std::any_of(cell.expectations.begin(), cell.expectations.end(), [](const auto& e) {
    return e.description == "latency_ms.p99 <= 50 (counter.yaml:19:5)" && !e.passed &&
           e.actual == "50.5";
  }));

  // A command-line threshold is a rule over every cell; it replaces the
  // default for its metric and names --fail-on.
  ExpectRule thresholds;
  thresholds.bounds = {parse_fail_on("lost_updates>2"), parse_fail_on("abort_rate>20%"),
                       parse_fail_on("latency_ms.max<1")};
  workload.expect.push_back(thresholds);
  cell.latency_ms.p99 = 10;
  cell.lost_updates = 2;
  apply_expectations(workload, cell);
  EXPECT_TRUE(cell.passed);
  EXPECT_TRUE(std::any_of(cell.expectations.begin(), cell.expectations.end(), [](const auto& e) {
    return e.description == "lost_updates <= 2 (--fail-on)";
  }));
  EXPECT_FALSE(std::any_of(cell.expectations.begin(), cell.expectations.end(), [](const auto& e) {
    return e.description == "lost_updates = 0 (default)";
  }));
  cell.lost_updates = 3;
  apply_expectations(workload, cell);
  EXPECT_FALSE(cell.passed);
  cell.lost_updates = 0;
  cell.aborts.serialization = 30;  // of 30 + 10 attempts
  apply_expectations(workload, cell);
  EXPECT_FALSE(cell.passed);
}

TEST(FailOn, RefusesWhatIsNotAThreshold) {
  const auto message = [](const std::string& text) {
    try {
      parse_fail_on(text);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message("lost>0").rfind("--fail-on: 'lost>0', column 1: unknown metric 'lost'", 0), 0u)
      << message("lost>0");
  EXPECT_NE(message("lost_updates>=1").find("column 13: '>=' is not a threshold"),
            std::string::npos)
      << message("lost_updates>=1");
  EXPECT_NE(message("lost_updates").find("no > or <"), std::string::npos);
  EXPECT_NE(message("lost_updates>x").find("column 14: 'x' is not a number"), std::string::npos)
      << message("lost_updates>x");
  EXPECT_EQ(parse_fail_on("abort_rate > 25%").max, 0.25);
  EXPECT_EQ(parse_fail_on("committed<100").min, 100);
}

TEST_F(ChecksTest, NoGreenWithoutARun) {
  CellResult cell;
  cell.isolation = Isolation::serializable;
  cell.locking = Locking::optimistic;
  apply_expectations(workload_, cell);
  EXPECT_FALSE(cell.passed);  // nothing committed
  cell.transactions.committed = 10;
  cell.transactions.failed = 2;
  cell.transactions.failed_by_error = 2;
  cell.errors = {CellError{"NOTFOUND", "no row with key 7", 2}};
  apply_expectations(workload_, cell);
  EXPECT_FALSE(cell.passed);  // failures by an unexpected error
  EXPECT_EQ(cell.expectations[3].actual, "2 (NOTFOUND: no row with key 7)");
  cell.transactions.failed_by_error = 0;
  apply_expectations(workload_, cell);
  EXPECT_TRUE(cell.passed);  // failed by expected aborts (conflicts, lost connections)
}

TEST_F(ChecksTest, RulesReplaceDefaultsForTheCellsTheySelect) {
  CellResult cell;
  cell.transactions.committed = 10;
  cell.locking = Locking::none;
  cell.lost_updates = 0;
  cell.ledger.balanced = false;
  apply_expectations(workload_, cell);
  EXPECT_FALSE(cell.passed);  // the race had to show
  EXPECT_TRUE(std::any_of(cell.expectations.begin(), cell.expectations.end(), [](const auto& e) {
    return e.description == "lost_updates >= 1 (counter.yaml:16:5)";
  }));
  cell.lost_updates = 3;
  apply_expectations(workload_, cell);
  EXPECT_TRUE(cell.passed);  // and the unbalanced ledger is allowed there
}

TEST_F(ChecksTest, DependencyAnomaliesFailByDefaultButLostUpdatesAreBoundedApart) {
  CellResult cell;
  cell.transactions.committed = 10;
  cell.locking = Locking::none;  // the rule expects lost updates here
  cell.lost_updates = 3;
  cell.anomaly_counts = {{"lost_update", 2}};
  apply_expectations(workload_, cell);
  EXPECT_TRUE(cell.passed);
  cell.anomaly_counts.push_back({"G2-item", 1});
  cell.anomaly_counts.push_back({"G-single", 2});
  apply_expectations(workload_, cell);
  EXPECT_FALSE(cell.passed);
  // lost updates, committed, other anomalies, unexpected errors, invariants
  ASSERT_EQ(cell.expectations.size(), 5u);
  EXPECT_EQ(cell.expectations[2].description, "anomalies other than lost updates = 0 (default)");
  EXPECT_FALSE(cell.expectations[2].passed);
  EXPECT_EQ(cell.expectations[2].actual, "3");
}

TEST_F(ChecksTest, ARuleOnAnomaliesReplacesTheDefault) {
  const Workload skew = load_workload_text(R"(
name: skew
description: write skew expected at repeatable read
tables:
  doctors:
    columns: {id: int, on_call: bigint}
    key: id
    rows: [{id: 1, on_call: 1}]
transactions:
  off:
    steps:
      - read: {table: doctors, key: 1, as: d}
      - write: {row: d, set: {on_call: 0}}
expect:
  - where: {isolation: repeatable_read}
    anomalies: {min: 1}
)",
                                           "skew.yaml");
  CellResult cell;
  cell.transactions.committed = 10;
  cell.isolation = Isolation::repeatable_read;
  cell.anomaly_counts = {{"G2-item", 4}};
  cell.anomalies_total = 4;
  apply_expectations(skew, cell);
  EXPECT_TRUE(cell.passed);
  for (const ExpectationResult& e : cell.expectations)
    EXPECT_EQ(e.description.find("anomalies other than"), std::string::npos);
  cell.isolation = Isolation::serializable;
  apply_expectations(skew, cell);
  EXPECT_FALSE(cell.passed);
}

}  // namespace
}  // namespace clobber
