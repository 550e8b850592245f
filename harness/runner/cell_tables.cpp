#include "harness/runner/cell_tables.h"

#include <iostream>

#include "harness/runner/interrupt.h"

namespace clobber {

CellTables::CellTables(Session& admin, const CellPlan& plan, TableRegistry& registry,
                       const std::atomic<bool>& stop)
    : admin_(admin), plan_(plan), registry_(registry), stop_(stop) {}

CellTables::~CellTables() {
  for (size_t t = registered_; t-- > 0;) {
    const TablePlan& table = plan_.tables[t];
    // Twice: a cancel sent while seeding can land on the next statement.
    for (int attempt = 1; attempt <= 2; ++attempt) {
      try {
        admin_.query(table.drop_sql);
        registry_.remove(table.name);
        break;
      } catch (const std::exception& e) {
        if (attempt == 2)
          std::cerr << "clobber: could not drop " << table.name << " (left registered for the "
                    << "next run or `clobber clean`): " << e.what() << "\n";
      }
    }
  }
}

void CellTables::create() {
  const CancelScope cancellable(&admin_);
  try {
    for (const TablePlan& table : plan_.tables) {
      if (stop_.load()) throw StopRequested();
      registry_.add(table.name);
      ++registered_;
      admin_.query(table.create_sql);
      registry_.created(table.name);
      for (const std::string& insert : table.seed_sql) {
        if (stop_.load()) throw StopRequested();
        admin_.query(insert);
      }
    }
  } catch (const DatabaseError&) {
    if (stop_.load()) throw StopRequested();  // the statement was cancelled
    throw;
  }
}

}  // namespace clobber
