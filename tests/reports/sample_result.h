// A hand-made RunResult with one cell of each kind (failed, passed, unsupported,
// error), for the reporter and command-line tests.
#pragma once

#include <string>

#include "harness/result/result.h"

namespace clobber::testing {

/// A seed above 2^63, to check that seeds survive JSON exactly.
inline constexpr uint64_t kSampleSeed = 12345678901234567890ULL;

/// The URL the sample's PostgreSQL cells show (password already masked).
inline constexpr const char* kSampleMaskedUrl = "postgresql://bob:***@127.0.0.1:5432/clobber";

/// A failed run over PostgreSQL, SQLite and MySQL: cells[0] failed (lost updates,
/// 7 ledger differences, 4 anomalies, a failed invariant and expectation),
/// cells[1] passed, cells[2] is unsupported, cells[3] could not run.
inline RunResult sample_result() {
  RunResult result;
  result.version = "0.1.0";
  result.workload = "joint-account";
  result.workload_file = "workloads/joint-account.yaml";
  result.description = "Alice and Bob move money out of John's joint account.";
  result.seed = kSampleSeed;
  result.replay_command =
      "clobber run workloads/joint-account.yaml --db 'postgresql://app:***@db.internal/shop' "
      "--seed 12345678901234567890";
  result.started_at = "2024-05-01T12:00:00Z";
  result.passed = false;

  CellResult failed;
  failed.database = {DatabaseKind::postgresql, "15.20", kSampleMaskedUrl, {{"lock_timeout", "5s"}}};
  failed.isolation = Isolation::read_committed;
  failed.locking = Locking::none;
  failed.workers = 16;
  failed.duration_s = 5.0125;
  failed.transactions = {1200, 1100, 90, 7, 3};
  failed.aborts = {0, 4, 2, 0, 1};
  failed.retries = 6;
  failed.throughput_tps = 219.45;
  failed.latency_ms = {1.25, 7.5, 12.125, 40.0625};
  failed.latency_histogram = {{0.5, 3}, {1.25, 900}, {8.0, 90}, {40.96, 7}};
  failed.timeline.interval_s = 0.5;
  failed.timeline.intervals = {{400, {1, 0, 0, 0, 0}}, {600, {0, 2, 0, 1, 3}}};
  failed.lost_updates = 12;
  failed.ledger.balanced = false;
  failed.ledger.lost_amount = 345;
  failed.ledger.rows_checked = 10;
  for (int64_t key = 1; key <= 7; ++key)
    failed.ledger.differences.push_back(
        {"accounts", key, "balance", 100 * key, 100 * key + (key == 2 ? 10 : 0), 100 * key - 5});
  failed.ledger.differences_total = 7;
  for (uint64_t i = 0; i < 4; ++i) {
    Anomaly anomaly;
    anomaly.type = "lost_update";
    anomaly.table = "accounts";
    anomaly.key = 1;
    anomaly.column = "balance";
    anomaly.version_read = 40 + i;
    anomaly.transactions = {{101 + i, 3, 1, "transfer", 10.5, 12.75, 400, 380},
                            {202 + i, 5, 2, "transfer", 10.625, 13.0, 400, 390}};
    anomaly.explanation = "T" + std::to_string(101 + i) + " and T" + std::to_string(202 + i) +
                          " both read version " + std::to_string(40 + i) + " and both wrote it";
    failed.anomalies.push_back(anomaly);
  }
  failed.anomalies_total = 4;
  failed.invariants = {{"money is conserved", false, "= 700", "650", ""},
                       {"no overdraft", true, "= 0", "0", ""},
                       {"audit", false, "= 0", "error", "relation \"audit\" does not exist"}};
  failed.errors = {{"NOTFOUND", "no row with key 9 (workloads/joint-account.yaml:20:9)", 3}};
  failed.errors_total = 2;
  failed.transactions.failed_by_error = 3;
  failed.chaos = ChaosCounts{2.5, 4, 5};
  failed.expectations = {{"lost_updates = 0 (workloads/joint-account.yaml:40:5)", false, "12"},
                         {"ledger balanced", false, "unbalanced"}};
  failed.passed = false;
  result.cells.push_back(failed);

  CellResult passed = failed;
  passed.isolation = Isolation::serializable;
  passed.locking = Locking::for_update;
  passed.lost_updates = 0;
  passed.ledger = LedgerResult{true, 0, 3, {}, 0};
  passed.anomalies.clear();
  passed.anomalies_total = 0;
  passed.invariants = {{"money is conserved", true, "= 700", "700", ""},
                       {"no overdraft", true, "= 0", "0", ""}};
  passed.errors.clear();
  passed.errors_total = 0;
  passed.transactions.failed_by_error = 0;
  passed.chaos = ChaosCounts{};
  passed.expectations = {{"lost_updates = 0", true, "0"}};
  passed.passed = true;
  result.cells.push_back(passed);

  CellResult unsupported;
  unsupported.database = {DatabaseKind::sqlite, "3.40.1", "sqlite:/tmp/clobber-x.db", {}};
  unsupported.isolation = Isolation::read_uncommitted;
  unsupported.locking = Locking::for_update;
  unsupported.status = CellStatus::unsupported;
  unsupported.reason = "SQLite has no SELECT ... FOR UPDATE";
  result.cells.push_back(unsupported);

  CellResult error;
  error.database = {
      DatabaseKind::mysql, "10.11.19-MariaDB", "mysql://root@127.0.0.1:3306/clobber", {}};
  error.isolation = Isolation::repeatable_read;
  error.locking = Locking::optimistic;
  error.status = CellStatus::error;
  error.reason = "lost the connection while seeding";
  error.passed = false;
  result.cells.push_back(error);
  return result;
}

}  // namespace clobber::testing
