// The workload model: what a YAML workload file says, resolved and checked.
// Loaded by workload_loader.h; read by the planner, runner, checkers and reports.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/errors.h"
#include "common/types.h"
#include "harness/expr/expression.h"

namespace clobber {

/// Column types a workload table can have.
enum class ColumnType { integer, text };

/// One column of a workload table.
struct ColumnDef {
  std::string name;
  ColumnType type = ColumnType::integer;
  SourceLocation where;
};

/// A seed value: an integer or a text.
using SeedValue = std::variant<int64_t, std::string>;

/// Rows generated at seed time: keys start, start+1, ... start+count-1.
struct GeneratedRows {
  int64_t count = 0;
  int64_t start = 1;
  /// Per column (same order as TableDef::columns, key excluded by being unused):
  /// an integer expression over the variable `key`, or a text constant.
  std::vector<std::variant<std::monostate, Expr, std::string>> values;
};

/// A table the workload creates, seeds and (at the end) drops.
struct TableDef {
  std::string name;                          // logical name; the real one gets a clobber prefix
  std::vector<ColumnDef> columns;            // in declaration order
  size_t key_column = 0;                     // index of the integer primary key column
  std::vector<std::vector<SeedValue>> rows;  // literal rows, one value per column
  std::optional<GeneratedRows> generated;    // rows generated after the literal ones
  SourceLocation where;
  /// Index of the named column, or nullopt.
  std::optional<size_t> column_index(std::string_view column) const;
  /// Indices of the integer columns, in declaration order (the key included).
  std::vector<size_t> integer_columns() const;
};

/// How a parameter's value is drawn for each transaction.
struct ParamGenerator {
  enum class Kind { constant, uniform, choice, zipf, hot_set };
  Kind kind = Kind::constant;
  int64_t low = 0;               // constant value, or the inclusive range's low end
  int64_t high = 0;              // inclusive range's high end
  std::vector<int64_t> choices;  // choice: picked uniformly
  double zipf_exponent = 1.0;    // zipf: P(rank k) ~ 1 / k^s over [low, high], low most likely
  double hot_fraction = 0.0;     // hot_set: the first fraction of [low, high] is hot
  double hot_probability = 0.0;  // hot_set: chance that a draw comes from the hot part
};

/// A named parameter of a transaction type; its value sits at frame slot `slot`.
struct ParamDef {
  std::string name;
  ParamGenerator generator;
  int slot = 0;
  SourceLocation where;
};

/// `read`: SELECT one row by key into a named alias.
struct ReadStep {
  size_t table = 0;             // index into Workload::tables
  Expr key;                     // over parameters (and earlier reads)
  std::string alias;            // name the step's values are read as: alias.column
  std::vector<size_t> columns;  // integer columns fetched, = table.integer_columns()
  int first_slot = 0;           // frame slot of columns[0]; columns follow in order
};

/// `check`: a business rule; false rolls the transaction back as rejected.
struct CheckStep {
  Expr condition;
};

/// `write`: UPDATE one earlier-read row with values computed by expressions.
struct WriteStep {
  size_t table = 0;
  size_t read_step = 0;  // index in TransactionType::steps of the read of this row
  struct Assignment {
    size_t column = 0;  // index into the table's columns (integer, not the key)
    Expr value;
  };
  std::vector<Assignment> assignments;
};

/// `sleep`: the service's work between read and write; widens the race window.
struct SleepStep {
  std::chrono::microseconds duration{0};
};

/// `sql`: raw SQL with :name parameters; recorded as text, not checked exactly.
struct SqlStep {
  std::string text;              // as written, logical table names
  std::vector<int> param_slots;  // frame slots of the :name parameters, in order of use
};

/// One step of a transaction type.
struct Step {
  std::variant<ReadStep, CheckStep, WriteStep, SleepStep, SqlStep> action;
  SourceLocation where;
};

/// A kind of transaction the workers run, chosen by weight.
struct TransactionType {
  std::string name;
  uint32_t weight = 1;
  std::vector<ParamDef> params;  // slots 0 .. params.size()-1
  std::vector<Step> steps;
  int frame_size = 0;  // parameters plus every read's integer columns
  SourceLocation where;
};

/// A declared invariant, evaluated on the final state: by an SQL query, or
/// declaratively (a sum or a count over one table) by the harness itself from
/// the rows it reads after every cell, on any backend (harness/check/invariants.h).
struct Invariant {
  enum class Compare { equals, at_least, at_most };
  /// Which of `sql:`, `sum:` and `count:` the invariant is.
  enum class Form { sql, sum, count };
  std::string name;
  Form form = Form::sql;
  std::string sql;    // sql: logical table names; rewritten to the real ones
  size_t table = 0;   // sum, count: index into Workload::tables
  size_t column = 0;  // sum: the summed integer column, index into the table's columns
  /// count: the rows counted, over the table's integer columns by bare name;
  /// variable slot i is the table's integer_columns()[i]. Absent: every row.
  std::optional<Expr> where_rows;
  Compare compare = Compare::equals;
  bool against_initial = false;  // `equals: initial`: same as on the seeded tables
  int64_t value = 0;
  SourceLocation where;
};

/// Which failures are retried and how (docs/workload-format.md).
struct RetryPolicy {
  std::vector<AbortCause> retry_on = {AbortCause::serialization, AbortCause::deadlock,
                                      AbortCause::lock_timeout, AbortCause::conflict};
  int max_tries = 10;  // attempts per transaction, the first included
  std::chrono::microseconds backoff_base{1000};
  std::chrono::microseconds backoff_max{100000};
  /// True when `cause` is retried.
  bool retries(AbortCause cause) const;
};

/// Documented limits (README, "Limits"): beyond them a workload or a flag is
/// rejected at validation (exit 2) rather than overflowing or exhausting the
/// machine.
inline constexpr int kMaxWorkers = 4096;                  // run.workers, --workers
inline constexpr int64_t kMaxTransactions = 100'000'000;  // run.transactions, --transactions
inline constexpr int64_t kMaxGeneratedRows = 10'000'000;  // generate.count, per table
inline constexpr std::chrono::hours kMaxDuration{24};     // every duration

/// The `run:` section; command-line flags override it.
struct RunSettings {
  int workers = 8;
  std::optional<std::chrono::microseconds> duration;  // default 5 s when neither is set
  std::optional<int64_t> transactions;                // total across workers
  std::optional<uint64_t> seed;
  RetryPolicy retry;
};

/// The `matrix:` section; empty lists mean every level / mode.
struct Matrix {
  std::vector<Isolation> isolation;
  std::vector<Locking> locking;
};

/// One bound of an expectation rule: min <= metric <= max.
struct MetricBound {
  std::string metric;  // lost_updates, lost_amount, committed, rejected, failed,
                       // indeterminate, retries, aborts, aborts.<cause>, abort_rate,
                       // throughput_tps, anomalies, latency_ms.p50/p95/p99/max
  std::optional<double> min;
  std::optional<double> max;
  SourceLocation where;  // the YAML rule; file "--fail-on" for a command-line threshold
};

/// One `expect:` rule: the cells it selects and what must hold there.
struct ExpectRule {
  std::vector<DatabaseKind> databases;  // empty: any
  std::vector<Isolation> isolation;     // empty: any
  std::vector<Locking> locking;         // empty: any
  std::vector<MetricBound> bounds;
  std::optional<bool> invariants_hold;  // `invariants: hold|violated|any` (any = nullopt + flag)
  bool invariants_any = false;
  std::optional<bool> ledger_balanced;  // `ledger: balanced|unbalanced`
  bool ledger_any = false;              // `ledger: any` (ledger_balanced is then nullopt)
  SourceLocation where;
};

/// A loaded, fully checked workload.
struct Workload {
  std::string name;
  std::string description;
  std::string file;
  std::vector<TableDef> tables;
  std::vector<TransactionType> transactions;
  std::vector<Invariant> invariants;
  RunSettings run;
  Matrix matrix;
  std::vector<ExpectRule> expect;
  /// Index of the named table, or nullopt.
  std::optional<size_t> table_index(std::string_view table) const;
};

}  // namespace clobber
