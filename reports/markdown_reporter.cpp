// MarkdownReporter: a compact GitHub-flavoured summary for $GITHUB_STEP_SUMMARY
// or a pull-request comment (docs/reports.md, "Markdown"). Lines stay within
// kWidth columns of raw text where they can; every text from a file or a server
// is escaped, so it renders as text (no HTML, no links, no table breaks).
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "harness/history/history.h"
#include "reports/comparison_table.h"
#include "reports/reporter.h"
#include "reports/utf8_text.h"

namespace clobber {
namespace {

/// Columns of raw text a line stays within where it can.
constexpr size_t kWidth = 100;
/// Columns a database's header in a table is cut to.
constexpr size_t kHeaderWidth = 30;
/// Columns a scenario's id is cut to in a table.
constexpr size_t kScenarioWidth = 20;
/// Columns the workload's name is cut to in the title.
constexpr size_t kTitleWidth = 60;
/// Columns a scenario verdict ("abort 40001") is cut to in a table.
constexpr size_t kVerdictWidth = 16;

constexpr std::string_view kPass = "✅";
constexpr std::string_view kFail = "❌";

/// Whether a code point takes two columns of a terminal: the emoji this file
/// writes, and East Asian wide characters.
bool wide(char32_t point) {
  return point == 0x2705 || point == 0x274C || (point >= 0x1100 && point <= 0x115F) ||
         (point >= 0x2E80 && point <= 0xA4CF) || (point >= 0xAC00 && point <= 0xD7A3) ||
         (point >= 0xF900 && point <= 0xFAFF) || (point >= 0xFE30 && point <= 0xFE4F) ||
         (point >= 0xFF00 && point <= 0xFF60) || (point >= 0xFFE0 && point <= 0xFFE6) ||
         (point >= 0x1F300 && point <= 0x1F64F) || (point >= 0x1F900 && point <= 0x1F9FF) ||
         (point >= 0x20000 && point <= 0x3FFFD);
}

/// Columns `text` takes in a terminal.
size_t columns(std::string_view text) {
  size_t width = 0;
  for_each_code_point(text,
                      [&](char32_t point, std::string_view) { width += wide(point) ? 2 : 1; });
  return width;
}

/// `text` cut to `width` columns, ending in "…" when cut.
std::string cut(std::string_view text, size_t width) {
  if (columns(text) <= width) return std::string(text);
  std::string out;
  size_t used = 0;
  for_each_code_point(text, [&](char32_t point, std::string_view bytes) {
    const size_t w = wide(point) ? 2 : 1;
    if (used + w + 1 > width) {
      used = width;  // stop taking code points
      return;
    }
    used += w;
    out += bytes;
  });
  return out + "…";
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || (static_cast<unsigned char>(c) & 0x80);
}

/// Text from a file or a server as Markdown that renders as that text, on one
/// line: control characters as spaces, invalid UTF-8 as U+FFFD, and a
/// backslash before every character Markdown could read as markup (`<` and `&`
/// included, so no HTML passes through, `|` so no table cell breaks, `_` only
/// at the edge of a word, where it could start emphasis).
std::string md(std::string_view text) {
  const std::string line = one_valid_line(text);
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    bool escape = std::string_view("\\`*[]<>&|~$").find(c) != std::string_view::npos;
    if (c == '_') {
      const bool inside = i > 0 && i + 1 < line.size() && word_char(line[i - 1]) &&
                          (word_char(line[i + 1]) || line[i + 1] == '_');
      escape = !inside;
    }
    if (escape) out += '\\';
    out += c;
  }
  return out;
}

/// `text` as a code span: a run of backticks longer than any inside it; in a
/// table `|` is escaped (GitHub splits cells at it even in code).
std::string code(std::string_view text, bool in_table = false) {
  std::string body = one_valid_line(text);
  size_t longest = 0, run = 0;
  for (char c : body) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  if (in_table) {
    std::string escaped;
    for (char c : body) escaped += c == '|' ? std::string("\\|") : std::string(1, c);
    body = escaped;
  }
  const std::string fence(longest + 1, '`');
  const bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
  return pad ? fence + ' ' + body + ' ' + fence : fence + body + fence;
}

/// A list item `prefix` + `text` (already Markdown), wrapped at spaces to kWidth
/// columns with continuation lines indented by `indent`. A continuation line
/// that could start a block (a list, a heading, a setext underline) has its
/// marker escaped.
std::string item(std::string_view prefix, std::string_view text, std::string_view indent = "  ") {
  std::string out(prefix);
  size_t width = columns(prefix);
  bool first_word = true;
  for (size_t at = 0; at < text.size();) {
    const size_t start = text.find_first_not_of(' ', at);
    if (start == std::string_view::npos) break;
    const size_t end = std::min(text.find(' ', start), text.size());
    std::string word(text.substr(start, end - start));
    if (!first_word && width + 1 + columns(word) > kWidth) {
      out += '\n';
      out += indent;
      width = indent.size();
      const char c = word.front();
      const size_t digits = word.find_first_not_of("0123456789");
      if (c == '-' || c == '+' || c == '#' || c == '=')
        word.insert(0, "\\");
      else if (digits > 0 && digits != std::string::npos &&
               (word[digits] == '.' || word[digits] == ')'))
        word.insert(digits, "\\");  // "1." would start an ordered list: "1\."
    } else if (!first_word) {
      out += ' ';
      ++width;
    }
    out += word;
    width += columns(word);
    first_word = false;
    at = end;
  }
  return out + '\n';
}

/// A GitHub table, columns padded so that the raw text lines up.
std::string table(const std::vector<std::string>& headers,
                  const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (size_t c = 0; c < headers.size(); ++c) {
    size_t width = std::max<size_t>(3, columns(headers[c]));
    for (const auto& row : rows) width = std::max(width, columns(row[c]));
    widths.push_back(width);
  }
  const auto line = [&](const std::vector<std::string>& fields) {
    std::string out = "|";
    for (size_t c = 0; c < fields.size(); ++c)
      out += ' ' + fields[c] + std::string(widths[c] - columns(fields[c]), ' ') + " |";
    return out + '\n';
  };
  std::string out = line(headers);
  std::vector<std::string> rule;
  for (size_t width : widths) rule.emplace_back(width, '-');
  out += line(rule);
  for (const auto& row : rows) out += line(row);
  return out;
}

/// The widest line of `text`, in columns.
size_t widest(std::string_view text) {
  size_t width = 0;
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    width = std::max(width, columns(text.substr(at, end - at)));
    at = end + 1;
  }
  return width;
}

/// A matrix with a first column of row names and one column per database:
/// one table, or when it would be wider than kWidth, one table per database.
std::string split_table(std::string_view corner, const std::vector<std::string>& databases,
                        const std::vector<std::string>& row_names,
                        const std::vector<std::vector<std::string>>& entries) {
  std::vector<std::string> headers{std::string(corner)};
  headers.insert(headers.end(), databases.begin(), databases.end());
  std::vector<std::vector<std::string>> rows;
  for (size_t r = 0; r < row_names.size(); ++r) {
    rows.push_back({row_names[r]});
    rows.back().insert(rows.back().end(), entries[r].begin(), entries[r].end());
  }
  std::string whole = table(headers, rows);
  if (databases.size() < 2 || widest(whole) <= kWidth) return whole;
  std::string out;
  for (size_t d = 0; d < databases.size(); ++d) {
    std::vector<std::vector<std::string>> one;
    for (size_t r = 0; r < row_names.size(); ++r) one.push_back({row_names[r], entries[r][d]});
    out += (d == 0 ? "" : "\n") + table({std::string(corner), databases[d]}, one);
  }
  return out;
}

/// The replay command in a shell code block, broken at spaces outside quotes
/// into lines of at most kWidth columns joined by " \".
std::string command_block(std::string_view command) {
  std::vector<std::string> words{""};
  bool quoted = false, escaped = false;
  for (const char c : one_valid_line(command)) {
    if (c == ' ' && !quoted && !escaped) {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    if (!escaped && c == '\'') quoted = !quoted;
    escaped = !quoted && !escaped && c == '\\';
    words.back() += c;
  }
  // A flag stays on the line of its value.
  std::vector<std::string> units;
  for (const std::string& word : words) {
    const bool value = !units.empty() && units.back().starts_with("--") &&
                       units.back().find(' ') == std::string::npos && !word.starts_with("-");
    if (value)
      units.back() += ' ' + word;
    else
      units.push_back(word);
  }
  std::string body, line;
  for (const std::string& word : units) {
    if (!line.empty() && columns(line) + 1 + columns(word) + 2 > kWidth) {
      body += line + " \\\n";
      line = "  ";
    } else if (!line.empty() && line != "  ") {
      line += ' ';
    }
    line += word;
  }
  body += line + '\n';
  size_t longest = 0, run = 0;
  for (char c : body) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<size_t>(3, longest + 1), '`');
  return fence + "sh\n" + body + fence + '\n';
}

/// How tables name each database: database_label, or the masked URL alone when
/// two databases share a label (within kHeaderWidth columns the URL is what
/// tells them apart); cut to kHeaderWidth columns.
std::vector<std::string> database_headers(const std::vector<const DatabaseInfo*>& databases) {
  std::vector<std::string> headers;
  for (const DatabaseInfo* database : databases) {
    const std::string label = database_label(*database);
    const std::string name = database_name_among(*database, databases);
    headers.push_back(md(cut(name == label ? label : database->url, kHeaderWidth)));
  }
  return headers;
}

/// One list line per database: its label, masked URL and settings.
std::string database_lines(const std::vector<const DatabaseInfo*>& databases) {
  std::string out;
  for (const DatabaseInfo* db : databases) {
    std::string line = "- " + md(database_label(*db));
    if (!db->url.empty()) line += ": " + code(db->url);
    std::string settings;
    for (const auto& [name, value] : db->settings)
      settings += fmt::format("{}{}={}", settings.empty() ? "" : ", ", one_valid_line(name),
                              name == "password" ? "***" : one_valid_line(value));
    if (!settings.empty()) line += " (" + md(settings) + ")";
    out += item("", line);
  }
  return out;
}

// ---- runs ----

std::string cell_name(const CellResult& cell) {
  return fmt::format("{} · {} / {}", md(database_label(cell.database)), to_string(cell.isolation),
                     to_string(cell.locking));
}

/// A matrix entry: "lost/abort%/tps" (comparison_table.h's short form), marked
/// ❌ in front when the cell failed.
std::string run_entry(const CellResult* cell) {
  if (!cell) return "-";
  ComparisonEntry entry = comparison_entry(*cell);
  const bool failed = entry.state == EntryState::failed;
  if (failed) entry.state = EntryState::passed;
  return (failed ? "❌ " : "") + short_string(entry);
}

/// A failed cell: what failed and its first witness.
std::string failed_cell(const CellResult& cell) {
  std::string out = fmt::format("\n#### {} {}\n\n", kFail, cell_name(cell));
  for (const ExpectationResult& exp : cell.expectations)
    if (!exp.passed)
      out += item("- ", fmt::format("expectation failed: {}; actual {}", md(exp.description),
                                    md(exp.actual)));
  for (const InvariantResult& inv : cell.invariants)
    if (inv.failed())
      out += item("- ", fmt::format("invariant failed: {}: expected {}, actual {}{}", md(inv.name),
                                    md(inv.expected), md(inv.actual),
                                    inv.error.empty() ? "" : " (" + md(inv.error) + ")"));
  const LedgerResult& ledger = cell.ledger;
  if (!ledger.balanced || ledger.differences_total > 0)
    out +=
        item("- ", fmt::format("ledger: {} values differ ({} rows checked), lost amount {}",
                               ledger.differences_total, ledger.rows_checked, ledger.lost_amount));
  for (const CellError& error : cell.errors)
    out += item("- ", fmt::format("unexpected error {} x{}: {}", md(error.code), error.count,
                                  md(error.message)));
  const int64_t anomalies =
      std::max(cell.anomalies_total, static_cast<int64_t>(cell.anomalies.size()));
  if (cell.anomalies.empty()) return out;
  const Anomaly& anomaly = cell.anomalies.front();
  std::string where = md(anomaly.table);
  if (!anomaly.table.empty()) where += fmt::format("\\[{}\\]", anomaly.key);
  if (!anomaly.column.empty()) where += '.' + md(anomaly.column);
  out += item("- ", fmt::format("witness (1 of {}): {} on {}: {}", anomalies, md(anomaly.type),
                                where, md(anomaly.explanation)));
  for (const WitnessTransaction& t : anomaly.transactions) {
    // A lost-update witness also knows when the COMMIT was sent, which its explanation cites.
    const std::string commit =
        t.commit_sent_ms > 0
            ? fmt::format("{:.3f} (commit sent) → {:.3f} ms", t.commit_sent_ms, t.commit_ms)
            : fmt::format("{:.3f} ms", t.commit_ms);
    out += item("  - ",
                fmt::format("{}: worker {}, attempt {}, {}, {:.3f} → {}, read {}, wrote {}",
                            txn_name(t.id), t.worker, t.attempt, md(t.type), t.start_ms, commit,
                            t.read_value, t.written_value),
                "    ");
  }
  for (const AnomalyEdge& edge : anomaly.edges)
    out += item("  - ",
                fmt::format("{} {} → {}: {}", md(edge.kind), txn_name(edge.from), txn_name(edge.to),
                            md(edge.explanation)),
                "    ");
  if (!anomaly.rules_out.empty()) {
    std::string levels;
    for (const std::string& level : anomaly.rules_out)
      levels += (levels.empty() ? "" : ", ") + md(level);
    out += item("  - ", "rules out: " + levels, "    ");
  }
  return out;
}

// ---- scenario runs ----

/// A scenario matrix entry: how the cell ended, cut to kVerdictWidth columns.
std::string scenario_entry(const ScenarioCell* cell) {
  if (!cell) return "-";
  switch (cell->verdict) {
    case ScenarioVerdict::unsupported:
      return "n/a";
    case ScenarioVerdict::error:
      return "error";
    case ScenarioVerdict::anomaly:
      return "ANOMALY";
    case ScenarioVerdict::prevented:
      break;
  }
  return md(cut(cell->how.empty() ? "prevented" : cell->how, kVerdictWidth));
}

}  // namespace

void MarkdownReporter::report(const RunResult& result, std::ostream& out) const {
  std::vector<const DatabaseInfo*> databases;
  for (const CellResult& cell : result.cells)
    if (std::none_of(databases.begin(), databases.end(),
                     [&](const DatabaseInfo* db) { return same_database(*db, cell.database); }))
      databases.push_back(&cell.database);
  size_t passed = 0, failed = 0, unsupported = 0, errors = 0;
  for (const CellResult& cell : result.cells) {
    unsupported += cell.status == CellStatus::unsupported;
    errors += cell.status == CellStatus::error;
    passed += cell.status == CellStatus::ran && cell.passed;
    failed += cell.status == CellStatus::ran && !cell.passed;
  }

  std::string text = fmt::format("## {} clobber: {} {}\n", result.passed ? kPass : kFail,
                                 md(cut(one_valid_line(result.workload), kTitleWidth)),
                                 result.passed ? "PASS" : "FAIL");
  std::string summary = "no cell ran to the end";
  if (failed > 0)
    summary = fmt::format("{} of {} cells failed their expectations", failed, passed + failed);
  else if (passed > 0)
    summary = fmt::format("{} of {} cells met their expectations", passed, passed);
  if (unsupported > 0) summary += fmt::format(", {} unsupported", unsupported);
  if (errors > 0) summary += fmt::format(", {} could not run", errors);
  if (result.explore) summary += " (--explore: reported, not failing)";
  if (result.interrupted) summary += " (interrupted: a partial report)";
  text += '\n' + summary + ".\n\n";

  std::string workload = "- workload: " + md(result.workload);
  if (!result.workload_file.empty()) workload += " (" + code(result.workload_file) + ")";
  text += item("", workload);
  text += fmt::format("- seed: `{}`\n", result.seed);
  text += item("- ",
               fmt::format("clobber {}{}", md(result.version),
                           result.started_at.empty() ? "" : ", started " + md(result.started_at)));
  text += database_lines(databases);
  if (!result.replay_command.empty())
    text += "\nReplay:\n\n" + command_block(result.replay_command);

  std::vector<std::pair<Isolation, Locking>> levels;
  for (const CellResult& cell : result.cells)
    if (std::find(levels.begin(), levels.end(), std::pair{cell.isolation, cell.locking}) ==
        levels.end())
      levels.emplace_back(cell.isolation, cell.locking);
  if (!levels.empty()) {
    std::vector<std::string> row_names;
    std::vector<std::vector<std::string>> entries;
    for (const auto& [isolation, locking] : levels) {
      row_names.push_back(fmt::format("{} / {}", to_string(isolation), to_string(locking)));
      std::vector<std::string>& row = entries.emplace_back();
      for (const DatabaseInfo* database : databases) {
        const auto cell = std::find_if(result.cells.begin(), result.cells.end(), [&](auto& c) {
          return c.isolation == isolation && c.locking == locking &&
                 same_database(c.database, *database);
        });
        row.push_back(run_entry(cell == result.cells.end() ? nullptr : &*cell));
      }
    }
    text += "\n### Matrix\n\n";
    text += split_table("isolation / locking", database_headers(databases), row_names, entries);
    text += "\nEach entry: lost updates/aborted attempts/committed per second; ❌ failed.\n";
  }

  if (failed > 0) {
    text += "\n### Failed\n";
    for (const CellResult& cell : result.cells)
      if (cell.status == CellStatus::ran && !cell.passed) text += failed_cell(cell);
  }
  if (errors > 0) {
    text += "\n### Could not run\n\n";
    for (const CellResult& cell : result.cells)
      if (cell.status == CellStatus::error)
        text += item("- ", cell_name(cell) + ": " + md(cell.reason));
  }
  if (unsupported > 0) {
    // One line per database and reason, naming its cells.
    text += "\n### Unsupported\n\n";
    std::vector<std::pair<const CellResult*, std::string>> groups;
    for (const CellResult& cell : result.cells) {
      if (cell.status != CellStatus::unsupported) continue;
      const std::string level =
          fmt::format("{} / {}", to_string(cell.isolation), to_string(cell.locking));
      const auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
        return same_database(g.first->database, cell.database) && g.first->reason == cell.reason;
      });
      if (group == groups.end())
        groups.emplace_back(&cell, level);
      else
        group->second += ", " + level;
    }
    for (const auto& [cell, levels] : groups)
      text += item("- ", fmt::format("{} ({}): {}", md(database_label(cell->database)), levels,
                                     md(cell->reason)));
  }
  // One line per database and invariant a database could not run, naming its cells.
  std::vector<std::tuple<const CellResult*, const InvariantResult*, std::string>> not_run;
  for (const CellResult& cell : result.cells)
    for (const InvariantResult& inv : cell.invariants) {
      if (!inv.not_run) continue;
      const std::string level =
          fmt::format("{} / {}", to_string(cell.isolation), to_string(cell.locking));
      const auto group = std::find_if(not_run.begin(), not_run.end(), [&](const auto& g) {
        return same_database(std::get<0>(g)->database, cell.database) &&
               std::get<1>(g)->name == inv.name && std::get<1>(g)->note == inv.note;
      });
      if (group == not_run.end())
        not_run.emplace_back(&cell, &inv, level);
      else
        std::get<2>(*group) += ", " + level;
    }
  if (!not_run.empty()) text += "\n### Invariants not run\n\n";
  for (const auto& [cell, inv, levels] : not_run)
    text += item(
        "- ", fmt::format("{} ({}): invariant {} not run: {}", md(database_label(cell->database)),
                          levels, md(inv->name), md(inv->note)));
  out << text;
}

void MarkdownReporter::report(const ScenarioRunResult& result, std::ostream& out) const {
  size_t anomalies = 0, prevented = 0, unsupported = 0, errors = 0;
  for (const ScenarioResult& scenario : result.scenarios)
    for (const ScenarioCell& cell : scenario.cells) {
      anomalies += cell.verdict == ScenarioVerdict::anomaly;
      prevented += cell.verdict == ScenarioVerdict::prevented;
      unsupported += cell.verdict == ScenarioVerdict::unsupported;
      errors += cell.verdict == ScenarioVerdict::error;
    }
  const size_t cells = anomalies + prevented + unsupported + errors;
  // Cells whose outcome is not the one their file's `expect:` demands.
  std::vector<std::string> unmet_lines;
  for (const ScenarioResult& scenario : result.scenarios)
    for (const ScenarioCell& cell : scenario.cells)
      for (const ExpectationResult& expectation : cell.expectations)
        if (!expectation.passed)
          unmet_lines.push_back(
              item("- ", fmt::format("{} · {} · {}: expected {}; actual {}", md(scenario.id),
                                     md(database_label(cell.database)), to_string(cell.isolation),
                                     md(expectation.description), md(expectation.actual))));
  const bool failed = errors > 0 || (!unmet_lines.empty() && !result.explore);
  std::string text =
      fmt::format("## {} clobber scenarios{}\n\n", failed ? kFail : kPass,
                  !unmet_lines.empty() ? ": expected outcomes not met"
                                       : (errors > 0 ? ": cells could not run" : ""));
  text += fmt::format(
      "{} scenario{}, {} cell{}: {} anomal{}, {} prevented, {} unsupported, {} error{}{}.\n\n",
      result.scenarios.size(), result.scenarios.size() == 1 ? "" : "s", cells,
      cells == 1 ? "" : "s", anomalies, anomalies == 1 ? "y" : "ies", prevented, unsupported,
      errors, errors == 1 ? "" : "s", result.interrupted ? " (interrupted: a partial report)" : "");
  text += item("- ",
               fmt::format("clobber {}{}", md(result.version),
                           result.started_at.empty() ? "" : ", started " + md(result.started_at)));
  std::vector<const DatabaseInfo*> databases;
  for (const DatabaseInfo& database : result.databases) databases.push_back(&database);
  text += database_lines(databases);

  // One table per database: a row per scenario, a column per isolation level,
  // so that the width does not grow with the number of scenarios.
  const std::vector<std::string> headers = database_headers(databases);
  for (size_t d = 0; d < databases.size() && !result.scenarios.empty(); ++d) {
    std::vector<std::string> header{"scenario"};
    for (Isolation isolation : result.isolations) header.emplace_back(to_string(isolation));
    std::vector<std::vector<std::string>> rows;
    for (const ScenarioResult& scenario : result.scenarios) {
      std::vector<std::string>& row = rows.emplace_back();
      row.push_back(md(cut(scenario.id.empty() ? scenario.name : scenario.id, kScenarioWidth)));
      for (Isolation isolation : result.isolations) {
        const auto cell =
            std::find_if(scenario.cells.begin(), scenario.cells.end(), [&](const auto& c) {
              return c.isolation == isolation && same_database(c.database, *databases[d]);
            });
        row.push_back(scenario_entry(cell == scenario.cells.end() ? nullptr : &*cell));
      }
    }
    text += "\n### " + headers[d] + "\n\n" + table(header, rows);
  }
  if (!databases.empty() && !result.scenarios.empty())
    text +=
        "\nANOMALY: the anomaly happened; otherwise how it was prevented (abort CODE, blocked,\n"
        "prevented); n/a: the database lacks the level; -: not run.\n";

  bool legend = false;
  for (const ScenarioResult& scenario : result.scenarios)
    legend = legend || scenario.id != scenario.name;
  if (legend) {
    text += "\n### Scenarios\n\n";
    for (const ScenarioResult& scenario : result.scenarios)
      text += item(
          "- ",
          fmt::format("{}: {}{}", md(scenario.id), md(scenario.name),
                      scenario.description.empty() ? "" : " (" + md(scenario.description) + ")"));
  }
  // Unsupported levels once per (database, level, reason); errors per cell.
  std::vector<std::string> unsupported_lines, error_lines;
  for (const ScenarioResult& scenario : result.scenarios)
    for (const ScenarioCell& cell : scenario.cells) {
      const std::string where =
          fmt::format("{} · {}", md(database_label(cell.database)), to_string(cell.isolation));
      if (cell.verdict == ScenarioVerdict::error)
        error_lines.push_back(item("- ", md(scenario.id) + " · " + where + ": " + md(cell.reason)));
      const std::string line = item("- ", where + ": " + md(cell.reason));
      if (cell.verdict == ScenarioVerdict::unsupported &&
          std::find(unsupported_lines.begin(), unsupported_lines.end(), line) ==
              unsupported_lines.end())
        unsupported_lines.push_back(line);
    }
  if (!unmet_lines.empty()) {
    text += result.explore ? "\n### Expected outcomes not met (--explore)\n\n"
                           : "\n### Expected outcomes not met\n\n";
    for (const std::string& line : unmet_lines) text += line;
  }
  if (!error_lines.empty()) {
    text += "\n### Could not run\n\n";
    for (const std::string& line : error_lines) text += line;
  }
  if (!unsupported_lines.empty()) {
    text += "\n### Unsupported\n\n";
    for (const std::string& line : unsupported_lines) text += line;
  }
  out << text;
}

}  // namespace clobber
