#include "drivers/driver.h"

namespace clobber {

QueryRows Session::query_read_only(const std::string& begin_sql, const std::string& sql) {
  query(begin_sql);
  const auto end = [this] {
    try {
      query("ROLLBACK");
    } catch (const DatabaseError&) {  // the connection is gone, and the transaction with it
    }
  };
  QueryRows rows;
  try {
    rows = query(sql);
  } catch (const DatabaseError&) {
    end();
    throw;
  }
  end();
  return rows;
}

int parameter_count(const Operation& operation) {
  struct Count {
    int operator()(const ReadRow&) const { return 1; }
    int operator()(const WriteRow& write) const {
      const int assignments = static_cast<int>(write.assignments.size());
      switch (write.guard) {
        case WriteRow::Guard::none:
          return assignments + 2;
        case WriteRow::Guard::version:
          return assignments + 3;
        case WriteRow::Guard::old_values:
          return 2 * assignments + 2;
        case WriteRow::Guard::condition:
          return assignments + 2 + write.condition_params;
      }
      return assignments + 2;
    }
    int operator()(const LockKey&) const { return 1; }
    int operator()(const ReleaseLocks&) const { return 0; }
    int operator()(const RawSql& sql) const { return static_cast<int>(sql.pieces.size()) - 1; }
  };
  return std::visit(Count{}, operation);
}

}  // namespace clobber
