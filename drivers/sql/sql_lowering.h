// Typed operations (drivers/operation.h) and table calls as SQL text in one
// dialect (drivers/sql/sql_dialect.h): the SQL every SQL driver sends for
// `clobber run`. Pure and server-free; tests/drivers/sql_lowering_test.cpp
// asserts the exact text per dialect.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "drivers/operation.h"
#include "drivers/sql/sql_dialect.h"

namespace clobber {

/// An operation as SQL: the statement, and for a write that must report what it
/// set where UPDATE ... RETURNING does not exist (MySQL), a query of the session
/// variables the UPDATE set, run right after it when it matched a row.
struct SqlStatement {
  std::string sql;
  int params = 0;
  std::string read_back;  // empty when the statement returns its own row
};

/// Lowers `operation` into `dialect`. Throws DatabaseError when the dialect
/// cannot express it (a named lock where there are none).
SqlStatement lower_to_sql(const Operation& operation, const SqlDialect& dialect);

/// CREATE TABLE for `table` and its hidden columns.
std::string create_table_sql(const TableShape& table, const SqlDialect& dialect);
/// DROP TABLE IF EXISTS.
std::string drop_table_sql(const std::string& name);
/// INSERT statements adding `rows`, at most `batch` rows each.
std::vector<std::string> insert_rows_sql(const TableShape& table,
                                         std::span<const std::vector<CellValue>> rows,
                                         const SqlDialect& dialect, size_t batch = 500);
/// SELECT of `columns` and the last writer of every row, by ascending key.
std::string read_rows_sql(const TableShape& table, std::span<const size_t> columns);

}  // namespace clobber
