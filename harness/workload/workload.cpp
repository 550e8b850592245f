#include "harness/workload/workload.h"

#include <algorithm>

namespace clobber {

std::optional<size_t> TableDef::column_index(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return i;
  }
  return std::nullopt;
}

std::vector<size_t> TableDef::integer_columns() const {
  std::vector<size_t> result;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].type == ColumnType::integer) result.push_back(i);
  }
  return result;
}

bool RetryPolicy::retries(AbortCause cause) const {
  return std::find(retry_on.begin(), retry_on.end(), cause) != retry_on.end();
}

std::optional<size_t> Workload::table_index(std::string_view table) const {
  for (size_t i = 0; i < tables.size(); ++i) {
    if (tables[i].name == table) return i;
  }
  return std::nullopt;
}

}  // namespace clobber
