// Runs one cell: creates and seeds its tables, runs the workers, checks the
// result, and drops the tables it created (always, even on failure).
#pragma once

#include <atomic>
#include <chrono>
#include <optional>

#include "drivers/driver.h"
#include "harness/result/result.h"
#include "harness/runner/progress.h"
#include "harness/runner/table_registry.h"
#include "harness/workload/workload.h"

namespace clobber {

/// The settings of one cell.
struct CellSpec {
  Isolation isolation = Isolation::none;
  Locking locking = Locking::none;
  int workers = 8;
  std::optional<std::chrono::microseconds> duration;          // used when transactions is unset
  std::optional<int64_t> transactions;                        // total across workers
  uint64_t seed = 0;                                          // the cell's seed
  bool record_history = true;                                 // see RunOptions::record_history
  std::string server_version;                                 // reported as is
  std::vector<std::pair<std::string, std::string>> settings;  // Driver::reported_settings()
  std::chrono::microseconds reconnect_timeout{30000000};      // see harness/runner/reconnect.h
  double chaos_kill_rate = 0;         // worker sessions killed per second (0: no chaos)
  TableRegistry* registry = nullptr;  // the run's registry on this database; required
  int cell_number = 0;                // 1-based position in the run, for progress
  int cell_count = 0;                 // cells in the run
  ProgressCallback on_progress;       // called every progress_interval while it runs; may be empty
  std::chrono::milliseconds progress_interval{1000};
};

/// A cell result naming the database, isolation, locking and workers of
/// `spec`, before anything ran.
CellResult cell_heading(const Driver& driver, const CellSpec& spec);

/// Runs and checks one cell. Returns an unsupported cell when the database or
/// the locking mode cannot express it, and an error cell (with its reason) when
/// workers cannot start or stay disconnected. Throws DatabaseError when the
/// database cannot be set up or checked (tables it did create are still
/// dropped), StopRequested when a stop came before the workers started.
CellResult run_cell(const Workload& workload, Driver& driver, const CellSpec& spec,
                    const std::atomic<bool>& stop);

}  // namespace clobber
