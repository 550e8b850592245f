#include "harness/runner/cell_runner.h"

#include <random>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "harness/plan/cell_plan.h"
#include "harness/runner/cell_checks.h"
#include "harness/runner/cell_tables.h"
#include "harness/runner/cell_workers.h"
#include "harness/runner/reconnect.h"

namespace clobber {
namespace {

std::string random_prefix() {
  std::random_device device;
  return fmt::format("clobber_{:08x}_", device());
}

CellResult unsupported(CellResult cell, std::string reason) {
  cell.status = CellStatus::unsupported;
  cell.reason = std::move(reason);
  cell.passed = true;
  return cell;
}

}  // namespace

CellResult cell_heading(const Driver& driver, const CellSpec& spec) {
  CellResult cell;
  cell.database.kind = driver.kind();
  cell.database.server_version = spec.server_version;
  cell.database.url = driver.url().masked;
  cell.database.settings = spec.settings;
  cell.isolation = spec.isolation;
  cell.locking = spec.locking;
  cell.workers = spec.workers;
  return cell;
}

CellResult run_cell(const Workload& workload, Driver& driver, const CellSpec& spec,
                    const std::atomic<bool>& stop) {
  CellResult cell = cell_heading(driver, spec);
  if (auto reason = driver.unsupported_isolation(spec.isolation)) return unsupported(cell, *reason);
  if (auto reason = driver.unsupported_locking(spec.locking)) return unsupported(cell, *reason);
  auto planned =
      plan_cell(workload, driver.traits(), spec.isolation, spec.locking, random_prefix());
  if (auto* reason = std::get_if<std::string>(&planned)) return unsupported(cell, *reason);
  const CellPlan& plan = std::get<CellPlan>(planned);

  // The admin connection survives losses too (reconnects until the deadline).
  ResilientSession admin(driver.connect(), spec.reconnect_timeout, stop);
  CellTables tables(admin, workload, plan, *spec.registry, stop);
  tables.create();
  CellStart start = record_cell_start(admin, workload, plan);

  CellWorkers workers = run_cell_workers(workload, driver, spec, plan, admin, stop);
  if (!workers.launch_error.empty()) {
    cell.status = CellStatus::error;
    cell.reason = workers.launch_error;
    cell.passed = false;
    return cell;
  }
  cell.duration_s = workers.duration_s;
  if (spec.chaos_kill_rate > 0) {
    cell.chaos.kill_rate = spec.chaos_kill_rate;
    cell.chaos.kills = workers.chaos_kills;
  }
  const bool tallied = tally_workers(workers.logs, spec.workers, cell);
  cell.chaos.reconnects += admin.reconnects();
  if (!tallied) return cell;
  if (!spec.record_history) {
    cell.reason = "history not recorded: no ledger, lost-update or invariant check";
    return cell;
  }
  check_cell(admin, workload, plan, std::move(start), workers.logs, driver.traits().runs_sql,
             stop.load(), cell);
  return cell;
}

}  // namespace clobber
