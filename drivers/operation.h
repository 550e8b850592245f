// What the harness asks of a database, as typed operations each driver lowers
// into its own language: SQL text in its dialect (drivers/sql/sql_lowering.h)
// or a store's commands. The plan (harness/plan/cell_plan.h) is built from
// these; nothing above drivers/ spells a statement. docs/architecture.md
// shows where they sit in the data flow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/expression.h"
#include "common/types.h"

namespace clobber {

/// Hidden columns clobber adds to every table it creates (fields of a Redis hash).
inline constexpr const char* kTxnColumn = "clobber_txn";          // id of the last writer
inline constexpr const char* kPrevTxnColumn = "clobber_prev";     // id of the writer before it
inline constexpr const char* kVersionColumn = "clobber_version";  // optimistic version number

/// One column of a table clobber creates.
struct ColumnShape {
  std::string name;
  bool integer = true;  // false: text
};

/// A table clobber creates, by its real name; besides `columns` it holds the
/// three hidden integer columns above, all 0 in a seeded row.
struct TableShape {
  std::string name;  // real name: the run's prefix + the workload's name
  std::vector<ColumnShape> columns;
  size_t key_column = 0;  // an integer column: the primary key
};

/// A value of a seeded row: an integer or a text, by its column's type.
using CellValue = std::variant<int64_t, std::string>;

/// Reads one row by key. Parameters: the key. Returns, when the row exists, one
/// row: the `columns` in order, then the last writer's id and the version.
struct ReadRow {
  TableShape table;
  std::vector<size_t> columns;   // integer columns of `table`
  Locking lock = Locking::none;  // for_update / for_share: the read locks the row
};

/// Writes one row by key, stamping the writer's id and bumping the version.
/// Parameters, in this order: one value per assignment, the writer's id, the
/// key, then the guard's (see `Guard`). rows_affected is 0 when no row matched
/// (the key is missing or the guard is false), else 1. When `returns_versions`,
/// the row returned holds the new value of each delta assignment, then the
/// replaced writer's id and the new version number.
struct WriteRow {
  /// One assigned column: set to the parameter, or changed by it.
  struct Assignment {
    size_t column = 0;
    int delta_sign = 0;  // 0: column = value; +1: column + value; -1: column - value
  };
  /// What else the row must satisfy for the write to happen.
  enum class Guard : uint8_t {
    none,
    version,     // one more parameter: the version read (optimistic)
    old_values,  // one more parameter per assignment: the value read (compare-and-set)
    condition    // `condition` holds (an atomic write's folded check)
  };
  TableShape table;
  std::vector<Assignment> assignments;
  Guard guard = Guard::none;
  /// Guard::condition: variable v < table.columns.size() is the row's column v;
  /// a greater v is the condition's parameter v - table.columns.size()
  /// (0-based among the condition_params that follow the key).
  Expr condition;
  int condition_params = 0;  // parameters the condition adds after the key
  /// The caller wants the replaced writer and new version back (see
  /// DriverTraits::plain_writes_return_versions for writes without a delta).
  bool returns_versions = false;
};

/// Takes the lock named `name` + key for the rest of the transaction (or until
/// ReleaseLocks). Parameters: the key. Returns one row: 1 when granted, 0 when
/// it was not granted in time.
struct LockKey {
  std::string name;  // the run's prefix and the table: locks of one run never collide
};

/// Releases every named lock the session holds (after a transaction). Drivers
/// whose locks end with the transaction run nothing.
struct ReleaseLocks {};

/// A statement the user wrote in SQL (a workload's `sql:` step): the text
/// between its parameters, table names already real. Only drivers whose
/// DriverTraits::runs_sql is true accept it.
struct RawSql {
  std::vector<std::string> pieces;  // pieces.size() - 1 parameters, one between each two
};

/// One typed operation, prepared once per session (Session::prepare).
using Operation = std::variant<ReadRow, WriteRow, LockKey, ReleaseLocks, RawSql>;

/// How many parameters `op` takes.
int parameter_count(const Operation& op);

/// What the plan must know of a database before it plans a cell.
struct DriverTraits {
  std::string name;      // as reports show it: "postgresql", "mysql", "sqlite"
  bool runs_sql = true;  // accepts RawSql and SQL text (workload sql steps, SQL invariants)
  bool plain_writes_return_versions = true;  // a WriteRow without delta returns versions
  /// Named locks (LockKey) outlive the transaction: the runner releases them
  /// after it (ReleaseLocks).
  bool locks_outlive_transaction = false;
};

}  // namespace clobber
