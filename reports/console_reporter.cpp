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
/// Columns the workload's description is wrapped to.
constexpr size_t kDescriptionWidth = 100;

/// `text` on one line: control characters (newlines, escape sequences in server
/// messages) become spaces, so nothing shown can move the cursor or recolor.
std::string one_line(std::string_view text) {
  std::string line(text);
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') c = ' ';
  return line;
}

/// `text` on one line per `width` columns at most (longer words stay whole),
/// each line starting with `indent`.
std::string wrapped(std::string_view text, std::string_view indent, size_t width) {
  std::string out;
  size_t line_width = 0;
  const std::string line = one_line(text);
  for (size_t at = 0; at < line.size();) {
    const size_t start = line.find_first_not_of(' ', at);
    if (start == std::string::npos) break;
    const size_t end = std::min(line.find(' ', start), line.size());
    const std::string_view word(line.data() + start, end - start);
    if (line_width > 0 && line_width + 1 + display_width(word) > width) {
      out += '\n';
      line_width = 0;
    }
    out += line_width == 0 ? std::string(indent) : std::string(" ");
    out += word;
    line_width += (line_width == 0 ? indent.size() : 1) + display_width(word);
    at = end;
  }
  return out.empty() ? out : out + '\n';
}

std::string database_column(const DatabaseInfo& database) {
  return one_line(database_name(database));
}

std::string cell_label(const CellResult& cell) {
  return fmt::format("{} / {} / {}", database_column(cell.database), to_string(cell.isolation),
                     to_string(cell.locking));
}

/// The verdict column: PASS/FAIL for cells that ran, SKIP and ERROR otherwise.
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

std::string_view verdict_color(std::string_view label) {
  if (label == "PASS") return kGreen;
  if (label == "SKIP") return kYellow;
  return kRed;
}

enum class Align { left, right };

/// One table column: its header and alignment.
struct Column {
  std::string_view header;
  Align align;
};

constexpr std::array kColumns{
    Column{"database", Align::left},        Column{"isolation", Align::left},
    Column{"locking", Align::left},         Column{"status", Align::left},
    Column{"committed", Align::right},      Column{"rejected", Align::right},
    Column{"failed", Align::right},         Column{"aborts s/d/lt/c/o", Align::right},
    Column{"retries", Align::right},        Column{"tps", Align::right},
    Column{"p50/p95/p99 ms", Align::right}, Column{"lost upd", Align::right},
    Column{"lost amt", Align::right},       Column{"invariants", Align::right},
    Column{"verdict", Align::left}};

/// One table cell's text and color (empty: uncolored).
struct Field {
  std::string text;
  std::string_view color;
};

using Row = std::array<Field, kColumns.size()>;

std::string latency_label(const LatencySummary& latency) {
  return fmt::format("{:.2f}/{:.2f}/{:.2f}", latency.p50, latency.p95, latency.p99);
}

Row cell_row(const CellResult& cell) {
  const bool ran = cell.status != CellStatus::unsupported;
  const auto number = [ran](auto value) { return ran ? fmt::format("{}", value) : "-"; };
  const AbortCounts& aborts = cell.aborts;
  const int64_t invariants_passed =
      std::count_if(cell.invariants.begin(), cell.invariants.end(),
                    [](const InvariantResult& inv) { return inv.passed; });
  const std::string_view verdict = verdict_label(cell);
  std::string_view status_color;
  if (cell.status == CellStatus::unsupported) status_color = kYellow;
  if (cell.status == CellStatus::error) status_color = kRed;
  return Row{
      Field{database_column(cell.database), {}},
      Field{std::string(to_string(cell.isolation)), {}},
      Field{std::string(to_string(cell.locking)), {}},
      Field{std::string(to_string(cell.status)), status_color},
      Field{number(cell.transactions.committed), {}},
      Field{number(cell.transactions.rejected), {}},
      Field{number(cell.transactions.failed), {}},
      Field{ran ? fmt::format("{}/{}/{}/{}/{}", aborts.serialization, aborts.deadlock,
                              aborts.lock_timeout, aborts.conflict, aborts.other)
                : "-",
            {}},
      Field{number(cell.retries), {}},
      Field{ran ? fmt::format("{:.0f}", cell.throughput_tps) : "-", {}},
      Field{ran ? latency_label(cell.latency_ms) : "-", {}},
      Field{number(cell.lost_updates), ran && cell.lost_updates > 0 ? kRed : std::string_view{}},
      Field{number(cell.ledger.lost_amount), {}},
      Field{!ran || cell.invariants.empty()
                ? "-"
                : fmt::format("{}/{}", invariants_passed, cell.invariants.size()),
            invariants_passed < static_cast<int64_t>(cell.invariants.size()) ? kRed
                                                                             : std::string_view{}},
      Field{std::string(verdict), verdict_color(verdict)}};
}

/// Appends one table line: each field padded to its column's width, then colored;
/// the last column is not padded.
void append_line(std::string& out, std::span<const Field> row, std::span<const size_t> widths,
                 std::span<const Align> aligns, const Paint& paint) {
  for (size_t i = 0; i < row.size(); ++i) {
    const bool last = i + 1 == row.size();
    const size_t pad = widths[i] - display_width(row[i].text);
    std::string text = row[i].text;
    if (aligns[i] == Align::right) text.insert(0, pad, ' ');
    if (aligns[i] == Align::left && !last) text.append(pad, ' ');
    out += paint(text, row[i].color);
    if (!last) out += "  ";
  }
  out += '\n';
}

void append_table(std::string& out, const RunResult& result, const Paint& paint) {
  Row header;
  for (size_t i = 0; i < kColumns.size(); ++i)
    header[i] = Field{std::string(kColumns[i].header), kBold};
  std::vector<Row> rows;
  rows.reserve(result.cells.size());
  for (const CellResult& cell : result.cells) rows.push_back(cell_row(cell));

  std::array<size_t, kColumns.size()> widths{};
  std::array<Align, kColumns.size()> aligns{};
  for (size_t i = 0; i < kColumns.size(); ++i) {
    widths[i] = display_width(header[i].text);
    for (const Row& row : rows) widths[i] = std::max(widths[i], display_width(row[i].text));
    aligns[i] = kColumns[i].align;
  }

  append_line(out, header, widths, aligns, paint);
  for (size_t r = 0; r < rows.size(); ++r) {
    append_line(out, rows[r], widths, aligns, paint);
    const CellResult& cell = result.cells[r];
    if (cell.status != CellStatus::ran && !cell.reason.empty())
      out += fmt::format("    {}: {}\n", to_string(cell.status), one_line(cell.reason));
    for (const CellError& error : cell.errors)
      out += paint(fmt::format("    error {} x{}: {}\n", one_line(error.code), error.count,
                               one_line(error.message)),
                   kRed);
    if (cell.errors_total > static_cast<int64_t>(cell.errors.size()))
      out += fmt::format("    ... {} more distinct errors\n",
                         cell.errors_total - static_cast<int64_t>(cell.errors.size()));
    if (cell.chaos.kill_rate > 0 || cell.chaos.reconnects > 0) {
      std::string line = "    faults:";
      if (cell.chaos.kill_rate > 0)
        line += fmt::format(" chaos killed {} sessions ({:g}/s asked),", cell.chaos.kills,
                            cell.chaos.kill_rate);
      out += line + fmt::format(" {} reconnects\n", cell.chaos.reconnects);
    }
  }
  out += paint(
      "aborts s/d/lt/c/o: serialization/deadlock/lock timeout/conflict/other; latency of "
      "committed transactions; lost amt: the ledger's missing amount\n",
      kDim);
}

/// Widths of a comparison column's parts, so that the numbers of its entries line up.
struct EntryWidths {
  size_t lost = 0, abort = 0, tps = 0;
};

/// A comparison entry as shown: the numbers padded to `widths`, failed cells in red.
Field entry_field(const ComparisonEntry& entry, const EntryWidths& widths) {
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
  return Field{fmt::format("lost {:>{}} | abort {:>{}} | {:>{}} tps{}", entry.lost, widths.lost,
                           entry.abort, widths.abort, entry.tps, widths.tps, failed ? " FAIL" : ""),
               failed ? kRed : std::string_view{}};
}

/// The comparison of databases (only when the run covered several): one row per
/// (isolation, locking), one column per database.
void append_comparison(std::string& out, const RunResult& result, const Paint& paint) {
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

  const size_t columns = 2 + table.columns.size();
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
      line.push_back(entry_field(row.entries[c], parts[c]));
  }

  std::vector<size_t> widths(columns, 0);
  for (const std::vector<Field>& line : lines)
    for (size_t i = 0; i < line.size(); ++i)
      widths[i] = std::max(widths[i], display_width(line[i].text));
  const std::vector<Align> aligns(columns, Align::left);

  out += '\n';
  for (const std::vector<Field>& line : lines) append_line(out, line, widths, aligns, paint);
  out += paint(
      "per database: lost updates | aborted attempts among all attempts | committed "
      "transactions per second; FAIL: failed its expectations; -: not run\n",
      kDim);
}

void append_header(std::string& out, const RunResult& result, const Paint& paint) {
  std::string title = fmt::format("clobber {}: {}", result.version, one_line(result.workload));
  if (!result.workload_file.empty()) title += fmt::format(" ({})", one_line(result.workload_file));
  out += paint(title, kBold) + '\n';
  out += wrapped(result.description, "  ", kDescriptionWidth);
  out += fmt::format("  seed {} (replay with --seed {})", result.seed, result.seed);
  if (!result.started_at.empty()) out += fmt::format(", started {}", one_line(result.started_at));
  out += '\n';

  // Each database once, with the URL (password masked) that tells same-kind servers apart.
  std::vector<const DatabaseInfo*> shown;
  for (const CellResult& cell : result.cells) {
    const DatabaseInfo& db = cell.database;
    const bool seen = std::any_of(shown.begin(), shown.end(), [&](const DatabaseInfo* other) {
      return same_database(*other, db);
    });
    if (seen) continue;
    shown.push_back(&db);
    std::string line = fmt::format("  database {}", database_column(db));
    if (!db.url.empty()) line += fmt::format(" at {}", one_line(db.url));
    for (size_t i = 0; i < db.settings.size(); ++i) {
      const auto& [name, value] = db.settings[i];
      // A password given as a URL option is a setting too: never shown.
      line += fmt::format("{}{}={}", i == 0 ? " (" : ", ", one_line(name),
                          name == "password" ? "***" : one_line(value));
    }
    if (!db.settings.empty()) line += ')';
    out += line + '\n';
  }
  if (result.interrupted) out += paint("  interrupted: this is a partial report\n", kYellow);
  out += '\n';
}

void append_cell_details(std::string& out, const CellResult& cell, const Paint& paint) {
  out += '\n' + paint("FAIL", kRed) + ' ' + paint(cell_label(cell), kBold) + '\n';
  for (const ExpectationResult& exp : cell.expectations) {
    if (exp.passed) continue;
    out += fmt::format("  expectation failed: {}", one_line(exp.description));
    if (!exp.actual.empty()) out += fmt::format("; actual {}", one_line(exp.actual));
    out += '\n';
  }
  for (const InvariantResult& inv : cell.invariants) {
    if (inv.passed) continue;
    out += fmt::format("  invariant failed: {}: expected {}, actual {}", one_line(inv.name),
                       one_line(inv.expected), one_line(inv.actual));
    if (!inv.error.empty()) out += fmt::format(" ({})", one_line(inv.error));
    out += '\n';
  }

  const LedgerResult& ledger = cell.ledger;
  if (!ledger.balanced || ledger.differences_total > 0) {
    out += fmt::format("  ledger: {} values differ ({} rows checked), lost amount {}\n",
                       ledger.differences_total, ledger.rows_checked, ledger.lost_amount);
    const size_t shown = std::min(ledger.differences.size(), kDifferencesShown);
    for (size_t i = 0; i < shown; ++i) {
      const RowDifference& row = ledger.differences[i];
      const std::string expected = row.expected_max > row.expected
                                       ? fmt::format("{}..{}", row.expected, row.expected_max)
                                       : fmt::format("{}", row.expected);
      out += fmt::format("    {}[{}].{}: expected {}, actual {}\n", one_line(row.table), row.key,
                         one_line(row.column), expected, row.actual);
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
      out += fmt::format("    {} on {}: {}\n", one_line(anomaly.type), where,
                         one_line(anomaly.explanation));
      for (const AnomalyEdge& edge : anomaly.edges)
        out += fmt::format("      {}: {}\n", one_line(edge.kind), one_line(edge.explanation));
      if (!anomaly.rules_out.empty()) {
        std::string levels;
        for (const std::string& level : anomaly.rules_out)
          levels += (levels.empty() ? "" : ", ") + one_line(level);
        out += fmt::format("      rules out: {}\n", levels);
      }
    }
    if (total > static_cast<int64_t>(shown))
      out += fmt::format("    ... {} more\n", total - static_cast<int64_t>(shown));
  }
}

/// What the exact checks left out, and why: each distinct note once, with the
/// number of cells it applies to.
void append_notes(std::string& out, const RunResult& result) {
  std::vector<std::pair<std::string, int>> notes;
  for (const CellResult& cell : result.cells)
    for (const std::string& note : cell.notes) {
      auto it = std::find_if(notes.begin(), notes.end(),
                             [&](const auto& seen) { return seen.first == note; });
      if (it == notes.end()) {
        notes.emplace_back(note, 1);
      } else {
        ++it->second;
      }
    }
  if (!notes.empty()) out += '\n';
  for (const auto& [note, cells] : notes)
    out += fmt::format("note ({} cell{}): {}\n", cells, cells == 1 ? "" : "s", one_line(note));
}

void append_verdict(std::string& out, const RunResult& result, const Paint& paint) {
  size_t passed = 0, failed = 0, skipped = 0, errors = 0;
  for (const CellResult& cell : result.cells) {
    const std::string_view label = verdict_label(cell);
    if (label == "PASS") ++passed;
    if (label == "FAIL") ++failed;
    if (label == "SKIP") ++skipped;
    if (label == "ERROR") ++errors;
  }
  std::string_view label = result.passed ? "PASS" : "FAIL";
  if (failed == 0 && errors > 0) label = "ERROR";

  std::string summary = "no cell ran to the end";
  if (failed > 0)
    summary = fmt::format("{} of {} cells failed their expectations", failed, passed + failed);
  else if (passed > 0)
    summary = fmt::format("{} of {} cells met their expectations", passed, passed);
  if (skipped > 0) summary += fmt::format(", {} unsupported", skipped);
  if (errors > 0) summary += fmt::format(", {} could not run", errors);
  if (result.explore) summary += " (--explore: reported, not failing)";
  if (result.interrupted) summary += " (interrupted: partial report)";
  out += fmt::format("\nverdict: {} - {}\n", paint(label, verdict_color(label)), summary);
}

}  // namespace

void ConsoleReporter::report(const RunResult& result, std::ostream& out) const {
  const Paint paint(color_);
  std::string text;
  append_header(text, result, paint);
  if (result.cells.empty()) {
    text += "no cells ran\n";
  } else {
    append_table(text, result, paint);
    append_comparison(text, result, paint);
  }
  for (const CellResult& cell : result.cells)
    if (cell.status == CellStatus::ran && !cell.passed) append_cell_details(text, cell, paint);
  append_notes(text, result);
  append_verdict(text, result, paint);
  out << text;
}

}  // namespace clobber
