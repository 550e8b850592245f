// The result model of scenario runs: per (database, isolation level) cell the
// trace of every step and a verdict. The scenario runner fills it; the scenario
// reporters (reports/scenario_reporter.h) read only this.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/driver.h"
#include "drivers/lock_wait_probe.h"
#include "harness/result/result.h"
#include "harness/scenario/scenario.h"

namespace clobber {

/// What became of one statement, as one trace event shows it.
enum class StepStatus {
  ok,           // returned successfully
  failed,       // returned an error (outcome.code, outcome.message)
  blocked,      // has not returned: waiting (see BlockDetection); a later event releases it
  deferred,     // not sent yet: its session is still blocked at an earlier step; a later
                // event runs it once that statement returns
  skipped,      // not sent: its session's transaction had already failed, or its session
                // stayed blocked to the end of the script
  rolled_back,  // a commit step of a failed transaction: clobber rolled it back instead
};

/// One event of a cell's trace, in the order the script observed them.
struct TraceEvent {
  int at_step = 0;  // 1-based step during which it was recorded; steps + 1: after the script
  int step = 0;     // 1-based step whose statement this is (differs for released and deferred)
  std::string session;
  std::string statement;  // as written in the scenario
  StepStatus status = StepStatus::ok;
  bool released = false;  // the statement, blocked at `step`, returned during `at_step`
  bool deferred = false;  // the statement, deferred at `step`, was sent during `at_step`
  BlockDetection detected_by = BlockDetection::none;  // blocked: how it was seen
  Outcome outcome;                                    // failed (and rolled_back: the failure)
  QueryRows rows;                                     // ok: what it returned
  int64_t rows_affected = -1;                         // ok: rows changed; -1 when it returned rows
  int failed_at_step = 0;   // skipped, rolled_back: the step whose failure aborted the transaction
  int blocked_at_step = 0;  // deferred, skipped: the step its session was blocked at
};

/// What a cell concluded.
enum class ScenarioVerdict {
  anomaly,      // every condition of anomaly_if held
  prevented,    // the script ran and the anomaly did not happen
  unsupported,  // the database cannot run this isolation level
  error,        // the cell could not run (setup failed, the script got stuck, ...)
};

/// How a prevented anomaly was prevented (the strongest mechanism seen).
enum class Prevention {
  none,     // nothing blocked or failed: the reads and writes just did not collide
  blocked,  // a statement waited for a lock, then went on
  aborted,  // a statement failed (serialization failure, deadlock, lock timeout, ...)
};

/// One (database, isolation level) run of a scenario.
struct ScenarioCell {
  DatabaseInfo database;
  Isolation isolation = Isolation::none;
  CellStatus status = CellStatus::ran;
  std::string reason;  // why unsupported or error
  ScenarioVerdict verdict = ScenarioVerdict::prevented;
  Prevention prevention = Prevention::none;
  std::optional<Outcome> abort;        // aborted: the first failure (cause and code)
  std::string how;                     // short: "ANOMALY", "abort 40001", "deadlock 1213", ...
  std::string explanation;             // one sentence
  std::vector<std::string> committed;  // sessions every transaction of which committed
  std::vector<TraceEvent> trace;
  std::string table_prefix;  // what the scenario's table names were prefixed with
  double duration_s = 0;
  std::vector<ExpectationResult> expectations;  // the file's `expect:` rules selecting it
  bool passed = true;                           // every expectation met
};

/// One step of a scenario's script, as reports list it.
struct ScenarioStepInfo {
  std::string session;
  std::string statement;  // as written
  std::string name;       // `as:` name; empty when none
};

/// One scenario over every cell it ran in.
struct ScenarioResult {
  std::string name;
  std::string id;
  std::string description;
  std::string file;
  std::vector<std::string> sessions;
  std::vector<ScenarioStepInfo>
      steps;               // trace events at step steps.size() + 1 come after the script
  std::string anomaly_if;  // describe_condition(...)
  std::vector<ScenarioCell> cells;
};

/// A `clobber scenario` run: every scenario over every database and level.
struct ScenarioRunResult {
  std::string tool = "clobber";
  std::string version;
  int schema = 1;
  std::string started_at;               // ISO 8601 UTC
  std::vector<DatabaseInfo> databases;  // in --db order
  std::vector<Isolation> isolations;    // levels asked for, in report order
  std::vector<ScenarioResult> scenarios;
  bool explore = false;      // --explore: unmet expectations reported, never failing
  bool interrupted = false;  // stopped by Ctrl-C: a partial report
  /// True when every cell met its expectations.
  bool passed() const;
};

/// Checks `cell` against the `expect:` rules of `scenario` that select it
/// (by database kind and isolation level), filling its expectations and
/// `passed`. A cell that did not run (unsupported, error) is held to none.
void apply_scenario_expectations(const Scenario& scenario, ScenarioCell& cell);

/// One row of the matrix: a database at an isolation level.
struct MatrixRow {
  const DatabaseInfo* database = nullptr;
  Isolation isolation = Isolation::none;
  std::vector<const ScenarioCell*> cells;  // one per scenario; nullptr: not run (pinned level)
};

/// The table rows (database, isolation level) x columns (scenarios), in run order.
std::vector<MatrixRow> scenario_matrix(const ScenarioRunResult& result);

/// Name used in JSON ("ok", "failed", "blocked", "deferred", "skipped", "rolled_back").
std::string_view to_string(StepStatus status);
/// Name used in JSON ("anomaly", "prevented", "unsupported", "error").
std::string_view to_string(ScenarioVerdict verdict);
/// Name used in JSON ("none", "blocked", "aborted").
std::string_view to_string(Prevention prevention);

}  // namespace clobber
