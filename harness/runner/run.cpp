#include "harness/runner/run.h"

#include <atomic>
#include <new>
#include <random>
#include <system_error>

#include <fmt/format.h>

#include "drivers/url.h"
#include "harness/common/clock.h"
#include "harness/runner/cell_runner.h"
#include "harness/runner/interrupt.h"
#include "harness/workload/generators.h"

namespace clobber {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "request_stop must be signal-safe");

template <typename T, size_t N>
std::vector<T> all_of(const T (&values)[N]) {
  return std::vector<T>(values, values + N);
}

/// A cell that could not run, with its reason.
CellResult error_cell(const Driver& driver, const CellSpec& spec, std::string reason) {
  CellResult cell = cell_heading(driver, spec);
  cell.status = CellStatus::error;
  cell.reason = std::move(reason);
  cell.passed = false;
  return cell;
}

/// Runs one cell; a failure of the database or the operating system (threads,
/// memory) ends that cell as an error instead of the run.
CellResult run_cell_or_error(const Workload& workload, Driver& driver, const CellSpec& spec) {
  try {
    return run_cell(workload, driver, spec, g_stop);
  } catch (const DatabaseError& e) {
    return error_cell(driver, spec, e.what());
  } catch (const std::system_error& e) {
    return error_cell(driver, spec, std::string("the operating system refused: ") + e.what());
  } catch (const std::bad_alloc&) {
    return error_cell(driver, spec, "out of memory");
  }
}

}  // namespace

void report_cleaning(const CleanReport& report, const std::string& where) {
  for (const RegisteredTable& entry : report.dropped)
    fmt::print(stderr, "clobber: {}: dropped {}, left by dead run {} (host {}, pid {}, {})\n",
               where, entry.table, entry.owner.run_id, entry.owner.host, entry.owner.pid,
               entry.created_at);
  for (const std::string& failure : report.failed)
    fmt::print(stderr, "clobber: {}: could not clean {}\n", where, failure);
}

void request_stop() {
  g_stop.store(true);
}

bool stop_requested() {
  return g_stop.load();
}

const std::atomic<bool>& stop_flag() {
  return g_stop;
}

RunResult run_workload(const Workload& workload, const RunOptions& options) {
  RunResult run;
  run.version = CLOBBER_VERSION;
  run.workload = workload.name;
  run.workload_file = workload.file;
  run.description = workload.description;
  run.explore = options.explore;
  run.started_at = utc_now();
  if (options.seed) {
    run.seed = *options.seed;
  } else if (workload.run.seed) {
    run.seed = *workload.run.seed;
  } else {
    std::random_device device;
    run.seed = (static_cast<uint64_t>(device()) << 32) | device();
  }

  std::vector<Isolation> isolations = options.isolation.value_or(workload.matrix.isolation);
  if (isolations.empty()) isolations = all_of(kAllIsolations);
  std::vector<Locking> lockings = options.locking.value_or(workload.matrix.locking);
  if (lockings.empty()) lockings = all_of(kAllLockings);
  std::vector<DatabaseUrl> databases = options.databases;
  if (databases.empty()) databases.push_back(default_database_url());

  CellSpec spec;
  spec.workers = options.workers.value_or(workload.run.workers);
  spec.record_history = options.record_history;
  if (options.transactions) {
    spec.transactions = options.transactions;
  } else if (options.duration) {
    spec.duration = options.duration;
  } else {
    spec.transactions = workload.run.transactions;
    spec.duration = workload.run.duration;
  }

  spec.reconnect_timeout = options.reconnect_timeout;
  spec.chaos_kill_rate = options.chaos_kill_rate;
  spec.on_progress = options.on_progress;
  spec.progress_interval = options.progress_interval;
  spec.cell_count = static_cast<int>(databases.size() * isolations.size() * lockings.size());
  for (const DatabaseUrl& url : databases) {
    if (stop_requested()) {
      run.interrupted = true;
      break;
    }
    std::unique_ptr<Driver> driver = make_driver(url);
    std::string unreachable;  // why the database could not be reached, if it could not
    std::unique_ptr<TableRegistry> registry;
    try {
      spec.server_version = driver->server_version();
      spec.settings = driver->reported_settings();
      registry = std::make_unique<TableRegistry>(*driver, spec.reconnect_timeout, g_stop);
      report_cleaning(registry->clean_dead_runs(), driver->url().masked);
    } catch (const DatabaseError& e) {
      unreachable = e.what();
      spec.server_version.clear();
      spec.settings.clear();
    }
    spec.registry = registry.get();
    uint64_t cell_index = 0;
    for (Isolation isolation : isolations) {
      for (Locking locking : lockings) {
        if (stop_requested()) {
          run.interrupted = true;
          break;
        }
        spec.isolation = isolation;
        spec.locking = locking;
        ++spec.cell_number;
        // The same (isolation, locking) gets the same parameter streams on
        // every database, so databases are compared on identical work.
        spec.seed = mix_seed(run.seed ^ mix_seed(++cell_index));
        CellResult cell;
        try {
          cell = unreachable.empty() ? run_cell_or_error(workload, *driver, spec)
                                     : error_cell(*driver, spec, unreachable);
        } catch (const StopRequested&) {
          run.interrupted = true;  // stopped while seeding: nothing ran to report
          break;
        }
        if (stop_requested()) run.interrupted = true;
        if (cell.status == CellStatus::ran)
          for (std::string& note : driver->cell_notes(isolation, locking))
            cell.notes.push_back(std::move(note));
        if (options.on_cell) options.on_cell(cell);
        run.cells.push_back(std::move(cell));
      }
    }
  }
  for (const CellResult& cell : run.cells)
    if (cell.status != CellStatus::unsupported && !cell.passed) run.passed = false;
  return run;
}

}  // namespace clobber
