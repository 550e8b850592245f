// ConsoleReporter: a header, one aligned row per cell, the comparison of
// databases when several ran, the details of failed cells, and the run's verdict line.
#include <algorithm>
#include <array>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "reports/comparison_table.h"
#include "reports/console_text.h"
#include "reports/reporter.h"

namespace clobber {
namespace {

/// How many differing ledger rows and anomalies a failed cell's details show.
constexpr size_t kDifferencesShown = 5;
constexpr size_t kAnomaliesShown = 3;
/// Columns the workload's description is wrapped to at most.
constexpr size_t kDescriptionWidth = 100;
/// No wrapping (--wide).
constexpr size_t kUnlimited = std::string::npos;

/// `text` on one line: control characters (newlines, escape sequences in server
/// messages) become spaces, so nothing shown can move the cursor or recolor.
std::string one_line(std::string_view text) {
  std::string line(text);
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') c = ' ';
  return line;
}

/// `text` on one line per `width` columns at most (longer words stay whole),
/// the first line starting with `indent`, the next ones with `rest`.
std::string wrapped(std::string_view text, std::string_view indent, std::string_view rest,
                    size_t width) {
  return wrap_words(one_line(text), indent, rest, width);
}

/// `text` wrapped to `width` with `indent`, continuation lines two columns
/// further in; as it is (on one line) when `width` is unlimited.
std::string lines(std::string_view text, std::string_view indent, size_t width) {
  if (width == kUnlimited) return std::string(indent) + one_line(text) + '\n';
  return wrapped(text, indent, std::string(indent) + "  ", width);
}

/// The first sentence of `text` (up to its first ". "), or all of it.
std::string first_sentence(std::string_view text) {
  const std::string line = one_line(text);
  const size_t stop = line.find(". ");
  if (stop == std::string::npos) return line;
  return line.substr(0, stop + 1) + " (--verbose: all of it)";
}

/// How the report names `database`: its label, or its masked URL as well when
/// another database of the run has the same label.
std::string database_title(const RunResult& result, const DatabaseInfo& database) {
  const std::string label = database_label(database);
  const bool shared = std::any_of(result.cells.begin(), result.cells.end(), [&](const auto& cell) {
    return !same_database(cell.database, database) && database_label(cell.database) == label;
  });
  return one_line(shared && !database.url.empty() ? label + " at " + database.url : label);
}

std::string cell_label(const CellResult& cell) {
  return fmt::format("{} / {} / {}", one_line(database_label(cell.database)),
                     to_string(cell.isolation), to_string(cell.locking));
}

/// The verdict: PASS/FAIL for cells that ran, SKIP and ERROR otherwise.
std::string_view verdict_label(const CellResult& cell) {
  switch (cell.status) {
    case CellStatus::unsupported:
      return "SKIP";
    case CellStatus::error:
      return "ERROR";
    case CellStatus::ran:
      break;
  }
  return cell.passed ? "PASS" : "FAIL";
}

/// A passing cell that lost updates, money or an invariant, or showed an
/// anomaly: the race its workload expects (e.g. the naive cells).
bool expected_race(const CellResult& cell) {
  if (cell.status != CellStatus::ran || !cell.passed) return false;
  return cell.lost_updates > 0 || cell.anomalies_total > 0 || !cell.ledger.balanced ||
         std::any_of(cell.invariants.begin(), cell.invariants.end(),
                     [](const InvariantResult& inv) { return inv.failed(); });
}

std::string_view verdict_color(std::string_view label) {
  if (label == "PASS") return kGreen;
  if (label == "SKIP") return kYellow;
  return kRed;
}

enum class Align { left, right };

/// Every column the per-cell table can show.
enum class Col {
  database,
  isolation,
  locking,
  status,
  committed,
  rejected,
  failed,
  rejected_failed,
  aborts_by_cause,
  aborts,
  retries,
  tps,
  latency3,
  latency2,
  lost_updates,
  lost_amount,
  invariants,
  verdict
};

/// One table column: header, alignment, what the legend says of it, and when
/// it gives way on a narrow console (0: never; higher: sooner).
struct Column {
  Col id;
  std::string_view header;
  Align align;
  std::string_view legend;
  int drop;
};

constexpr std::string_view kLostUpdatesLegend =
    "row writes overwritten by a transaction that had not seen them (counted per row write, so "
    "more than committed when a transaction writes several rows)";
constexpr std::string_view kLostAmountLegend =
    "the ledger's expected minus actual total (positive: money vanished; negative: money created)";

/// The columns of --wide: every number, aborts by cause.
constexpr std::array kWideColumns{
    Column{Col::database, "database", Align::left, "", 0},
    Column{Col::isolation, "isolation", Align::left, "", 0},
    Column{Col::locking, "locking", Align::left, "", 0},
    Column{Col::status, "status", Align::left, "ran, or error: could not run", 0},
    Column{Col::committed, "committed", Align::right, "transactions committed", 0},
    Column{Col::rejected, "rejected", Align::right,
           "transactions a check of the workload rolled back (a business rule)", 0},
    Column{Col::failed, "failed", Align::right,
           "transactions given up: their last attempt aborted and was not retried", 0},
    Column{Col::aborts_by_cause, "aborts s/d/lt/c/o", Align::right,
           "aborted attempts by serialization failure/deadlock/lock timeout/conflict (an "
           "optimistic write that matched no row)/other",
           0},
    Column{Col::retries, "retries", Align::right, "attempts retried after an abort", 0},
    Column{Col::tps, "tps", Align::right, "transactions committed per second", 0},
    Column{Col::latency3, "p50/p95/p99 ms", Align::right,
           "latency percentiles of committed transactions", 0},
    Column{Col::lost_updates, "lost upd", Align::right, kLostUpdatesLegend, 0},
    Column{Col::lost_amount, "lost amt", Align::right, kLostAmountLegend, 0},
    Column{Col::invariants, "invariants", Align::right, "invariants held/checked", 0},
    Column{Col::verdict, "verdict", Align::left, "", 0}};

/// The columns by default, the lesser ones dropped first when the console is narrow.
constexpr std::array kNarrowColumns{
    Column{Col::isolation, "isolation", Align::left, "", 0},
    Column{Col::locking, "locking", Align::left, "", 0},
    Column{Col::committed, "committed", Align::right, "transactions committed", 0},
    Column{Col::rejected_failed, "rej/fail", Align::right,
           "transactions a check of the workload rolled back (a business rule)/given up after "
           "their last attempt aborted",
           5},
    Column{Col::aborts, "aborts", Align::right,
           "aborted attempts (--wide: by cause), each retried or given up", 3},
    Column{Col::retries, "retries", Align::right, "attempts retried after an abort", 7},
    Column{Col::tps, "tps", Align::right, "transactions committed per second", 2},
    Column{Col::latency2, "p50/p99 ms", Align::right,
           "latency percentiles of committed transactions (--wide: p95 too)", 4},
    Column{Col::lost_updates, "lost upd", Align::right, kLostUpdatesLegend, 0},
    Column{Col::lost_amount, "lost amt", Align::right, kLostAmountLegend, 1},
    Column{Col::invariants, "inv", Align::right, "invariants held/checked", 6},
    Column{Col::verdict, "verdict", Align::left, "", 0}};

/// One table cell's text and color (empty: uncolored).
struct Field {
  std::string text;
  std::string_view color;
};

/// The text and color of `column` for `cell`; `wide`: the verdict spelled out.
Field cell_field(Col column, const RunResult& result, const CellResult& cell, bool wide) {
  const bool ran = cell.status == CellStatus::ran;
  const auto number = [ran](auto value) { return ran ? fmt::format("{}", value) : "-"; };
  const AbortCounts& aborts = cell.aborts;
  const LatencySummary& latency = cell.latency_ms;
  switch (column) {
    case Col::database:
      return {database_title(result, cell.database), {}};
    case Col::isolation:
      return {std::string(to_string(cell.isolation)), {}};
    case Col::locking:
      return {std::string(to_string(cell.locking)), {}};
    case Col::status:
      return {std::string(to_string(cell.status)), ran ? std::string_view{} : kRed};
    case Col::committed:
      return {number(cell.transactions.committed), {}};
    case Col::rejected:
      return {number(cell.transactions.rejected), {}};
    case Col::failed:
      return {number(cell.transactions.failed), {}};
    case Col::rejected_failed:
      return {
          ran ? fmt::format("{}/{}", cell.transactions.rejected, cell.transactions.failed) : "-",
          {}};
    case Col::aborts_by_cause:
      return {ran ? fmt::format("{}/{}/{}/{}/{}", aborts.serialization, aborts.deadlock,
                                aborts.lock_timeout, aborts.conflict, aborts.other)
                  : "-",
              {}};
    case Col::aborts:
      return {number(aborts.serialization + aborts.deadlock + aborts.lock_timeout +
                     aborts.conflict + aborts.other),
              {}};
    case Col::retries:
      return {number(cell.retries), {}};
    case Col::tps:
      return {ran ? fmt::format("{:.0f}", cell.throughput_tps) : "-", {}};
    case Col::latency3:
      return {
          ran ? fmt::format("{:.2f}/{:.2f}/{:.2f}", latency.p50, latency.p95, latency.p99) : "-",
          {}};
    case Col::latency2:
      return {ran ? fmt::format("{:.2f}/{:.2f}", latency.p50, latency.p99) : "-", {}};
    case Col::lost_updates:
      return {number(cell.lost_updates), ran && cell.lost_updates > 0 ? kRed : std::string_view{}};
    case Col::lost_amount:
      return {number(cell.ledger.lost_amount), {}};
    case Col::invariants: {
      // Checked: the invariants that ran (not those a database could not run).
      const auto held = std::count_if(cell.invariants.begin(), cell.invariants.end(),
                                      [](const InvariantResult& inv) { return inv.passed; });
      const auto checked = std::count_if(cell.invariants.begin(), cell.invariants.end(),
                                         [](const InvariantResult& inv) { return !inv.not_run; });
      if (!ran || checked == 0) return {"-", {}};
      return {fmt::format("{}/{}", held, checked), held < checked ? kRed : std::string_view{}};
    }
    case Col::verdict: {
      const std::string_view label = verdict_label(cell);
      if (!expected_race(cell)) return {std::string(label), verdict_color(label)};
      return {fmt::format("{} ({})", label, wide ? "expected race" : "race"), kGreen};
    }
  }
  return {};
}

/// Appends one table line: each field padded to its column's width, then colored;
/// the last column is not padded.
void append_line(std::string& out, std::span<const Field> row, std::span<const size_t> widths,
                 std::span<const Align> aligns, const Paint& paint) {
  for (size_t i = 0; i < row.size(); ++i) {
    const bool last = i + 1 == row.size();
    const size_t shown = display_width(row[i].text);
    const size_t pad = widths[i] > shown ? widths[i] - shown : 0;
    std::string text = row[i].text;
    if (aligns[i] == Align::right) text.insert(0, pad, ' ');
    if (aligns[i] == Align::left && !last) text.append(pad, ' ');
    out += paint(text, row[i].color);
    if (!last) out += "  ";
  }
  out += '\n';
}

/// Columns a table of `widths` takes, two spaces between columns.
size_t table_width(std::span<const size_t> widths) {
  size_t total = 0;
  for (size_t width : widths) total += width;
  return widths.empty() ? 0 : total + 2 * (widths.size() - 1);
}

/// Describes a set of cells of one database in a few words: "read_committed
/// (every locking)", "for_update at none, serializable", or "none/none, ...".
/// `lockings`: every locking the database ran or skipped in the run.
std::string describe_cells(const std::vector<const CellResult*>& cells,
                           const std::vector<Locking>& lockings) {
  const auto same = [&](auto field) {
    return std::all_of(cells.begin(), cells.end(),
                       [&](const CellResult* c) { return field(*c) == field(*cells[0]); });
  };
  std::string text;
  if (cells.size() == 1)
    return fmt::format("{}/{}", to_string(cells[0]->isolation), to_string(cells[0]->locking));
  if (same([](const CellResult& c) { return c.isolation; })) {
    if (cells.size() == lockings.size() && lockings.size() > 1)
      return fmt::format("{} (every locking)", to_string(cells[0]->isolation));
    for (const CellResult* c : cells) text += fmt::format(", {}", to_string(c->locking));
    return fmt::format("{} with {}", to_string(cells[0]->isolation), text.substr(2));
  }
  if (same([](const CellResult& c) { return c.locking; })) {
    for (const CellResult* c : cells) text += fmt::format(", {}", to_string(c->isolation));
    return fmt::format("{} at {}", to_string(cells[0]->locking), text.substr(2));
  }
  for (const CellResult* c : cells)
    text += fmt::format(", {}/{}", to_string(c->isolation), to_string(c->locking));
  return text.substr(2);
}

/// Names a set of cells of a run, database by database: "sqlite 3.40.1
/// none (every locking); postgresql 15.20 read_committed/none".
std::string name_cells(const RunResult& result, const std::vector<const CellResult*>& cells) {
  std::string text;
  std::vector<const DatabaseInfo*> done;
  for (const CellResult* cell : cells) {
    const DatabaseInfo& db = cell->database;
    if (std::any_of(done.begin(), done.end(),
                    [&](const DatabaseInfo* seen) { return same_database(*seen, db); }))
      continue;
    done.push_back(&db);
    std::vector<const CellResult*> mine;
    std::copy_if(cells.begin(), cells.end(), std::back_inserter(mine),
                 [&](const CellResult* c) { return same_database(c->database, db); });
    std::vector<Locking> lockings;
    for (const CellResult& c : result.cells)
      if (same_database(c.database, db) && c.isolation == mine[0]->isolation)
        lockings.push_back(c.locking);
    // The lockings of the first cell's level, for "(every locking)".
    text += fmt::format("{}{} {}", text.empty() ? "" : "; ", database_title(result, db),
                        describe_cells(mine, lockings));
  }
  return text;
}

void append_table(std::string& out, const RunResult& result, const ConsoleOptions& options,
                  const Paint& paint) {
  const bool wide = options.wide;
  std::vector<Column> columns;
  if (wide)
    columns.assign(kWideColumns.begin(), kWideColumns.end());
  else
    columns.assign(kNarrowColumns.begin(), kNarrowColumns.end());

  std::vector<const CellResult*> shown;  // unsupported cells are listed under the table
  for (const CellResult& cell : result.cells)
    if (cell.status != CellStatus::unsupported) shown.push_back(&cell);

  const auto measure = [&] {
    std::vector<size_t> widths;
    for (const Column& column : columns) {
      size_t width = display_width(column.header);
      for (const CellResult* cell : shown)
        width = std::max(width, display_width(cell_field(column.id, result, *cell, wide).text));
      widths.push_back(width);
    }
    return widths;
  };
  std::vector<size_t> widths = measure();
  std::vector<std::string_view> dropped;
  while (!wide && table_width(widths) > options.width) {
    const auto next =
        std::max_element(columns.begin(), columns.end(),
                         [](const Column& a, const Column& b) { return a.drop < b.drop; });
    if (next->drop == 0) break;
    dropped.push_back(next->header);
    widths.erase(widths.begin() + (next - columns.begin()));
    columns.erase(next);
  }
  std::vector<Align> aligns;
  std::vector<Field> header;
  for (const Column& column : columns) {
    aligns.push_back(column.align);
    header.push_back(Field{std::string(column.header), kBold});
  }

  if (!shown.empty()) append_line(out, header, widths, aligns, paint);
  const DatabaseInfo* previous = nullptr;
  for (const CellResult* cell : shown) {
    if (!wide && (previous == nullptr || !same_database(*previous, cell->database)))
      out += paint(database_title(result, cell->database), kBold) + '\n';
    previous = &cell->database;
    std::vector<Field> row;
    for (const Column& column : columns) row.push_back(cell_field(column.id, result, *cell, wide));
    append_line(out, row, widths, aligns, paint);
    const size_t width = wide ? kUnlimited : options.width;
    if (cell->status == CellStatus::error && !cell->reason.empty())
      out += lines(fmt::format("error: {}", cell->reason), "    ", width);
    for (const CellError& error : cell->errors)
      out += paint.lines(
          lines(fmt::format("error {} x{}: {}", one_line(error.code), error.count, error.message),
                "    ", width),
          kRed);
    if (cell->errors_total > static_cast<int64_t>(cell->errors.size()))
      out += fmt::format("    ... {} more distinct errors\n",
                         cell->errors_total - static_cast<int64_t>(cell->errors.size()));
    if (cell->chaos.kill_rate > 0 || cell->chaos.reconnects > 0) {
      std::string line = "    faults:";
      if (cell->chaos.kill_rate > 0)
        line += fmt::format(" chaos killed {} sessions ({:g}/s asked),", cell->chaos.kills,
                            cell->chaos.kill_rate);
      out += line + fmt::format(" {} reconnects\n", cell->chaos.reconnects);
    }
  }

  // Unsupported cells: one line per (database, reason).
  std::vector<std::vector<const CellResult*>> groups;
  for (const CellResult& cell : result.cells) {
    if (cell.status != CellStatus::unsupported) continue;
    auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return same_database(g[0]->database, cell.database) && g[0]->reason == cell.reason;
    });
    if (group == groups.end())
      groups.push_back({&cell});
    else
      group->push_back(&cell);
  }
  if (!groups.empty()) out += paint("not run (unsupported):", kYellow) + '\n';
  for (const auto& group : groups)
    out += lines(fmt::format("{}: {}", name_cells(result, group), group[0]->reason), "  ",
                 wide ? kUnlimited : options.width);

  // The legend: every column shown, and what gave way to the width.
  if (shown.empty()) return;
  std::string legend;
  bool race = false;
  for (const CellResult* cell : shown) race = race || expected_race(*cell);
  for (const Column& column : columns)
    if (!column.legend.empty()) legend += fmt::format("{}: {}; ", column.header, column.legend);
  if (race)
    legend += fmt::format(
        "{}: met its expectations while losing updates or showing anomalies, as the workload "
        "expects; ",
        wide ? "PASS (expected race)" : "PASS (race)");
  if (!dropped.empty()) {
    std::string names;
    for (std::string_view name : dropped)
      names += fmt::format("{}{}", names.empty() ? "" : ", ", name);
    legend += fmt::format("not shown at {} columns: {} (--wide shows every column); ",
                          options.width, names);
  }
  legend.resize(legend.size() - 2);
  out += paint.lines(wrapped(legend, "", "", options.width), kDim);
}

/// Widths of a comparison column's parts, so that the numbers of its entries line up.
struct EntryWidths {
  size_t lost = 0, abort = 0, tps = 0;
};

/// A comparison entry as shown: the numbers padded to `widths`, failed cells in
/// red; short ("223/0%/1243") unless `wide`.
Field entry_field(const ComparisonEntry& entry, const EntryWidths& widths, bool wide) {
  switch (entry.state) {
    case EntryState::unsupported:
      return Field{to_string(entry), kYellow};
    case EntryState::error:
      return Field{to_string(entry), kRed};
    case EntryState::not_run:
      return Field{to_string(entry), kDim};
    case EntryState::passed:
    case EntryState::failed:
      break;
  }
  const bool failed = entry.state == EntryState::failed;
  const std::string text =
      wide ? fmt::format("lost {:>{}} | abort {:>{}} | {:>{}} tps{}", entry.lost, widths.lost,
                         entry.abort, widths.abort, entry.tps, widths.tps, failed ? " FAIL" : "")
           : short_string(entry);
  return Field{text, failed ? kRed : std::string_view{}};
}

/// The comparison of databases (only when the run covered several): one row per
/// (isolation, locking), one column per database; the databases split into
/// several tables when they do not fit the width.
void append_comparison(std::string& out, const RunResult& result, const ConsoleOptions& options,
                       const Paint& paint) {
  const ComparisonTable table = build_comparison(result);
  if (table.columns.empty()) return;

  std::vector<EntryWidths> parts(table.columns.size());
  for (const ComparisonRow& row : table.rows) {
    for (size_t c = 0; c < row.entries.size(); ++c) {
      parts[c].lost = std::max(parts[c].lost, display_width(row.entries[c].lost));
      parts[c].abort = std::max(parts[c].abort, display_width(row.entries[c].abort));
      parts[c].tps = std::max(parts[c].tps, display_width(row.entries[c].tps));
    }
  }

  // Every column's width: isolation, locking, then one per database.
  std::vector<std::vector<Field>> lines(1 + table.rows.size());
  lines[0] = {Field{"isolation", kBold}, Field{"locking", kBold}};
  for (const std::string& column : table.columns)
    lines[0].push_back(Field{one_line(column), kBold});
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const ComparisonRow& row = table.rows[r];
    std::vector<Field>& line = lines[1 + r];
    line = {Field{std::string(to_string(row.isolation)), {}},
            Field{std::string(to_string(row.locking)), {}}};
    for (size_t c = 0; c < row.entries.size(); ++c)
      line.push_back(entry_field(row.entries[c], parts[c], options.wide));
  }
  std::vector<size_t> widths(lines[0].size(), 0);
  for (const std::vector<Field>& line : lines)
    for (size_t i = 0; i < line.size(); ++i)
      widths[i] = std::max(widths[i], display_width(line[i].text));

  // The databases, in runs of as many as fit beside the two first columns.
  for (size_t first = 2; first < widths.size();) {
    size_t last = first + 1;
    while (!options.wide && last < widths.size() &&
           table_width(std::vector<size_t>{widths[0], widths[1]}) + 2 +
                   table_width(std::span(widths).subspan(first, last + 1 - first)) <=
               options.width)
      ++last;
    if (options.wide) last = widths.size();
    std::vector<size_t> part{widths[0], widths[1]};
    part.insert(part.end(), widths.begin() + first, widths.begin() + last);
    const std::vector<Align> aligns(part.size(), Align::left);
    out += '\n';
    for (const std::vector<Field>& line : lines) {
      std::vector<Field> cut{line[0], line[1]};
      cut.insert(cut.end(), line.begin() + first, line.begin() + last);
      append_line(out, cut, part, aligns, paint);
    }
    first = last;
  }
  out += paint.lines(
      wrapped(options.wide ? "per database: lost updates | aborted attempts among all attempts | "
                             "committed transactions per second; FAIL: failed its expectations; "
                             "-: not run"
                           : "per database: lost updates/aborted attempts among all attempts/"
                             "committed transactions per second; FAIL: failed its expectations; "
                             "-: not run",
              "", "", options.width),
      kDim);
}

void append_header(std::string& out, const RunResult& result, const ConsoleOptions& options,
                   const Paint& paint) {
  const size_t width = options.wide ? kUnlimited : options.width;
  std::string title = fmt::format("clobber {}: {}", result.version, one_line(result.workload));
  if (!result.workload_file.empty()) title += fmt::format(" ({})", one_line(result.workload_file));
  out += paint(title, kBold) + '\n';
  out +=
      wrapped(options.verbose ? one_line(result.description) : first_sentence(result.description),
              "  ", "  ", std::min(options.width, kDescriptionWidth));
  out +=
      lines(fmt::format("seed {} (replay with --seed {}){}", result.seed, result.seed,
                        result.started_at.empty() ? std::string()
                                                  : fmt::format(", started {}", result.started_at)),
            "  ", width);

  // Each database once, with its full version and the URL (password masked)
  // that tells same-kind servers apart.
  std::vector<const DatabaseInfo*> shown;
  for (const CellResult& cell : result.cells) {
    const DatabaseInfo& db = cell.database;
    const bool seen = std::any_of(shown.begin(), shown.end(), [&](const DatabaseInfo* other) {
      return same_database(*other, db);
    });
    if (seen) continue;
    shown.push_back(&db);
    std::string line = fmt::format("database {}", database_label(db));
    if (!db.url.empty()) line += fmt::format(" at {}", db.url);
    if (database_name(db) != database_label(db))
      line += fmt::format(", server {}", db.server_version);
    for (size_t i = 0; i < db.settings.size(); ++i) {
      const auto& [name, value] = db.settings[i];
      // A password given as a URL option is a setting too: never shown.
      line +=
          fmt::format("{}{}={}", i == 0 ? " (" : ", ", name, name == "password" ? "***" : value);
    }
    if (!db.settings.empty()) line += ')';
    out += lines(line, "  ", width);
  }
  if (result.interrupted) out += paint("  interrupted: this is a partial report\n", kYellow);
  out += '\n';
}

void append_cell_details(std::string& out, const CellResult& cell, size_t width,
                         const Paint& paint) {
  out += '\n' + paint("FAIL", kRed) + ' ' + paint(cell_label(cell), kBold) + '\n';
  for (const ExpectationResult& exp : cell.expectations) {
    if (exp.passed) continue;
    std::string line = fmt::format("expectation failed: {}", exp.description);
    if (!exp.actual.empty()) line += fmt::format("; actual {}", exp.actual);
    out += lines(line, "  ", width);
  }
  for (const InvariantResult& inv : cell.invariants) {
    if (!inv.failed()) continue;
    std::string line = fmt::format("invariant failed: {}: expected {}, actual {}", inv.name,
                                   inv.expected, inv.actual);
    if (!inv.error.empty()) line += fmt::format(" ({})", inv.error);
    out += lines(line, "  ", width);
  }

  const LedgerResult& ledger = cell.ledger;
  if (!ledger.balanced || ledger.differences_total > 0) {
    out += fmt::format(
        "  ledger: {} values differ ({} rows checked), lost amount {} (expected minus actual{})\n",
        ledger.differences_total, ledger.rows_checked, ledger.lost_amount,
        ledger.lost_amount < 0   ? ": money created"
        : ledger.lost_amount > 0 ? ": money vanished"
                                 : "");
    const size_t shown = std::min(ledger.differences.size(), kDifferencesShown);
    for (size_t i = 0; i < shown; ++i) {
      const RowDifference& row = ledger.differences[i];
      const std::string expected = row.expected_max > row.expected
                                       ? fmt::format("{}..{}", row.expected, row.expected_max)
                                       : fmt::format("{}", row.expected);
      out += lines(fmt::format("{}[{}].{}: expected {}, actual {}", row.table, row.key, row.column,
                               expected, row.actual),
                   "    ", width);
    }
    if (ledger.differences_total > static_cast<int64_t>(shown))
      out +=
          fmt::format("    ... {} more\n", ledger.differences_total - static_cast<int64_t>(shown));
  }

  if (cell.anomalies_total > 0 || !cell.anomalies.empty()) {
    const int64_t total =
        std::max(cell.anomalies_total, static_cast<int64_t>(cell.anomalies.size()));
    out += fmt::format("  anomalies: {}\n", total);
    const size_t shown = std::min(cell.anomalies.size(), kAnomaliesShown);
    for (size_t i = 0; i < shown; ++i) {
      const Anomaly& anomaly = cell.anomalies[i];
      std::string where = one_line(anomaly.table);
      if (!anomaly.table.empty()) where += fmt::format("[{}]", anomaly.key);
      if (!anomaly.column.empty()) where += '.' + one_line(anomaly.column);
      out += lines(fmt::format("{} on {}: {}", anomaly.type, where, anomaly.explanation), "    ",
                   width);
      for (const AnomalyEdge& edge : anomaly.edges)
        out += lines(fmt::format("{}: {}", edge.kind, edge.explanation), "      ", width);
      if (!anomaly.rules_out.empty()) {
        std::string levels;
        for (const std::string& level : anomaly.rules_out)
          levels += (levels.empty() ? "" : ", ") + one_line(level);
        out += lines(fmt::format("rules out: {}", levels), "      ", width);
      }
    }
    if (total > static_cast<int64_t>(shown))
      out += fmt::format("    ... {} more\n", total - static_cast<int64_t>(shown));
  }
}

/// What the exact checks left out, and why: each distinct note once, with the
/// cells it is about.
void append_notes(std::string& out, const RunResult& result, size_t width) {
  std::vector<std::pair<std::string, std::vector<const CellResult*>>> notes;
  for (const CellResult& cell : result.cells) {
    std::vector<std::string> cell_notes = cell.notes;
    for (const InvariantResult& inv : cell.invariants)
      if (inv.not_run)
        cell_notes.push_back(fmt::format("invariant '{}' not run: {}", inv.name, inv.note));
    for (const std::string& note : cell_notes) {
      auto it = std::find_if(notes.begin(), notes.end(),
                             [&](const auto& seen) { return seen.first == note; });
      if (it == notes.end()) {
        notes.emplace_back(note, std::vector<const CellResult*>{&cell});
      } else {
        it->second.push_back(&cell);
      }
    }
  }
  if (!notes.empty()) out += '\n';
  const auto ran = static_cast<size_t>(
      std::count_if(result.cells.begin(), result.cells.end(),
                    [](const CellResult& cell) { return cell.status == CellStatus::ran; }));
  for (const auto& [note, cells] : notes) {
    const std::string which =
        cells.size() > 1 && cells.size() == ran
            ? fmt::format("every cell that ran, {}", cells.size())
            : fmt::format("{} cell{}: {}", cells.size(), cells.size() == 1 ? "" : "s",
                          name_cells(result, cells));
    out += lines(fmt::format("note ({}): {}", which, note), "", width);
  }
}

void append_verdict(std::string& out, const RunResult& result, size_t width, const Paint& paint) {
  size_t passed = 0, failed = 0, skipped = 0, errors = 0, races = 0;
  for (const CellResult& cell : result.cells) {
    const std::string_view label = verdict_label(cell);
    if (label == "PASS") ++passed;
    if (label == "FAIL") ++failed;
    if (label == "SKIP") ++skipped;
    if (label == "ERROR") ++errors;
    races += expected_race(cell);
  }
  std::string_view label = result.passed ? "PASS" : "FAIL";
  if (failed == 0 && errors > 0) label = "ERROR";

  std::string summary = "no cell ran to the end";
  if (failed > 0)
    summary = fmt::format("{} of {} cells failed their expectations", failed, passed + failed);
  else if (passed > 0)
    summary = fmt::format("{} of {} cells met their expectations", passed, passed);
  if (races > 0) summary += fmt::format(" ({} as an expected race)", races);
  if (skipped > 0) summary += fmt::format(", {} unsupported", skipped);
  if (errors > 0) summary += fmt::format(", {} could not run", errors);
  if (result.explore) summary += " (--explore: reported, not failing)";
  if (result.interrupted) summary += " (interrupted: partial report)";
  // Wrapped as plain text, then the label colored.
  std::string line = lines(fmt::format("verdict: {} - {}", label, summary), "", width);
  line.replace(std::string_view("verdict: ").size(), label.size(),
               paint(label, verdict_color(label)));
  out += '\n' + line;
}

}  // namespace

void ConsoleReporter::report(const RunResult& result, std::ostream& out) const {
  const Paint paint(options_.color);
  const size_t width = options_.wide ? kUnlimited : options_.width;
  std::string text;
  append_header(text, result, options_, paint);
  if (result.cells.empty()) {
    text += "no cells ran\n";
  } else {
    append_table(text, result, options_, paint);
    append_comparison(text, result, options_, paint);
  }
  for (const CellResult& cell : result.cells)
    if (cell.status == CellStatus::ran && !cell.passed)
      append_cell_details(text, cell, width, paint);
  append_notes(text, result, width);
  append_verdict(text, result, width, paint);
  out << text;
}

}  // namespace clobber
