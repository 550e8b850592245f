#include "drivers/sql/sql_session.h"

#include <charconv>

#include "drivers/sql_registry.h"

namespace clobber {

StatementHandle SqlSession::prepare(const Operation& operation) {
  return prepare_lowered(lower_to_sql(operation, dialect()));
}

StatementHandle SqlSession::prepare_lowered(const SqlStatement& statement) {
  if (!statement.read_back.empty())
    throw DatabaseError("this driver cannot read back what a write set: " + statement.sql);
  return prepare(statement.sql, statement.params);
}

void SqlSession::create_table(const TableShape& table) {
  query(create_table_sql(table, dialect()));
}

void SqlSession::drop_table(const std::string& name) {
  query(drop_table_sql(name));
}

void SqlSession::insert_rows(const TableShape& table,
                             std::span<const std::vector<CellValue>> rows) {
  for (const std::string& insert : insert_rows_sql(table, rows, dialect())) query(insert);
}

std::vector<std::vector<int64_t>> SqlSession::read_rows(const TableShape& table,
                                                        std::span<const size_t> columns) {
  const QueryRows rows = query(read_rows_sql(table, columns));
  std::vector<std::vector<int64_t>> values;
  values.reserve(rows.rows.size());
  for (const auto& row : rows.rows) {
    std::vector<int64_t>& out = values.emplace_back();
    for (const auto& field : row) {
      int64_t value = 0;
      if (field) {
        const auto [end, error] =
            std::from_chars(field->data(), field->data() + field->size(), value);
        if (error != std::errc() || end != field->data() + field->size())
          throw DatabaseError("the rows of " + table.name + " hold '" + *field +
                              "', not an integer");
      }
      out.push_back(value);
    }
  }
  return values;
}

void SqlSession::registry_create() {
  sql_registry_create(*this);
}
void SqlSession::registry_add(const RegisteredTable& entry) {
  sql_registry_add(*this, entry);
}
void SqlSession::registry_remove(const std::string& table) {
  sql_registry_remove(*this, table);
}
std::vector<RegisteredTable> SqlSession::registry_entries() {
  return sql_registry_entries(*this);
}

}  // namespace clobber
