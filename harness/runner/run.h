// Running a workload: the plan of cells over databases, isolation levels and
// locking modes, each run by the cell runner and checked.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "drivers/driver.h"
#include "harness/result/result.h"
#include "harness/runner/progress.h"
#include "harness/runner/table_registry.h"
#include "harness/workload/workload.h"

namespace clobber {

/// Command-line choices; each set value overrides the workload's.
struct RunOptions {
  std::vector<DatabaseUrl> databases;  // empty: one temporary embedded SQLite database
  std::optional<std::vector<Isolation>> isolation;
  std::optional<std::vector<Locking>> locking;
  std::optional<int> workers;
  std::optional<std::chrono::microseconds> duration;
  std::optional<int64_t> transactions;
  std::optional<uint64_t> seed;
  bool explore = false;
  /// How long a lost connection keeps trying to come back (`--reconnect-timeout`).
  std::chrono::microseconds reconnect_timeout{30000000};
  /// `--chaos kill=RATE`: worker sessions killed per second (0: none).
  double chaos_kill_rate = 0;
  /// false only to measure what recording the history costs (bench/): the
  /// ledger, lost-update and graph checks are then skipped.
  bool record_history = true;
  /// Called after each cell finishes (progress output); may be empty.
  std::function<void(const CellResult&)> on_cell;
  /// Called every `progress_interval` while a cell's workers run, on a
  /// sampler thread (harness/runner/progress.h); may be empty.
  ProgressCallback on_progress;
  std::chrono::milliseconds progress_interval{1000};
};

/// Runs every cell and checks it. A database that cannot be reached, and a
/// cell that cannot be set up, run or checked, give error cells with their
/// reason (exit 3); the other cells and databases still run. Throws
/// InputError for bad options (exit 2).
RunResult run_workload(const Workload& workload, const RunOptions& options);

/// Asks a running workload to stop (Ctrl-C): the current cell ends early and is
/// checked and cleaned up; no further cell starts. Async-signal-safe.
void request_stop();

/// True once request_stop() was called.
bool stop_requested();

/// The flag request_stop() sets, for waits that watch it (reconnects).
const std::atomic<bool>& stop_flag();

/// Prints to stderr, one line each, the tables cleaning dropped for dead runs
/// and the ones it could not, on the database shown as `where`.
void report_cleaning(const CleanReport& report, const std::string& where);

}  // namespace clobber
