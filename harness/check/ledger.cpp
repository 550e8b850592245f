#include <algorithm>

#include "harness/check/checks.h"

namespace clobber {
namespace {

constexpr size_t kMaxListedDifferences = 100;

/// Where each table column sits in a snapshot row (-1: not an integer column).
std::vector<int> snapshot_positions(const TableDef& table) {
  std::vector<int> positions(table.columns.size(), -1);
  const auto integers = table.integer_columns();
  for (size_t i = 0; i < integers.size(); ++i) positions[integers[i]] = static_cast<int>(i);
  return positions;
}

}  // namespace

LedgerResult check_ledger(const Workload& workload, const std::vector<bool>& checked,
                          const std::vector<TableSnapshot>& seed,
                          const std::vector<TableSnapshot>& final_state,
                          const std::vector<WorkerLog>& logs) {
  // Expected ranges start at the seed values.
  std::vector<TableSnapshot> low = seed;
  std::vector<TableSnapshot> high = seed;
  std::vector<std::vector<int>> positions;
  for (const TableDef& table : workload.tables) positions.push_back(snapshot_positions(table));

  Records records;
  for (const WorkerLog& log : logs) {
    for (History::Reader reader = log.reader(); reader.next(records);) {
      for (const WriteRecord& write : records.writes) {
        if (write.durability != Durability::durable && write.durability != Durability::maybe)
          continue;
        auto lo = low[write.table].find(write.key);
        auto hi = high[write.table].find(write.key);
        if (lo == low[write.table].end()) continue;  // a row the seed lacks cannot be written
        for (uint32_t c = 0; c < write.change_count; ++c) {
          const ColumnChange& change = records.changes[write.first_change + c];
          const int position = positions[write.table][change.column];
          const int64_t delta = change.new_value - change.old_value;
          if (write.durability == Durability::durable) {
            lo->second[position] += delta;
            hi->second[position] += delta;
          } else {
            lo->second[position] += std::min<int64_t>(delta, 0);
            hi->second[position] += std::max<int64_t>(delta, 0);
          }
        }
      }
    }
  }

  LedgerResult result;
  for (size_t t = 0; t < workload.tables.size(); ++t) {
    if (!checked[t]) continue;
    const TableDef& table = workload.tables[t];
    const auto integers = table.integer_columns();
    std::vector<int64_t> keys;
    for (const auto& [key, values] : low[t]) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    for (int64_t key : keys) {
      ++result.rows_checked;
      const auto& lo = low[t].at(key);
      const auto& hi = high[t].at(key);
      const auto actual_row = final_state[t].find(key);
      for (size_t i = 0; i < integers.size(); ++i) {
        if (integers[i] == table.key_column) continue;
        const bool missing = actual_row == final_state[t].end();
        const int64_t actual = missing ? 0 : actual_row->second[i];
        if (!missing && actual >= lo[i] && actual <= hi[i]) continue;
        result.balanced = false;
        ++result.differences_total;
        result.lost_amount += actual < lo[i] ? lo[i] - actual : hi[i] - actual;
        if (result.differences.size() < kMaxListedDifferences)
          result.differences.push_back(RowDifference{
              table.name, key, table.columns[integers[i]].name, lo[i], hi[i], actual});
      }
    }
  }
  return result;
}

}  // namespace clobber
