// build_comparison: the databases of a run side by side, per (isolation, locking).
#include "reports/comparison_table.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "reports/reporter.h"

namespace clobber {
namespace {

/// Index of the first element of `items` matching `pred`, appending `make()` when none does.
template <typename T, typename Pred, typename Make>
size_t index_of(std::vector<T>& items, Pred pred, Make make) {
  const auto found = std::find_if(items.begin(), items.end(), pred);
  if (found != items.end()) return static_cast<size_t>(std::distance(items.begin(), found));
  items.push_back(make());
  return items.size() - 1;
}

/// An abort rate as a whole percentage that never rounds a few aborts away to
/// "0%", nor a few commits away to "100%".
std::string percent(double rate) {
  const double value = rate * 100.0;
  if (value > 0.0 && value < 0.5) return "<1%";
  if (value < 100.0 && value >= 99.5) return ">99%";
  return fmt::format("{:.0f}%", value);
}

}  // namespace

ComparisonEntry comparison_entry(const CellResult& cell) {
  ComparisonEntry entry;
  switch (cell.status) {
    case CellStatus::unsupported:
      entry.state = EntryState::unsupported;
      return entry;
    case CellStatus::error:
      entry.state = EntryState::error;
      return entry;
    case CellStatus::ran:
      break;
  }
  entry.state = cell.passed ? EntryState::passed : EntryState::failed;
  entry.lost = fmt::format("{}", cell.lost_updates);
  entry.abort = percent(cell.abort_rate());
  entry.tps = fmt::format("{:.0f}", cell.throughput_tps);
  return entry;
}

bool same_database(const DatabaseInfo& a, const DatabaseInfo& b) {
  return a.kind == b.kind && a.server_version == b.server_version && a.url == b.url;
}

std::string database_name(const DatabaseInfo& database) {
  if (database.server_version.empty()) return std::string(to_string(database.kind));
  return fmt::format("{} {}", to_string(database.kind), database.server_version);
}

ComparisonTable build_comparison(const RunResult& result) {
  std::vector<const DatabaseInfo*> databases;
  std::vector<size_t> column_of;  // per cell
  for (const CellResult& cell : result.cells) {
    column_of.push_back(index_of(
        databases, [&](const DatabaseInfo* db) { return same_database(*db, cell.database); },
        [&] { return &cell.database; }));
  }
  ComparisonTable table;
  if (databases.size() < 2) return table;

  for (const DatabaseInfo* db : databases) {
    const std::string name = database_label(*db);
    const bool shared = std::count_if(databases.begin(), databases.end(), [&](auto* other) {
                          return database_label(*other) == name;
                        }) > 1;
    table.columns.push_back(shared && !db->url.empty() ? db->url : name);
  }

  for (size_t i = 0; i < result.cells.size(); ++i) {
    const CellResult& cell = result.cells[i];
    const size_t row = index_of(
        table.rows,
        [&](const ComparisonRow& r) {
          return r.isolation == cell.isolation && r.locking == cell.locking;
        },
        [&] {
          return ComparisonRow{cell.isolation, cell.locking,
                               std::vector<ComparisonEntry>(databases.size())};
        });
    ComparisonEntry& entry = table.rows[row].entries[column_of[i]];
    if (entry.state == EntryState::not_run) entry = comparison_entry(cell);
  }
  return table;
}

std::string to_string(const ComparisonEntry& entry) {
  switch (entry.state) {
    case EntryState::unsupported:
      return "unsupported";
    case EntryState::error:
      return "error";
    case EntryState::not_run:
      return "-";
    case EntryState::passed:
    case EntryState::failed:
      break;
  }
  return fmt::format("lost {} | abort {} | {} tps{}", entry.lost, entry.abort, entry.tps,
                     entry.state == EntryState::failed ? " FAIL" : "");
}

std::string short_string(const ComparisonEntry& entry) {
  if (entry.state != EntryState::passed && entry.state != EntryState::failed)
    return to_string(entry);
  return fmt::format("{}/{}/{}{}", entry.lost, entry.abort, entry.tps,
                     entry.state == EntryState::failed ? " FAIL" : "");
}

}  // namespace clobber
