// The `tables:` section of a workload (harness/workload/loader_parts.h).
#include "harness/workload/loader_parts.h"

#include <map>

namespace clobber::loader {
namespace {

constexpr std::string_view kReservedPrefix = "clobber_";
constexpr std::string_view kTableKeys[] = {"columns", "key", "rows", "generate"};
constexpr std::string_view kGenerateKeys[] = {"count", "start", "values"};
constexpr std::string_view kColumnTypes = "int, integer, bigint, text";

}  // namespace

// ---- Tables -----------------------------------------------------------------

void Loader::check_sql_name(const std::string& name, const SourceLocation& where,
                            const std::string& what) const {
  if (!is_sql_name(name)) {
    fail(where, what + " '" + name + "' must match [a-z_][a-z0-9_]* (it is used in SQL unquoted)");
  }
  if (name.starts_with(kReservedPrefix)) {
    fail(where, what + " '" + name + "' must not start with 'clobber_' (reserved)");
  }
}

void Loader::load_tables(const Ref& ref, Workload& workload) const {
  MapView tables = names_map(ref, "tables");
  if (tables.entries.empty()) fail(tables.at, "tables must define at least one table");
  for (const Entry& entry : tables.entries) {
    check_sql_name(entry.name, entry.key_at, "table name");
    workload.tables.push_back(load_table(entry));
  }
}

TableDef Loader::load_table(const Entry& entry) const {
  TableDef table;
  table.name = entry.name;
  table.where = entry.key_at;
  std::string what = "table '" + table.name + "'";
  MapView def = map(entry.value, what, kTableKeys);

  MapView columns = names_map(require(def, "columns").value, "columns of " + what);
  if (columns.entries.empty()) fail(columns.at, what + " must have at least one column");
  for (const Entry& column : columns.entries) {
    check_sql_name(column.name, column.key_at, "column name");
    std::string type = text(column.value, "type of column '" + column.name + "'");
    ColumnDef def_column{column.name, ColumnType::integer, column.key_at};
    if (type == "text") {
      def_column.type = ColumnType::text;
    } else if (type != "int" && type != "integer" && type != "bigint") {
      fail(column.value.at,
           "unknown column type '" + type + "' (types: " + std::string(kColumnTypes) + ")");
    }
    table.columns.push_back(def_column);
  }

  const Entry& key = require(def, "key");
  std::string key_name = text(key.value, "key of " + what);
  std::optional<size_t> key_index = table.column_index(key_name);
  if (!key_index) {
    fail(key.value.at, "key column '" + key_name + "' is not a column of " + what +
                           " (columns: " + column_names(table) + ")");
  }
  if (table.columns[*key_index].type != ColumnType::integer) {
    fail(key.value.at,
         "key column '" + key_name + "' of " + what + " must be an integer column, it is text");
  }
  table.key_column = *key_index;

  std::map<int64_t, int> key_lines;  // literal row keys, for duplicates
  if (const Entry* rows = def.find("rows")) {
    for (const Ref& row_ref : list(rows->value, "rows of " + what)) {
      MapView row = names_map(row_ref, "a row of " + what);
      std::vector<SeedValue> values;
      for (const ColumnDef& column : table.columns) {
        if (column.type == ColumnType::integer) {
          values.emplace_back(int64_t{0});
        } else {
          values.emplace_back(std::string());
        }
      }
      for (const Entry& cell : row.entries) {
        std::optional<size_t> index = table.column_index(cell.name);
        if (!index) {
          fail(cell.key_at, "unknown column '" + cell.name + "' in a row of " + what +
                                " (columns: " + column_names(table) + ")");
        }
        std::string cell_what = "value of column '" + cell.name + "'";
        if (table.columns[*index].type == ColumnType::integer) {
          values[*index] = integer(cell.value, cell_what);
        } else {
          values[*index] = text(cell.value, cell_what);
        }
      }
      const Entry* key_cell = row.find(table.columns[table.key_column].name);
      if (!key_cell) {
        fail(row.at, "a row of " + what + " is missing its key column '" +
                         table.columns[table.key_column].name + "'");
      }
      int64_t row_key = std::get<int64_t>(values[table.key_column]);
      auto [it, inserted] = key_lines.emplace(row_key, key_cell->value.at.line);
      if (!inserted) {
        fail(key_cell->value.at, "duplicate key " + std::to_string(row_key) + " in " + what +
                                     " (first at line " + std::to_string(it->second) + ")");
      }
      table.rows.push_back(std::move(values));
    }
  }

  if (const Entry* generate = def.find("generate")) {
    table.generated = load_generated(*generate, table, key_lines);
  }
  return table;
}

GeneratedRows Loader::load_generated(const Entry& entry, const TableDef& table,
                                     const std::map<int64_t, int>& literal_keys) const {
  std::string what = "generate of table '" + table.name + "'";
  MapView def = map(entry.value, what, kGenerateKeys);
  GeneratedRows rows;
  const Entry& count = require(def, "count");
  rows.count = integer_at_least(count.value, "count", 1);
  if (rows.count > kMaxGeneratedRows)
    fail(count.value.at,
         "count must be at most " + std::to_string(kMaxGeneratedRows) + " rows per table");
  if (const Entry* start = def.find("start")) rows.start = integer(start->value, "start");
  int64_t last = 0;
  if (__builtin_add_overflow(rows.start, rows.count - 1, &last)) {
    fail(count.value.at, "generated keys overflow the 64-bit range");
  }
  auto overlap = literal_keys.lower_bound(rows.start);
  if (overlap != literal_keys.end() && overlap->first <= last) {
    fail(entry.key_at, "generated keys " + std::to_string(rows.start) + ".." +
                           std::to_string(last) + " include key " + std::to_string(overlap->first) +
                           " of a literal row (line " + std::to_string(overlap->second) + ")");
  }
  rows.values.resize(table.columns.size());
  if (const Entry* values = def.find("values")) {
    MapView cells = names_map(values->value, "values of " + what);
    Scope scope{{{"key", 0}}};
    for (const Entry& cell : cells.entries) {
      std::optional<size_t> index = table.column_index(cell.name);
      if (!index) {
        fail(cell.key_at, "unknown column '" + cell.name + "' in " + what +
                              " (columns: " + column_names(table) + ")");
      }
      if (*index == table.key_column) {
        fail(cell.key_at, "the key column '" + cell.name +
                              "' is generated from start and count; it takes no value");
      }
      std::string cell_what = "value of column '" + cell.name + "'";
      if (table.columns[*index].type == ColumnType::integer) {
        rows.values[*index] = expression(cell.value, scope, cell_what);
      } else {
        rows.values[*index] = text(cell.value, cell_what);
      }
    }
  }
  return rows;
}

}  // namespace clobber::loader
