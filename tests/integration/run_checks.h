// Shared helpers of the integration suites: load a test workload, run one
// cell, and assert the exact facts every run must satisfy.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "drivers/url.h"
#include "harness/history/history.h"
#include "harness/runner/run.h"
#include "harness/workload/workload_loader.h"
#include "tests/common/clobber_binary.h"

namespace clobber::testing {

/// A workload from tests/integration/workloads/.
inline Workload test_workload(const std::string& name) {
  return load_workload_file(std::string(CLOBBER_SOURCE_DIR) + "/tests/integration/workloads/" +
                            name);
}

/// The URL in an environment variable; fails the test when it is missing.
inline std::optional<DatabaseUrl> url_from_env(const char* variable) {
  const std::string text = server_url(variable);
  if (text.empty()) return std::nullopt;
  return parse_database_url(text);
}

/// Runs one (isolation, locking) cell of `workload` on `url` and returns it.
inline CellResult run_one(const Workload& workload, const DatabaseUrl& url, Isolation isolation,
                          Locking locking, uint64_t seed = 42,
                          std::optional<int64_t> transactions = std::nullopt) {
  RunOptions options;
  options.transactions = transactions;
  options.databases = {url};
  options.isolation = std::vector{isolation};
  options.locking = std::vector{locking};
  options.seed = seed;
  RunResult run = run_workload(workload, options);
  EXPECT_EQ(run.cells.size(), 1u);
  return run.cells.at(0);
}

/// Facts that hold in every cell that ran: outcomes add up, the lost amount is
/// the sum of expected minus actual, and the counts agree with each other.
inline void expect_consistent(const CellResult& cell) {
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  const TransactionCounts& t = cell.transactions;
  EXPECT_EQ(t.attempted, t.committed + t.rejected + t.failed + t.indeterminate);
  EXPECT_EQ(t.indeterminate, 0);
  int64_t expected_minus_actual = 0;
  for (const RowDifference& d : cell.ledger.differences)
    expected_minus_actual += d.expected - d.actual;
  ASSERT_EQ(cell.ledger.differences_total, static_cast<int64_t>(cell.ledger.differences.size()));
  EXPECT_EQ(cell.ledger.lost_amount, expected_minus_actual);
  EXPECT_EQ(cell.ledger.balanced, cell.ledger.differences.empty());
  // What reports draw over time agrees with the totals, cause by cause.
  TimelineInterval sum;
  for (const TimelineInterval& interval : cell.timeline.intervals) {
    sum.committed += interval.committed;
    sum.aborts.serialization += interval.aborts.serialization;
    sum.aborts.deadlock += interval.aborts.deadlock;
    sum.aborts.lock_timeout += interval.aborts.lock_timeout;
    sum.aborts.conflict += interval.aborts.conflict;
    sum.aborts.other += interval.aborts.other;
  }
  EXPECT_EQ(sum.committed, t.committed);
  EXPECT_EQ(sum.aborts.serialization, cell.aborts.serialization);
  EXPECT_EQ(sum.aborts.deadlock, cell.aborts.deadlock);
  EXPECT_EQ(sum.aborts.lock_timeout, cell.aborts.lock_timeout);
  EXPECT_EQ(sum.aborts.conflict, cell.aborts.conflict);
  EXPECT_EQ(sum.aborts.other, cell.aborts.other);
  int64_t latencies = 0;
  for (const LatencyBucket& bucket : cell.latency_histogram) latencies += bucket.count;
  EXPECT_EQ(latencies, t.committed);
}

/// A protected cell: every transaction committed, nothing lost, invariants hold.
inline void expect_protected(const CellResult& cell, int64_t transactions) {
  expect_consistent(cell);
  EXPECT_EQ(cell.transactions.committed + cell.transactions.rejected, transactions)
      << "failed: " << cell.transactions.failed;
  EXPECT_EQ(cell.lost_updates, 0);
  EXPECT_TRUE(cell.anomalies.empty());
  EXPECT_TRUE(cell.ledger.balanced);
  for (const InvariantResult& invariant : cell.invariants)
    EXPECT_TRUE(invariant.passed) << invariant.name << ": expected " << invariant.expected
                                  << ", actual " << invariant.actual;
  EXPECT_TRUE(cell.passed);
}

/// The hot counter's naive cell: updates were lost, and since every lost update
/// loses exactly one increment, their count equals the amount lost, which is
/// the committed count minus the final value.
inline void expect_counter_lost_updates(const CellResult& cell) {
  expect_consistent(cell);
  EXPECT_GT(cell.lost_updates, 0);
  ASSERT_EQ(cell.ledger.differences.size(), 1u);
  const RowDifference& hits = cell.ledger.differences[0];
  EXPECT_EQ(hits.expected, cell.transactions.committed);
  EXPECT_EQ(cell.ledger.lost_amount, hits.expected - hits.actual);
  EXPECT_EQ(cell.lost_updates, cell.ledger.lost_amount);
  // One listed anomaly per overwriting write (at most 100 listed), naming the
  // writes it erased and then itself.
  EXPECT_EQ(static_cast<int64_t>(cell.anomalies.size()),
            std::min<int64_t>(cell.anomalies_total, 100));
  int64_t erased = 0;
  for (const Anomaly& anomaly : cell.anomalies) {
    EXPECT_EQ(anomaly.type, "lost_update");
    EXPECT_EQ(anomaly.table, "counters");
    ASSERT_GE(anomaly.transactions.size(), 2u);
    erased += static_cast<int64_t>(anomaly.transactions.size()) - 1;
    EXPECT_NE(anomaly.explanation.find("without having seen"), std::string::npos);
  }
  if (cell.anomalies_total <= 100) {
    EXPECT_EQ(erased, cell.lost_updates);
  }
  EXPECT_LE(erased, cell.lost_updates);
  EXPECT_FALSE(cell.passed);
}

/// Every lost-update witness agrees with its sentence: each erased write's
/// commit was sent before the overwriting write returned, which was no later
/// than the overwriter's commit returned; the overwriter is none of the writes
/// it erased, and the times the sentence states are these, in this order.
inline void expect_truthful_witnesses(const CellResult& cell) {
  size_t checked = 0;
  for (const Anomaly& anomaly : cell.anomalies) {
    if (anomaly.type != "lost_update") continue;
    SCOPED_TRACE(anomaly.explanation);
    ASSERT_GE(anomaly.transactions.size(), 2u);
    const WitnessTransaction& over = anomaly.transactions.back();
    EXPECT_LE(over.start_ms, over.write_ms);
    EXPECT_LE(over.write_ms, over.commit_ms);
    EXPECT_EQ(over.autocommit, cell.isolation == Isolation::none);
    std::string stated;
    for (size_t i = 0; i + 1 < anomaly.transactions.size(); ++i) {
      const WitnessTransaction& lost = anomaly.transactions[i];
      EXPECT_NE(lost.id, over.id);
      EXPECT_LE(lost.start_ms, lost.commit_sent_ms);
      EXPECT_LE(lost.commit_sent_ms, lost.commit_ms);
      EXPECT_LE(lost.commit_sent_ms, over.write_ms);
      stated += fmt::format("{} wrote {} and committed at +{:.1f} ms", txn_name(lost.id),
                            lost.written_value, lost.commit_sent_ms);
      EXPECT_NE(anomaly.explanation.find(stated), std::string::npos);
      stated.clear();
      ++checked;
    }
    stated = fmt::format("{} wrote {} at +{:.1f} ms", txn_name(over.id), over.written_value,
                         over.write_ms);
    if (!over.autocommit) stated += fmt::format(" and committed at +{:.1f} ms", over.commit_ms);
    EXPECT_NE(anomaly.explanation.find(stated + ", overwriting"), std::string::npos);
  }
  EXPECT_GT(checked, 0u);
}

/// The two counter workloads on a server, at isolation none and read
/// committed: the hot counter loses updates, and every witness either shows
/// is truthful (expect_truthful_witnesses).
inline void expect_truthful_witnesses_on_counters(const DatabaseUrl& url) {
  for (Isolation isolation : {Isolation::none, Isolation::read_committed})
    for (const std::string file : {"hot_counter.yaml", "counter.yaml"}) {
      SCOPED_TRACE(file + " " + std::string(to_string(isolation)));
      const CellResult cell = run_one(test_workload(file), url, isolation, Locking::none, 42,
                                      file == "counter.yaml" ? 800 : 240);
      if (file == "hot_counter.yaml") expect_counter_lost_updates(cell);
      if (cell.lost_updates > 0) expect_truthful_witnesses(cell);
    }
}

/// twin_invariants.yaml on a server, unprotected: each declarative invariant
/// (harness/check/invariants.h) has exactly the expectation, value and verdict
/// of the SQL query next to it, which the server evaluates.
inline void expect_twin_invariants_agree(const DatabaseUrl& url, Isolation isolation) {
  const CellResult cell =
      run_one(test_workload("twin_invariants.yaml"), url, isolation, Locking::none);
  ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
  ASSERT_EQ(cell.invariants.size(), 8u);
  for (size_t i = 0; i < cell.invariants.size(); i += 2) {
    const InvariantResult& declared = cell.invariants[i];
    const InvariantResult& sql = cell.invariants[i + 1];
    SCOPED_TRACE(declared.name);
    EXPECT_EQ(declared.error, "");
    EXPECT_EQ(sql.error, "");
    EXPECT_EQ(declared.expected, sql.expected);
    EXPECT_EQ(declared.actual, sql.actual);
    EXPECT_EQ(declared.passed, sql.passed);
    EXPECT_FALSE(declared.not_run);
  }
  EXPECT_EQ(cell.invariants[0].expected, "= 100300");
  EXPECT_EQ(cell.invariants[6].actual, "3");
}

}  // namespace clobber::testing
