// A cell's tables: registered (harness/runner/table_registry.h), created and
// seeded before the workers start, dropped and unregistered when the cell ends,
// whatever way it ends.
#pragma once

#include <atomic>
#include <cstddef>

#include "drivers/driver.h"
#include "harness/plan/cell_plan.h"
#include "harness/runner/table_registry.h"

namespace clobber {

/// Creates the cell's tables and drops them again when it goes out of scope.
class CellTables {
 public:
  /// Tables of `plan` (seeded with `workload`'s rows), created on `admin`,
  /// recorded in `registry`; `stop` ends seeding early.
  CellTables(Session& admin, const Workload& workload, const CellPlan& plan,
             TableRegistry& registry, const std::atomic<bool>& stop);
  CellTables(const CellTables&) = delete;
  CellTables& operator=(const CellTables&) = delete;
  /// Drops every table registered so far, in reverse order, then forgets it;
  /// a table that cannot be dropped stays registered for a later run to drop.
  ~CellTables();
  /// Registers, creates and seeds every table, each statement cancellable by a
  /// stop. Throws DatabaseError, or StopRequested when a stop came first.
  void create();

 private:
  Session& admin_;
  const Workload& workload_;
  const CellPlan& plan_;
  TableRegistry& registry_;
  const std::atomic<bool>& stop_;
  size_t registered_ = 0;
};

}  // namespace clobber
