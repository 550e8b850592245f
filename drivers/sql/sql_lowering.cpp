#include "drivers/sql/sql_lowering.h"

#include <algorithm>
#include <optional>

#include "common/errors.h"

namespace clobber {
namespace {

bool is_boolean_op(ExprOp op) {
  switch (op) {
    case ExprOp::logical_not:
    case ExprOp::equal:
    case ExprOp::not_equal:
    case ExprOp::less:
    case ExprOp::less_equal:
    case ExprOp::greater:
    case ExprOp::greater_equal:
    case ExprOp::logical_and:
    case ExprOp::logical_or:
      return true;
    default:
      return false;
  }
}

std::string_view comparison(ExprOp op) {
  switch (op) {
    case ExprOp::equal:
      return "=";
    case ExprOp::not_equal:
      return "<>";
    case ExprOp::less:
      return "<";
    case ExprOp::less_equal:
      return "<=";
    case ExprOp::greater:
      return ">";
    default:
      return ">=";
  }
}

/// Numbers the parameters of one statement as its text is written: with
/// positional placeholders a parameter must be written in its own order.
class Parameters {
 public:
  explicit Parameters(const SqlDialect& dialect) : dialect_(dialect) {}
  /// The next parameter's placeholder.
  std::string next() { return take(written_ + 1, false); }
  /// The next parameter, taken as a 64-bit integer in arithmetic.
  std::string next_integer() { return take(written_ + 1, true); }
  /// Parameter `index` (1-based), taken as a 64-bit integer in arithmetic.
  std::string integer(int index) { return take(index, true); }
  /// How many were written.
  int count() const { return written_; }

 private:
  std::string take(int index, bool integer) {
    if (dialect_.positional_placeholders() && index != written_ + 1)
      throw DatabaseError("parameter " + std::to_string(index) +
                          " would be written out of order for positional placeholders");
    written_ = std::max(written_, index);
    return integer ? dialect_.integer_parameter(index) : dialect_.placeholder(index);
  }

  const SqlDialect& dialect_;
  int written_ = 0;
};

/// An atomic write's guard as a WHERE condition: the row's columns by name,
/// parameters in place (see WriteRow::condition).
class GuardWriter {
 public:
  GuardWriter(const SqlDialect& dialect, const WriteRow& write, int first_param, Parameters& params)
      : dialect_(dialect), write_(write), first_param_(first_param), params_(params) {}

  std::string condition(int32_t node) {
    const ExprNode& n = write_.condition.nodes[static_cast<size_t>(node)];
    if (!is_boolean_op(n.op)) return "(" + integer(node) + ") <> 0";
    switch (n.op) {
      case ExprOp::logical_not:
        return "NOT (" + condition(n.left) + ")";
      case ExprOp::logical_and:
      case ExprOp::logical_or: {
        const std::string a = condition(n.left);
        const std::string b = condition(n.right);
        return "(" + a + (n.op == ExprOp::logical_and ? " AND " : " OR ") + b + ")";
      }
      default: {
        const std::string a = integer(n.left);
        const std::string b = integer(n.right);
        return "(" + a + " " + std::string(comparison(n.op)) + " " + b + ")";
      }
    }
  }

 private:
  std::string integer(int32_t node) {
    const ExprNode& n = write_.condition.nodes[static_cast<size_t>(node)];
    if (is_boolean_op(n.op))
      throw DatabaseError("a guard compares a condition as an integer: " + write_.condition.text);
    switch (n.op) {
      case ExprOp::constant:
        return std::to_string(n.value);
      case ExprOp::variable: {
        const size_t columns = write_.table.columns.size();
        if (n.value >= 0 && static_cast<size_t>(n.value) < columns)
          return write_.table.columns[static_cast<size_t>(n.value)].name;
        return params_.integer(first_param_ + static_cast<int>(n.value - columns));
      }
      case ExprOp::negate:
        return "(-" + integer(n.left) + ")";
      case ExprOp::minimum:
      case ExprOp::maximum: {
        const std::string a = integer(n.left);
        const std::string b = integer(n.right);
        return std::string(n.op == ExprOp::minimum ? dialect_.least() : dialect_.greatest()) + "(" +
               a + ", " + b + ")";
      }
      default: {
        const std::string a = integer(n.left);
        const std::string b = integer(n.right);
        std::string op;
        switch (n.op) {
          case ExprOp::add:
            op = " + ";
            break;
          case ExprOp::subtract:
            op = " - ";
            break;
          case ExprOp::multiply:
            op = " * ";
            break;
          case ExprOp::divide:
            op = std::string(dialect_.integer_division());
            break;
          default:
            op = " % ";
            break;
        }
        return "(" + a + op + b + ")";
      }
    }
  }

  const SqlDialect& dialect_;
  const WriteRow& write_;
  int first_param_;  // 1-based number of the condition's parameter 0
  Parameters& params_;
};

SqlStatement lower_read(const ReadRow& read, const SqlDialect& dialect) {
  Parameters params(dialect);
  std::string columns;
  for (size_t c : read.columns) columns += read.table.columns[c].name + ", ";
  std::string sql = "SELECT " + columns + kTxnColumn + ", " + kVersionColumn + " FROM " +
                    read.table.name + " WHERE " + read.table.columns[read.table.key_column].name +
                    " = " + params.next() + std::string(dialect.lock_clause(read.lock));
  return SqlStatement{std::move(sql), params.count(), ""};
}

SqlStatement lower_write(const WriteRow& write, const SqlDialect& dialect) {
  const TableShape& table = write.table;
  Parameters params(dialect);
  // Without UPDATE ... RETURNING (MySQL), the UPDATE stores what it set in
  // session variables and a SELECT of them follows: exact even in autocommit.
  const bool returning = write.returns_versions && dialect.update_returning();
  const bool variables = write.returns_versions && !dialect.update_returning();
  std::string sql = "UPDATE " + table.name + " SET ";
  std::string returned;
  for (size_t i = 0; i < write.assignments.size(); ++i) {
    const WriteRow::Assignment& a = write.assignments[i];
    const std::string& column = table.columns[a.column].name;
    if (a.delta_sign == 0) {
      sql += column + " = " + params.next() + ", ";
      continue;
    }
    const std::string value = column + (a.delta_sign > 0 ? " + " : " - ") + params.next_integer();
    const std::string variable = "@clobber_v" + std::to_string(i);
    sql += column + " = " + (variables ? "(" + variable + " := " + value + ")" : value) + ", ";
    returned += (variables ? variable : column) + ", ";
  }
  if (write.returns_versions)
    sql += std::string(kPrevTxnColumn) + " = " +
           (variables ? "(@clobber_prev := " + std::string(kTxnColumn) + ")"
                      : std::string(kTxnColumn)) +
           ", ";
  sql += std::string(kTxnColumn) + " = " + params.next() + ", " + kVersionColumn + " = " +
         (variables ? "(@clobber_version := " + std::string(kVersionColumn) + " + 1)"
                    : std::string(kVersionColumn) + " + 1");
  sql += " WHERE " + table.columns[table.key_column].name + " = " + params.next();
  switch (write.guard) {
    case WriteRow::Guard::none:
      break;
    case WriteRow::Guard::version:
      sql += std::string(" AND ") + kVersionColumn + " = " + params.next();
      break;
    case WriteRow::Guard::old_values:
      for (const WriteRow::Assignment& a : write.assignments)
        sql += " AND " + table.columns[a.column].name + " = " + params.next();
      break;
    case WriteRow::Guard::condition: {
      GuardWriter guard(dialect, write, params.count() + 1, params);
      sql += " AND " + guard.condition(write.condition.root());
      break;
    }
  }
  SqlStatement statement;
  if (returning) sql += " RETURNING " + returned + kPrevTxnColumn + ", " + kVersionColumn;
  if (variables) statement.read_back = "SELECT " + returned + "@clobber_prev, @clobber_version";
  statement.sql = std::move(sql);
  statement.params = parameter_count(write);
  if (params.count() != statement.params)
    throw DatabaseError("a write of " + table.name + " takes " + std::to_string(statement.params) +
                        " parameters but its SQL writes " + std::to_string(params.count()));
  return statement;
}

}  // namespace

SqlStatement lower_to_sql(const Operation& operation, const SqlDialect& dialect) {
  if (const auto* read = std::get_if<ReadRow>(&operation)) return lower_read(*read, dialect);
  if (const auto* write = std::get_if<WriteRow>(&operation)) return lower_write(*write, dialect);
  if (const auto* lock = std::get_if<LockKey>(&operation)) {
    std::string sql = dialect.lock_key_sql(lock->name, dialect.placeholder(1));
    if (sql.empty()) throw DatabaseError("this database has no named locks");
    return SqlStatement{std::move(sql), 1, ""};
  }
  if (std::holds_alternative<ReleaseLocks>(operation)) {
    std::string sql = dialect.release_locks_sql();
    if (sql.empty()) throw DatabaseError("this database's named locks end with the transaction");
    return SqlStatement{std::move(sql), 0, ""};
  }
  const RawSql& raw = std::get<RawSql>(operation);
  Parameters params(dialect);
  std::string sql;
  for (size_t i = 0; i < raw.pieces.size(); ++i) {
    if (i) sql += params.next();
    sql += raw.pieces[i];
  }
  return SqlStatement{std::move(sql), params.count(), ""};
}

std::string create_table_sql(const TableShape& table, const SqlDialect& dialect) {
  std::string columns;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const ColumnShape& c = table.columns[i];
    const bool key = i == table.key_column;
    columns += c.name + " " +
               std::string(c.integer ? dialect.integer_type() : dialect.text_type()) + " NOT NULL" +
               (key         ? " PRIMARY KEY"
                : c.integer ? " DEFAULT 0"
                            : " DEFAULT ''") +
               ", ";
  }
  const std::string bigint(dialect.integer_type());
  columns += std::string(kTxnColumn) + " " + bigint + " NOT NULL DEFAULT 0, " + kPrevTxnColumn +
             " " + bigint + " NOT NULL DEFAULT 0, " + kVersionColumn + " " + bigint +
             " NOT NULL DEFAULT 0";
  return "CREATE TABLE " + table.name + " (" + columns + ")" + std::string(dialect.table_options());
}

std::string drop_table_sql(const std::string& name) {
  return "DROP TABLE IF EXISTS " + name;
}

std::vector<std::string> insert_rows_sql(const TableShape& table,
                                         std::span<const std::vector<CellValue>> rows,
                                         const SqlDialect& dialect, size_t batch) {
  std::string column_list;
  for (size_t i = 0; i < table.columns.size(); ++i)
    column_list += (i ? ", " : "") + table.columns[i].name;
  const std::string head = "INSERT INTO " + table.name + " (" + column_list + ") VALUES ";
  std::vector<std::string> statements;
  std::string values;
  size_t in_batch = 0;
  for (const auto& row : rows) {
    values += in_batch ? ", (" : "(";
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) values += ", ";
      if (const auto* v = std::get_if<int64_t>(&row[i]))
        values += std::to_string(*v);
      else
        values += dialect.quote_string(std::get<std::string>(row[i]));
    }
    values += ")";
    if (++in_batch == batch) {
      statements.push_back(head + values);
      values.clear();
      in_batch = 0;
    }
  }
  if (in_batch) statements.push_back(head + values);
  return statements;
}

std::string read_rows_sql(const TableShape& table, std::span<const size_t> columns) {
  std::string selected;
  for (size_t c : columns) selected += table.columns[c].name + ", ";
  return "SELECT " + selected + kTxnColumn + " FROM " + table.name + " ORDER BY " +
         table.columns[table.key_column].name;
}

}  // namespace clobber
