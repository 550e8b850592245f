// ConsoleReporter for scenario runs: per scenario a header and (when asked)
// each cell's trace and verdict; then the matrix of verdicts and a summary line.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "reports/console_text.h"
#include "reports/reporter.h"

namespace clobber {
namespace {

/// Columns a statement is cut to in a trace.
constexpr size_t kStatementWidth = 56;
/// Columns a result (rows or an error message) is cut to in a trace.
constexpr size_t kResultWidth = 100;
/// Rows of a result shown in a trace.
constexpr size_t kRowsShown = 4;

/// `text` on one line, control characters as spaces (nothing shown can move the
/// cursor or recolor), runs of spaces as one, cut to `width` columns with "…".
std::string one_line(std::string_view text, size_t width = std::string::npos) {
  std::string line;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') c = ' ';
    if (c == ' ' && (line.empty() || line.back() == ' ')) continue;
    line += c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (display_width(line) <= width) return line;
  std::string cut;
  size_t columns = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const bool starts_point = (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
    if (starts_point && ++columns == width) break;
    cut += line[i];
  }
  return cut + "…";
}

/// `text` padded with spaces to `width` columns.
std::string padded(std::string text, size_t width) {
  const size_t shown = display_width(text);
  if (shown < width) text.append(width - shown, ' ');
  return text;
}

/// Rows as a trace shows them: "10", "[1, 10], [2, 20]", "no rows".
std::string rows_label(const QueryRows& rows) {
  if (rows.rows.empty()) return "no rows";
  if (rows.rows.size() == 1 && rows.rows[0].size() == 1) return rows.rows[0][0].value_or("NULL");
  std::string out;
  for (size_t r = 0; r < rows.rows.size() && r < kRowsShown; ++r) {
    out += r ? ", [" : "[";
    for (size_t c = 0; c < rows.rows[r].size(); ++c)
      out += (c ? ", " : "") + rows.rows[r][c].value_or("NULL");
    out += "]";
  }
  if (rows.rows.size() > kRowsShown) out += fmt::format(" … ({} rows)", rows.rows.size());
  return out;
}

/// The result column of a trace event, and its color.
std::pair<std::string, std::string_view> event_result(const TraceEvent& event) {
  switch (event.status) {
    case StepStatus::ok:
      if (!event.rows.columns.empty()) return {rows_label(event.rows), {}};
      if (event.rows_affected >= 0)
        return {
            fmt::format("ok, {} row{}", event.rows_affected, event.rows_affected == 1 ? "" : "s"),
            {}};
      return {"ok", {}};
    case StepStatus::failed:
      return {fmt::format("failed {} ({}): {}", event.outcome.code, to_string(event.outcome.cause),
                          event.outcome.message),
              kRed};
    case StepStatus::blocked:
      if (event.detected_by == BlockDetection::timeout)
        return {"blocked (no answer within the block timeout; no lock wait seen)", kYellow};
      if (event.detected_by == BlockDetection::innodb_status)
        return {"blocked (LOCK WAIT seen in SHOW ENGINE INNODB STATUS)", kYellow};
      return {fmt::format("blocked (lock wait seen in {})", to_string(event.detected_by)), kYellow};
    case StepStatus::deferred:
      return {
          fmt::format("deferred: {} is blocked at step {}", event.session, event.blocked_at_step),
          kDim};
    case StepStatus::skipped:
      if (event.failed_at_step == 0)
        return {fmt::format("never sent: still blocked at step {} when the script ended",
                            event.blocked_at_step),
                kDim};
      return {fmt::format("skipped: the transaction failed at step {}", event.failed_at_step),
              kDim};
    case StepStatus::rolled_back:
      return {fmt::format("rolled back instead: the transaction failed at step {}",
                          event.failed_at_step),
              kDim};
  }
  return {"?", {}};
}

std::string_view verdict_color(const ScenarioCell& cell) {
  switch (cell.verdict) {
    case ScenarioVerdict::anomaly:
      return kRed;
    case ScenarioVerdict::prevented:
      return kGreen;
    case ScenarioVerdict::unsupported:
      return kDim;
    case ScenarioVerdict::error:
      return kYellow;
  }
  return {};
}

/// One cell's heading, trace and verdict; `steps`: how many the script has.
/// `width`: columns to fit (std::string::npos: no limit, --wide).
void append_cell(std::string& out, const ScenarioCell& cell, size_t steps, size_t width,
                 const Paint& paint) {
  out += fmt::format("\n  {} at {}: {}\n", database_label(cell.database), to_string(cell.isolation),
                     paint(cell.how, verdict_color(cell)));
  if (cell.status == CellStatus::unsupported) {
    out += wrap_words(one_line(cell.reason), "    ", "      ", width);
    return;
  }
  size_t session_width = 7;
  for (const TraceEvent& event : cell.trace)
    session_width = std::max(session_width, display_width(event.session));
  // The result column takes what is left of the width; the statement column
  // gives up to 24 columns to the longest result first, then results are cut.
  size_t longest = 0;
  for (const TraceEvent& event : cell.trace)
    longest = std::max(longest, display_width(one_line(event_result(event).first)));
  size_t statement_width = kStatementWidth;
  size_t result_width = kResultWidth;
  if (width != std::string::npos) {
    const size_t fixed = 4 + 4 + 2 + session_width + 2 + 2;
    const size_t room = width > fixed + kStatementWidth ? width - fixed - kStatementWidth : 0;
    if (longest > room) statement_width -= std::min<size_t>(24, longest - room);
    result_width =
        std::max<size_t>(20, width > fixed + statement_width ? width - fixed - statement_width : 0);
  }
  out += paint(fmt::format("    {:>4}  {}  {}  {}\n", "step", padded("session", session_width),
                           padded("statement", statement_width), "result"),
               kBold);
  for (const TraceEvent& event : cell.trace) {
    const auto [result, color] = event_result(event);
    const std::string step =
        static_cast<size_t>(event.at_step) > steps ? "end" : std::to_string(event.at_step);
    std::string statement = event.statement;
    if (event.released) statement = fmt::format("↳ {}: {}", event.step, event.statement);
    if (event.deferred) statement = fmt::format("→ {}: {}", event.step, event.statement);
    out +=
        fmt::format("    {:>4}  {}  {}  {}\n", step, padded(one_line(event.session), session_width),
                    padded(one_line(statement, statement_width), statement_width),
                    paint(one_line(result, result_width), color));
  }
  if (cell.status == CellStatus::error)
    out += paint.lines(wrap_words("error: " + one_line(cell.reason), "    ", "      ", width),
                       kYellow);
  else
    out += wrap_words(one_line(cell.explanation), "    ", "      ", width);
  for (const ExpectationResult& expectation : cell.expectations)
    out += fmt::format("    {}\n",
                       paint(fmt::format("expected {}: {}", one_line(expectation.description),
                                         expectation.passed ? "met" : "NOT MET"),
                             expectation.passed ? kGreen : kRed));
}

/// How the matrix names a database: its label; when another database of the
/// run has the same label, with the settings whose values differ between them
/// ("mariadb 10.11.19 innodb_snapshot_isolation=ON"), or else its URL.
std::string matrix_name(const ScenarioRunResult& result, const DatabaseInfo& database) {
  const std::string label = database_label(database);
  std::vector<const DatabaseInfo*> same;
  for (const DatabaseInfo& other : result.databases)
    if (database_label(other) == label) same.push_back(&other);
  if (same.size() < 2) return label;
  const auto value_in = [](const DatabaseInfo& db, const std::string& name) -> std::string {
    for (const auto& [key, value] : db.settings)
      if (key == name) return value;
    return {};
  };
  std::string differing;
  for (const auto& [name, value] : database.settings) {
    const bool differs = std::any_of(same.begin(), same.end(), [&](const DatabaseInfo* other) {
      return value_in(*other, name) != value;
    });
    if (differs) differing += fmt::format(" {}={}", name, value);
  }
  return differing.empty() ? one_line(database.url) : label + " " + one_line(differing);
}

/// True when no scenario could run in this row: the database lacks the level.
bool unsupported_row(const MatrixRow& row) {
  return std::all_of(row.cells.begin(), row.cells.end(), [](const ScenarioCell* cell) {
    return cell == nullptr || cell->status == CellStatus::unsupported;
  });
}

/// The matrix: one row per (database, isolation level), one column per
/// scenario; rows of levels a database does not support are listed below it.
void append_matrix(std::string& out, const ScenarioRunResult& result, const ConsoleOptions& options,
                   const Paint& paint) {
  std::vector<MatrixRow> rows = scenario_matrix(result);
  std::vector<std::string> reasons;  // why a level is unsupported, once per row
  for (const MatrixRow& row : rows) {
    if (!unsupported_row(row)) continue;
    for (const ScenarioCell* cell : row.cells)
      if (cell) {
        reasons.push_back(wrap_words(fmt::format("{} {}: {}", matrix_name(result, *row.database),
                                                 to_string(row.isolation), one_line(cell->reason)),
                                     "  ", "    ",
                                     options.wide ? std::string::npos : options.width));
        break;
      }
  }
  std::erase_if(rows, unsupported_row);
  std::vector<std::string> headers{"database", "isolation"};
  for (const ScenarioResult& scenario : result.scenarios) headers.push_back(one_line(scenario.id));
  std::vector<std::vector<std::string>> table;
  std::vector<std::vector<std::string_view>> colors;
  const DatabaseInfo* previous = nullptr;
  for (const MatrixRow& row : rows) {
    std::vector<std::string> line{
        row.database == previous ? "" : matrix_name(result, *row.database),
        std::string(to_string(row.isolation))};
    std::vector<std::string_view> line_colors{{}, {}};
    for (const ScenarioCell* cell : row.cells) {
      line.push_back(cell ? cell->how : "-");
      line_colors.push_back(cell ? verdict_color(*cell) : std::string_view{});
    }
    previous = row.database;
    table.push_back(std::move(line));
    colors.push_back(std::move(line_colors));
  }
  std::vector<size_t> widths;
  for (size_t c = 0; c < headers.size(); ++c) {
    size_t width = display_width(headers[c]);
    for (const auto& line : table) width = std::max(width, display_width(line[c]));
    widths.push_back(width);
  }
  const auto append_line = [&](const std::vector<std::string>& line,
                               const std::vector<std::string_view>& line_colors,
                               const std::vector<size_t>& shown) {
    std::string text;
    for (size_t i = 0; i < shown.size(); ++i) {
      const size_t c = shown[i];
      const bool last = i + 1 == shown.size();
      text += paint(last ? line[c] : padded(line[c], widths[c]), line_colors[c]);
      if (!last) text += "  ";
    }
    out += text + "\n";
  };
  if (rows.empty() && reasons.empty()) return;
  out += paint("\nScenarios: is the anomaly prevented, per database and isolation level\n", kBold);
  // The scenario columns in runs of as many as fit beside database and
  // isolation (all of them with --wide): one table per run.
  for (size_t first = 2; first < headers.size();) {
    std::vector<size_t> shown{0, 1, first};
    size_t used = widths[0] + 2 + widths[1] + 2 + widths[first];
    for (size_t c = first + 1; c < headers.size(); ++c) {
      if (!options.wide && used + 2 + widths[c] > options.width) break;
      used += 2 + widths[c];
      shown.push_back(c);
    }
    if (first > 2) out += "\n";
    append_line(headers, std::vector<std::string_view>(headers.size(), kBold), shown);
    for (size_t r = 0; r < table.size(); ++r) append_line(table[r], colors[r], shown);
    first = shown.back() + 1;
  }

  bool legend = false;
  for (const ScenarioResult& scenario : result.scenarios)
    legend = legend || scenario.id != scenario.name;
  if (legend) {
    out += "\n";
    for (const ScenarioResult& scenario : result.scenarios)
      out += fmt::format("  {}: {}\n", one_line(scenario.id), one_line(scenario.name));
  }
  if (!reasons.empty()) {
    out += "\nnot run (the database does not support the level):\n";
    for (const std::string& reason : reasons) out += reason;
  }
}

}  // namespace

void ConsoleReporter::report(const ScenarioRunResult& result, std::ostream& out) const {
  const Paint paint(options_.color);
  const size_t width = options_.wide ? std::string::npos : options_.width;
  std::string text;
  size_t anomalies = 0, prevented = 0, unsupported = 0, errors = 0;
  for (const ScenarioResult& scenario : result.scenarios) {
    for (const ScenarioCell& cell : scenario.cells) {
      anomalies += cell.verdict == ScenarioVerdict::anomaly;
      prevented += cell.verdict == ScenarioVerdict::prevented;
      unsupported += cell.verdict == ScenarioVerdict::unsupported;
      errors += cell.verdict == ScenarioVerdict::error;
    }
    if (!options_.traces) continue;
    text += paint(fmt::format("\nScenario {}", one_line(scenario.name)), kBold);
    if (scenario.id != scenario.name) text += fmt::format(" ({})", one_line(scenario.id));
    text += fmt::format(": {}\n", one_line(scenario.file));
    text += wrap_words(one_line(scenario.description), "  ", "  ", width);
    text += wrap_words("anomaly if: " + one_line(scenario.anomaly_if), "  ", "    ", width);
    for (const ScenarioCell& cell : scenario.cells)
      append_cell(text, cell, scenario.steps.size(), width, paint);
  }
  append_matrix(text, result, options_, paint);
  size_t unmet = 0;
  std::string unmet_lines;
  for (const ScenarioResult& scenario : result.scenarios)
    for (const ScenarioCell& cell : scenario.cells)
      for (const ExpectationResult& expectation : cell.expectations) {
        if (expectation.passed) continue;
        ++unmet;
        unmet_lines +=
            wrap_words(fmt::format("{} on {} at {}: expected {}; actual {}", one_line(scenario.id),
                                   database_label(cell.database), to_string(cell.isolation),
                                   one_line(expectation.description), one_line(expectation.actual)),
                       "  ", "    ", options_.wide ? std::string::npos : options_.width);
      }
  if (unmet > 0)
    text += paint(fmt::format("\nexpectations not met{}:\n", result.explore ? " (--explore)" : ""),
                  kRed) +
            unmet_lines;
  const size_t cells = anomalies + prevented + unsupported + errors;
  text += fmt::format(
      "\n{} scenario{}, {} cell{}: {} anomal{}, {} prevented, {} unsupported, {} error{}{}{}\n",
      result.scenarios.size(), result.scenarios.size() == 1 ? "" : "s", cells,
      cells == 1 ? "" : "s", anomalies, anomalies == 1 ? "y" : "ies", prevented, unsupported,
      errors, errors == 1 ? "" : "s",
      unmet == 0 ? std::string()
                 : fmt::format(", {} expectation{} not met", unmet, unmet == 1 ? "" : "s"),
      result.interrupted ? " (interrupted)" : "");
  out << text;
}

}  // namespace clobber
