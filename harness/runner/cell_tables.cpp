#include "harness/runner/cell_tables.h"

#include <algorithm>
#include <iostream>
#include <span>

#include "harness/runner/interrupt.h"

namespace clobber {
namespace {

constexpr size_t kSeedBatch = 500;  // rows per insert_rows() call, each cancellable

}  // namespace

CellTables::CellTables(Session& admin, const Workload& workload, const CellPlan& plan,
                       TableRegistry& registry, const std::atomic<bool>& stop)
    : admin_(admin), workload_(workload), plan_(plan), registry_(registry), stop_(stop) {}

CellTables::~CellTables() {
  for (size_t t = registered_; t-- > 0;) {
    const TablePlan& table = plan_.tables[t];
    // Twice: a cancel sent while seeding can land on the next statement.
    for (int attempt = 1; attempt <= 2; ++attempt) {
      try {
        admin_.drop_table(table.shape.name);
        registry_.remove(table.shape.name);
        break;
      } catch (const std::exception& e) {
        if (attempt == 2)
          std::cerr << "clobber: could not drop " << table.shape.name
                    << " (left registered for the "
                    << "next run or `clobber clean`): " << e.what() << "\n";
      }
    }
  }
}

void CellTables::create() {
  const CancelScope cancellable(&admin_);
  try {
    for (size_t t = 0; t < plan_.tables.size(); ++t) {
      const TableShape& shape = plan_.tables[t].shape;
      if (stop_.load()) throw StopRequested();
      registry_.add(shape.name);
      ++registered_;
      admin_.create_table(shape);
      registry_.created(shape.name);
      const std::vector<std::vector<SeedValue>> rows = seed_rows(workload_.tables[t]);
      const std::span<const std::vector<SeedValue>> all(rows);
      for (size_t first = 0; first < rows.size(); first += kSeedBatch) {
        if (stop_.load()) throw StopRequested();
        admin_.insert_rows(shape, all.subspan(first, std::min(kSeedBatch, rows.size() - first)));
      }
    }
  } catch (const DatabaseError&) {
    if (stop_.load()) throw StopRequested();  // the statement was cancelled
    throw;
  }
}

}  // namespace clobber
