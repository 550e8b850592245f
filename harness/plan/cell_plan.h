// The plan of one cell: every typed operation (drivers/operation.h) clobber
// will prepare for a workload on one database, isolation level and locking
// mode, and the steps a worker performs per transaction type. Built once per
// cell from the driver's traits, read-only while workers run; server-free.
// Each driver lowers the operations into its own language.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "drivers/operation.h"
#include "harness/workload/workload.h"

namespace clobber {

/// Where the value of one statement parameter comes from at execution time.
struct Arg {
  enum class Source : uint8_t {
    slot,          // frame slot `index`
    value,         // the op's computed assignment value `index`
    txn_id,        // the attempt's transaction id
    key,           // the row key of the op (or of its read)
    version_read,  // the version (clobber_version) the op's read saw
    old_value      // the value the read saw of assignment `index`'s column
  };
  Source source = Source::slot;
  int index = 0;
};

/// What a write that matched no row means.
enum class ZeroRows : uint8_t {
  missing,   // the row vanished: failure, cause other
  conflict,  // optimistic / compare-and-set: someone changed it, retried
  rejected   // atomic write whose guard (a folded check) was false
};

/// One operation of a planned transaction.
struct PlannedOp {
  enum class Kind : uint8_t { read, check, write, sleep, sql, lock };
  Kind kind = Kind::read;
  int statement = -1;     // index into CellPlan::operations
  std::vector<Arg> args;  // the operation's parameters, in its order
  Expr expr;              // read, lock: key; check: condition; atomic write: key
  size_t table = 0;       // read / write
  int first_slot = 0;     // read: frame slot of the first fetched column
  int column_count = 0;   // read: integer columns fetched (then txn id, version)
  int read_op = -1;       // write: index of the op that read this row (-1: atomic)
  /// write: one assigned column. For atomic writes `value` is the delta's
  /// magnitude and `sign` its sign; otherwise `value` is the new value.
  struct Assignment {
    size_t column = 0;
    Expr value;
    int old_slot = -1;  // frame slot holding the value read (-1 for atomic writes)
    int sign = 1;
  };
  std::vector<Assignment> assignments;
  bool atomic = false;  // write: each column changed by a delta, the new values returned
  /// write: its result row ends with the replaced writer's id and the new
  /// version number (after the new values, for atomic writes).
  bool returns_versions = false;
  ZeroRows zero_rows = ZeroRows::missing;
  std::chrono::microseconds sleep{0};
  SourceLocation where;  // the step this op came from
};

/// The operations of one transaction type in this cell.
struct TransactionPlan {
  const TransactionType* type = nullptr;
  std::vector<PlannedOp> ops;
  /// The last op is a write, nothing before it wrote, and it reads nothing back:
  /// COMMIT may then go to the server with it (Session::execute_then_commit).
  /// Should the write match no row (a conflict, a failed guard), the commit
  /// has committed nothing but the reads, which changes no row, as a rollback.
  bool commit_with_last_write = false;
};

/// The real table behind a logical one, and its seed rows.
struct TablePlan {
  TableShape shape;                     // shape.name: prefix + logical name
  std::vector<size_t> integer_columns;  // the final state reads these
  bool exactly_checked = true;          // false when a raw sql step names the table
};

/// Everything a cell prepares and runs.
struct CellPlan {
  Isolation isolation = Isolation::none;
  Locking locking = Locking::none;
  std::vector<TablePlan> tables;              // in workload order
  std::vector<Operation> operations;          // prepared on every worker session
  std::vector<TransactionPlan> transactions;  // in workload order
  /// One per invariant, in workload order, real table names; empty for an
  /// invariant without SQL, and for every one when the database runs no SQL.
  std::vector<std::string> invariant_sql;
  int release_statement = -1;  // advisory, where named locks outlive the transaction
};

/// Plans a cell for a database with `traits`, or returns why the locking mode
/// cannot express this workload (for example an atomic write that is not
/// `read value +/- expression`, or an sql step on a database without SQL).
std::variant<CellPlan, std::string> plan_cell(const Workload& workload, const DriverTraits& traits,
                                              Isolation isolation, Locking locking,
                                              const std::string& table_prefix);

/// Every seed row of a table, one value per column, literal rows first.
std::vector<std::vector<SeedValue>> seed_rows(const TableDef& table);

/// Rewrites raw SQL: logical table names become real ones (outside quotes),
/// and the text is cut at each `:name` parameter (the driver writes its own
/// placeholder there).
RawSql rewrite_sql(std::string_view sql, const Workload& workload,
                   const std::vector<TablePlan>& tables);

}  // namespace clobber
