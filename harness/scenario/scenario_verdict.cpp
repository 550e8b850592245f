#include "harness/scenario/scenario_verdict.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>

namespace clobber {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A value as compared with `equals`: booleans as 1/0 (PostgreSQL's t/f), whole
/// decimals without their zero fraction (MySQL's SUM gives 30.0000), NULL as null.
std::string canonical(const std::optional<std::string>& value) {
  if (!value) return "null";
  std::string text = lower(*value);
  if (text == "t" || text == "true") return "1";
  if (text == "f" || text == "false") return "0";
  const size_t dot = text.find('.');
  if (dot != std::string::npos && dot > 0 &&
      std::all_of(text.begin() + static_cast<std::ptrdiff_t>(dot) + 1, text.end(),
                  [](char c) { return c == '0'; }) &&
      std::all_of(text.begin() + (text[0] == '-' ? 1 : 0),
                  text.begin() + static_cast<std::ptrdiff_t>(dot),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    text.resize(dot);
  return text;
}

std::optional<int64_t> integer_value(const std::optional<std::string>& value) {
  const std::string text = canonical(value);
  int64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return number;
}

/// Rows as shown in explanations: "0", or "[[1, 10], [2, 20]]" (as describe_condition() shows
/// `equals`).
std::string rows_text(const QueryRows& rows) {
  if (rows.rows.size() == 1 && rows.rows[0].size() == 1) return rows.rows[0][0].value_or("null");
  if (rows.rows.empty()) return "no rows";
  std::string out = "[";
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    out += r ? ", [" : "[";
    for (size_t c = 0; c < rows.rows[r].size(); ++c)
      out += (c ? ", " : "") + rows.rows[r][c].value_or("null");
    out += "]";
  }
  return out + "]";
}

/// The short name of a failure for the matrix: "abort 40001", "deadlock 1213",
/// "timeout 1205", "SQLITE_BUSY", "error 23505". A code that is a name (words
/// joined by '_', unlike SQLSTATEs and error numbers) is shown by itself.
std::string failure_label(const Outcome& outcome) {
  if (outcome.code.empty()) return std::string(to_string(outcome.cause));
  if (outcome.code.find('_') != std::string::npos) return outcome.code;
  switch (outcome.cause) {
    case AbortCause::serialization:
      return "abort " + outcome.code;
    case AbortCause::deadlock:
      return "deadlock " + outcome.code;
    case AbortCause::lock_timeout:
      return "timeout " + outcome.code;
    case AbortCause::none:
    case AbortCause::conflict:
    case AbortCause::connection:
    case AbortCause::other:
      break;
  }
  return "error " + outcome.code;
}

/// The value a named step returned, or why there is none.
std::variant<int64_t, std::string> step_value(const Scenario& scenario, const ScenarioCell& cell,
                                              const StepValue& value) {
  const ScenarioStep& step = scenario.steps[value.step];
  const int number = static_cast<int>(value.step) + 1;
  const auto event = std::find_if(cell.trace.begin(), cell.trace.end(), [&](const TraceEvent& e) {
    return e.step == number && e.status != StepStatus::blocked && e.status != StepStatus::deferred;
  });
  if (event == cell.trace.end()) return step.name + " never returned";
  if (event->status != StepStatus::ok)
    return step.name + " " + std::string(to_string(event->status));
  const QueryRows& rows = event->rows;
  if (rows.rows.size() != 1)
    return step.name + " returned " + std::to_string(rows.rows.size()) + " rows, not one";
  size_t column = 0;
  if (value.column.empty()) {
    if (rows.columns.size() != 1)
      return step.name + " returned " + std::to_string(rows.columns.size()) +
             " columns; name one as " + step.name + ".COLUMN";
  } else {
    const auto found =
        std::find_if(rows.columns.begin(), rows.columns.end(),
                     [&](const std::string& c) { return lower(c) == lower(value.column); });
    if (found == rows.columns.end()) return step.name + " has no column " + value.column;
    column = static_cast<size_t>(found - rows.columns.begin());
  }
  const std::optional<int64_t> number_value = integer_value(rows.rows[0][column]);
  if (!number_value)
    return value.name + " is '" + rows.rows[0][column].value_or("null") + "', not an integer";
  return *number_value;
}

}  // namespace

void decide_verdict(const Scenario& scenario, const std::optional<QueryRows>& final_rows,
                    ScenarioCell& cell) {
  const AnomalyCondition& condition = scenario.anomaly_if;
  std::vector<std::string> held;    // each condition that held, with its values
  std::vector<std::string> missed;  // each that did not, and why
  for (size_t s : condition.all_committed) {
    const std::string& name = scenario.sessions[s];
    if (std::find(cell.committed.begin(), cell.committed.end(), name) != cell.committed.end())
      held.push_back(name + " committed");
    else
      missed.push_back(name + " did not commit");
  }
  if (condition.when) {
    std::vector<int64_t> frame;
    std::string values;
    std::string unavailable;
    for (const StepValue& value : condition.values) {
      auto result = step_value(scenario, cell, value);
      if (const auto* number = std::get_if<int64_t>(&result)) {
        frame.push_back(*number);
        values += (values.empty() ? "" : ", ") + value.name + " = " + std::to_string(*number);
      } else {
        frame.push_back(0);
        unavailable = std::get<std::string>(result);
      }
    }
    int64_t truth = 0;
    const EvalError error = evaluate(*condition.when, frame, truth);
    const std::string shown = condition.when->text + (values.empty() ? "" : " (" + values + ")");
    if (!unavailable.empty())
      missed.push_back(condition.when->text + " cannot be evaluated: " + unavailable);
    else if (error != EvalError::none)
      missed.push_back(condition.when->text + ": " + std::string(to_string(error)));
    else if (truth != 0)
      held.push_back(shown);
    else
      missed.push_back("not " + shown);
  }
  if (!condition.sql.empty()) {
    if (!final_rows) throw std::invalid_argument("anomaly_if.sql ran, but its rows are missing");
    const QueryRows& rows = *final_rows;
    bool equal = rows.rows.size() == condition.equals.size();
    for (size_t r = 0; equal && r < rows.rows.size(); ++r) {
      equal = rows.rows[r].size() == condition.equals[r].size();
      for (size_t c = 0; equal && c < rows.rows[r].size(); ++c)
        equal = canonical(rows.rows[r][c]) == canonical(condition.equals[r][c]);
    }
    (equal ? held : missed).push_back(condition.sql + " returned " + rows_text(rows));
  }

  const auto joined = [](const std::vector<std::string>& parts) {
    std::string out;
    for (const std::string& part : parts) out += (out.empty() ? "" : "; ") + part;
    return out;
  };
  if (missed.empty()) {
    cell.verdict = ScenarioVerdict::anomaly;
    cell.how = "ANOMALY";
    cell.explanation = "the anomaly happened: " + joined(held);
    return;
  }
  cell.verdict = ScenarioVerdict::prevented;
  const auto failed = std::find_if(cell.trace.begin(), cell.trace.end(), [](const TraceEvent& e) {
    return e.status == StepStatus::failed;
  });
  const auto blocked = std::find_if(cell.trace.begin(), cell.trace.end(), [](const TraceEvent& e) {
    return e.status == StepStatus::blocked;
  });
  if (failed != cell.trace.end()) {
    cell.prevention = Prevention::aborted;
    cell.abort = failed->outcome;
    cell.how = failure_label(failed->outcome);
    cell.explanation = fmt::format("prevented: {}'s step {} failed with {} ({}): {}",
                                   failed->session, failed->step, failed->outcome.code,
                                   to_string(failed->outcome.cause), failed->outcome.message);
  } else if (blocked != cell.trace.end()) {
    cell.prevention = Prevention::blocked;
    cell.how = "blocked";
    const auto release =
        std::find_if(cell.trace.begin(), cell.trace.end(),
                     [&](const TraceEvent& e) { return e.step == blocked->step && e.released; });
    cell.explanation =
        fmt::format("prevented: {}'s step {} waited for a lock{}, then ran on the committed data",
                    blocked->session, blocked->step,
                    release == cell.trace.end() ? std::string()
                                                : fmt::format(" until step {}", release->at_step));
  } else {
    cell.prevention = Prevention::none;
    cell.how = "prevented";
    cell.explanation = "prevented without blocking or failing";
  }
  cell.explanation += " (" + joined(missed) + ")";
}

}  // namespace clobber
