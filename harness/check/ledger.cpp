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

/// One table's expected ranges: per row of the seed (by key), per integer
/// column (in snapshot order), the lowest and highest value its writes allow.
/// Flat arrays, not copies of the seed's maps: a few bytes per row.
struct Expected {
  std::vector<int64_t> keys;                  // the seed's keys, sorted
  std::unordered_map<int64_t, uint32_t> row;  // key -> index into keys
  size_t width = 0;                           // integer columns
  std::vector<int64_t> low, high;             // row * width + position

  explicit Expected(const TableSnapshot& seed) {
    keys.reserve(seed.size());
    for (const auto& [key, values] : seed) {
      keys.push_back(key);
      width = values.size();
    }
    std::sort(keys.begin(), keys.end());
    row.reserve(keys.size());
    low.resize(keys.size() * width);
    for (uint32_t r = 0; r < keys.size(); ++r) {
      row.emplace(keys[r], r);
      const std::vector<int64_t>& values = seed.at(keys[r]);
      std::copy(values.begin(), values.end(), low.begin() + static_cast<ptrdiff_t>(r * width));
    }
    high = low;
  }
};

}  // namespace

LedgerResult check_ledger(const Workload& workload, const std::vector<bool>& checked,
                          const std::vector<TableSnapshot>& seed,
                          const std::vector<TableSnapshot>& final_state,
                          const std::vector<WorkerLog>& logs) {
  // Expected ranges start at the seed values.
  std::vector<Expected> expected;
  std::vector<std::vector<int>> positions;
  for (size_t t = 0; t < workload.tables.size(); ++t) {
    expected.emplace_back(seed[t]);
    positions.push_back(snapshot_positions(workload.tables[t]));
  }

  Records records;
  for (const WorkerLog& log : logs) {
    for (History::Reader reader = log.reader(); reader.next(records);) {
      for (const WriteRecord& write : records.writes) {
        if (write.durability != Durability::durable && write.durability != Durability::maybe)
          continue;
        Expected& e = expected[write.table];
        const auto row = e.row.find(write.key);
        if (row == e.row.end()) continue;  // a row the seed lacks cannot be written
        int64_t* lo = e.low.data() + row->second * e.width;
        int64_t* hi = e.high.data() + row->second * e.width;
        for (uint32_t c = 0; c < write.change_count; ++c) {
          const ColumnChange& change = records.changes[write.first_change + c];
          const int position = positions[write.table][change.column];
          const int64_t delta = change.new_value - change.old_value;
          if (write.durability == Durability::durable) {
            lo[position] += delta;
            hi[position] += delta;
          } else {
            lo[position] += std::min<int64_t>(delta, 0);
            hi[position] += std::max<int64_t>(delta, 0);
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
    const Expected& e = expected[t];
    for (uint32_t r = 0; r < e.keys.size(); ++r) {
      const int64_t key = e.keys[r];
      ++result.rows_checked;
      const int64_t* lo = e.low.data() + r * e.width;
      const int64_t* hi = e.high.data() + r * e.width;
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
