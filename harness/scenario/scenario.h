// The scenario model (docs/scenario-format.md):
// named sessions, an exact order of statements across them, and what outcome
// means the anomaly happened. Loaded by scenario_loader.h, run by
// scenario_runner.h, server-free.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.h"
#include "common/types.h"
#include "harness/expr/expression.h"

namespace clobber {

/// What one step sends on its session.
enum class StepAction { begin, commit, rollback, sql };

/// One step of the script: a session and its next statement.
struct ScenarioStep {
  size_t session = 0;  // index into Scenario::sessions
  StepAction action = StepAction::sql;
  std::string statement;  // as written: "begin", "commit", "rollback" or the SQL
  std::string name;       // `as:` name of the rows it returns; empty when none
  /// `wait: server`: once blocked, its wait is left to the server (a timeout,
  /// or a later step as usual): a later step of its session waits for it, and
  /// the end of the script too, before anything is rolled back or cancelled.
  bool wait_for_server = false;
  SourceLocation where;  // the step in its file
};

/// A variable of the anomaly condition: one value a named step returned.
struct StepValue {
  std::string name;    // as written: "t1_read" or "t1_read.value"
  size_t step = 0;     // index into Scenario::steps
  std::string column;  // empty: the step's only column
};

/// The expected result of the final query: rows of values as text.
using ExpectedRows = std::vector<std::vector<std::string>>;

/// When the anomaly happened: every condition given holds.
struct AnomalyCondition {
  std::vector<size_t> all_committed;  // sessions whose every transaction committed
  std::optional<Expr> when;           // over StepValue slots (the frame index is the slot)
  std::vector<StepValue> values;      // slot -> step value, for `when`
  std::string sql;                    // final query on the committed state; empty when none
  ExpectedRows equals;                // what `sql` returns when the anomaly happened
};

/// What a scenario's cell must show.
enum class ExpectedOutcome { anomaly, prevented };

/// One `expect:` rule: the outcome every cell it selects must have; `scenario`
/// exits 1 when one does not (never with --explore).
struct ScenarioExpectation {
  std::vector<DatabaseKind> databases;  // empty: any
  std::vector<Isolation> isolation;     // empty: any
  ExpectedOutcome outcome = ExpectedOutcome::prevented;
  SourceLocation where;  // the rule in its file
};

/// A scenario as loaded from its YAML file.
struct Scenario {
  std::string file;
  std::string name;
  std::string id;  // short heading for the matrix (e.g. "P4"); the name when not given
  std::string description;
  std::vector<std::string> tables;      // logical names the setup creates, renamed per cell
  std::vector<std::string> setup;       // SQL run once per cell before the steps
  std::vector<std::string> sessions;    // in declaration order
  std::vector<Isolation> isolation;     // levels the scenario is pinned to; empty: any
  std::vector<DatabaseKind> databases;  // databases the scenario is pinned to; empty: any
  std::vector<ScenarioStep> steps;
  AnomalyCondition anomaly_if;
  std::vector<ScenarioExpectation> expect;
};

/// Rewrites SQL for one cell: every unquoted word equal to one of `tables`
/// (ignoring case, outside strings, quoted identifiers and comments, and not
/// after a '.') becomes `prefix` + the name, as written in `tables`.
std::string rename_tables(std::string_view sql, const std::vector<std::string>& tables,
                          std::string_view prefix);

/// A one-line summary of the anomaly condition, for reports.
std::string describe_condition(const AnomalyCondition& condition, const Scenario& scenario);

}  // namespace clobber
