// Helpers shared by the scenario tests: loading the suite, running one cell,
// and comparing traces.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "drivers/url.h"
#include "harness/scenario/scenario_loader.h"
#include "harness/scenario/scenario_runner.h"
#include "tests/common/clobber_binary.h"

namespace clobber::testing {

/// A scenario of the suite in workloads/scenarios/.
inline Scenario suite_scenario(const std::string& file) {
  return load_scenario_file(std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios/" + file);
}

/// A scenario of workloads/scenarios/server/ (what the servers themselves do).
inline Scenario server_scenario(const std::string& file) {
  return load_scenario_file(std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios/server/" +
                            file);
}

/// Runs every scenario of workloads/scenarios/server/ on `url` at every level
/// and checks that each cell that ran met its file's `expect:` rules.
inline void expect_server_scenarios_met(const DatabaseUrl& url) {
  std::vector<Scenario> scenarios;
  for (const std::string& file :
       scenario_files({std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios/server"}))
    scenarios.push_back(load_scenario_file(file));
  ScenarioOptions options;
  options.databases = {url};
  const ScenarioRunResult result = run_scenarios(scenarios, options);
  size_t ran = 0;
  for (const ScenarioResult& scenario : result.scenarios) {
    for (const ScenarioCell& cell : scenario.cells) {
      SCOPED_TRACE(scenario.id + " at " + std::string(to_string(cell.isolation)));
      if (cell.status == CellStatus::unsupported) continue;
      ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
      ++ran;
      EXPECT_TRUE(cell.passed) << cell.how << ": " << cell.explanation;
      EXPECT_FALSE(cell.expectations.empty()) << "every server scenario states its outcome";
    }
  }
  EXPECT_GT(ran, 0u);
}

/// The database URL in `variable`; a test failure (never a skip) when unset.
inline std::optional<DatabaseUrl> url_from_env(const char* variable) {
  const std::string text = server_url(variable);
  if (text.empty()) return std::nullopt;
  return parse_database_url(text);
}

/// Runs `scenario` on `url` at `isolation` and returns the cell.
inline ScenarioCell run_cell(const Scenario& scenario, const DatabaseUrl& url,
                             Isolation isolation) {
  ScenarioOptions options;
  options.databases = {url};
  options.isolation = std::vector<Isolation>{isolation};
  ScenarioRunResult result = run_scenarios({scenario}, options);
  EXPECT_EQ(result.scenarios.size(), 1u);
  EXPECT_EQ(result.scenarios.at(0).cells.size(), 1u);
  return result.scenarios.at(0).cells.at(0);
}

/// A trace as one comparable text: every field but timings, one event a line.
inline std::string trace_text(const ScenarioCell& cell) {
  std::string text =
      std::string(to_string(cell.verdict)) + " " + cell.how + " " + cell.explanation + "\n";
  for (const TraceEvent& e : cell.trace) {
    text += std::to_string(e.at_step) + " " + std::to_string(e.step) + " " + e.session + " " +
            std::string(to_string(e.status)) + (e.released ? " released" : "") +
            (e.deferred ? " deferred" : "") + " " + std::string(to_string(e.detected_by)) + " " +
            e.outcome.code + " " + e.outcome.message + " " + std::to_string(e.rows_affected) + " " +
            std::to_string(e.failed_at_step) + " " + std::to_string(e.blocked_at_step);
    for (const auto& row : e.rows.rows)
      for (const auto& value : row) text += " " + value.value_or("NULL");
    text += "\n";
  }
  return text;
}

/// The trace event recorded for step `step`'s statement with `status`, or nullptr.
inline const TraceEvent* event_of(const ScenarioCell& cell, int step, StepStatus status) {
  for (const TraceEvent& e : cell.trace)
    if (e.step == step && e.status == status) return &e;
  return nullptr;
}

}  // namespace clobber::testing
