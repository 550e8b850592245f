#include "harness/scenario/scenario_result.h"

#include <algorithm>

namespace clobber {

bool ScenarioRunResult::passed() const {
  return std::all_of(scenarios.begin(), scenarios.end(), [](const ScenarioResult& scenario) {
    return std::all_of(scenario.cells.begin(), scenario.cells.end(),
                       [](const ScenarioCell& cell) { return cell.passed; });
  });
}

void apply_scenario_expectations(const Scenario& scenario, ScenarioCell& cell) {
  cell.expectations.clear();
  cell.passed = true;
  if (cell.verdict != ScenarioVerdict::anomaly && cell.verdict != ScenarioVerdict::prevented)
    return;
  for (const ScenarioExpectation& rule : scenario.expect) {
    const auto selects = [](const auto& wanted, auto value) {
      return wanted.empty() || std::find(wanted.begin(), wanted.end(), value) != wanted.end();
    };
    if (!selects(rule.databases, cell.database.kind) || !selects(rule.isolation, cell.isolation))
      continue;
    const bool anomaly = rule.outcome == ExpectedOutcome::anomaly;
    const bool met = (cell.verdict == ScenarioVerdict::anomaly) == anomaly;
    cell.expectations.push_back(ExpectationResult{
        std::string(anomaly ? "anomaly" : "prevented") + " (" + rule.where.str() + ")", met,
        std::string(to_string(cell.verdict))});
    cell.passed = cell.passed && met;
  }
}

std::vector<MatrixRow> scenario_matrix(const ScenarioRunResult& result) {
  std::vector<MatrixRow> rows;
  for (const DatabaseInfo& database : result.databases) {
    for (Isolation isolation : result.isolations) {
      MatrixRow row{&database, isolation, {}};
      bool any = false;
      for (const ScenarioResult& scenario : result.scenarios) {
        const ScenarioCell* found = nullptr;
        for (const ScenarioCell& cell : scenario.cells)
          if (cell.isolation == isolation && cell.database.kind == database.kind &&
              cell.database.url == database.url)
            found = &cell;
        any = any || found != nullptr;
        row.cells.push_back(found);
      }
      if (any) rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string_view to_string(StepStatus status) {
  switch (status) {
    case StepStatus::ok:
      return "ok";
    case StepStatus::failed:
      return "failed";
    case StepStatus::blocked:
      return "blocked";
    case StepStatus::deferred:
      return "deferred";
    case StepStatus::skipped:
      return "skipped";
    case StepStatus::rolled_back:
      return "rolled_back";
  }
  return "?";
}

std::string_view to_string(ScenarioVerdict verdict) {
  switch (verdict) {
    case ScenarioVerdict::anomaly:
      return "anomaly";
    case ScenarioVerdict::prevented:
      return "prevented";
    case ScenarioVerdict::unsupported:
      return "unsupported";
    case ScenarioVerdict::error:
      return "error";
  }
  return "?";
}

std::string_view to_string(Prevention prevention) {
  switch (prevention) {
    case Prevention::none:
      return "none";
    case Prevention::blocked:
      return "blocked";
    case Prevention::aborted:
      return "aborted";
  }
  return "?";
}

}  // namespace clobber
