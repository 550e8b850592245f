// A hand-made ScenarioRunResult over PostgreSQL and MariaDB with a cell of each
// verdict, for the reporter tests.
#pragma once

#include <string>

#include "harness/scenario/scenario_result.h"

namespace clobber::testing {

/// One trace event.
inline TraceEvent sample_event(int at_step, int step, const std::string& session,
                               const std::string& statement, StepStatus status) {
  TraceEvent e;
  e.at_step = at_step;
  e.step = step;
  e.session = session;
  e.statement = statement;
  e.status = status;
  return e;
}

/// Two scenarios at read uncommitted, read committed and repeatable read:
/// lost-update (P4): PostgreSQL read_uncommitted unsupported, read_committed
/// ANOMALY, repeatable_read prevented by abort 40001; MariaDB read_uncommitted
/// and read_committed ANOMALY, repeatable_read an error. pinned (PIN): only
/// PostgreSQL repeatable_read, prevented by abort 40001. 7 cells: 3 anomalies,
/// 2 prevented, 1 unsupported, 1 error.
inline ScenarioRunResult sample_scenario_result() {
  ScenarioRunResult result;
  result.version = "0.1.0";
  result.started_at = "2024-01-01T00:00:00Z";
  const DatabaseInfo pg{DatabaseKind::postgresql,
                        "15.20 (Debian 15.20-0+deb12u1)",
                        "postgresql://postgres:***@localhost/db",
                        {}};
  const DatabaseInfo maria{DatabaseKind::mysql,
                           "10.11.19-MariaDB",
                           "mysql://root@127.0.0.1:3306/db",
                           {{"innodb_snapshot_isolation", "OFF"}}};
  result.databases = {pg, maria};
  result.isolations = {Isolation::read_uncommitted, Isolation::read_committed,
                       Isolation::repeatable_read};

  ScenarioResult& p4 = result.scenarios.emplace_back();
  p4.name = "lost-update";
  p4.id = "P4";
  p4.description = "Alice and Bob";
  p4.file = "p4.yaml";
  p4.sessions = {"alice", "bob"};
  p4.steps = {{"alice", "update entry set value = 5", ""},
              {"bob", "update entry set value = 0", ""},
              {"alice", "commit", ""},
              {"bob", "commit", ""}};
  p4.anomaly_if = "alice and bob all committed";

  ScenarioCell unsupported;
  unsupported.database = pg;
  unsupported.isolation = Isolation::read_uncommitted;
  unsupported.status = CellStatus::unsupported;
  unsupported.verdict = ScenarioVerdict::unsupported;
  unsupported.how = "unsupported";
  unsupported.reason = "no such level";
  p4.cells.push_back(unsupported);

  ScenarioCell lost;
  lost.database = pg;
  lost.isolation = Isolation::read_committed;
  lost.verdict = ScenarioVerdict::anomaly;
  lost.how = "ANOMALY";
  lost.explanation = "the anomaly happened";
  lost.committed = {"alice", "bob"};
  lost.duration_s = 0.25;
  TraceEvent update = sample_event(1, 1, "alice", "update entry set value = 5", StepStatus::ok);
  update.rows_affected = 1;
  TraceEvent blocked = sample_event(2, 2, "bob", "update entry set value = 0", StepStatus::blocked);
  blocked.detected_by = BlockDetection::pg_stat_activity;
  TraceEvent released = sample_event(3, 2, "bob", "update entry set value = 0", StepStatus::ok);
  released.released = true;
  released.rows_affected = 1;
  lost.trace = {update, blocked, sample_event(3, 3, "alice", "commit", StepStatus::ok), released,
                sample_event(4, 4, "bob", "commit", StepStatus::ok)};
  p4.cells.push_back(lost);

  ScenarioCell aborted = lost;
  aborted.isolation = Isolation::repeatable_read;
  aborted.verdict = ScenarioVerdict::prevented;
  aborted.prevention = Prevention::aborted;
  aborted.abort = Outcome::failure(AbortCause::serialization, "40001", "could not serialize");
  aborted.how = "abort 40001";
  aborted.explanation = "prevented: bob's step 2 failed";
  aborted.committed = {"alice"};
  aborted.trace[3].status = StepStatus::failed;
  aborted.trace[3].outcome = *aborted.abort;
  aborted.trace[4].status = StepStatus::rolled_back;
  aborted.trace[4].failed_at_step = 2;
  p4.cells.push_back(aborted);

  for (Isolation isolation : {Isolation::read_uncommitted, Isolation::read_committed}) {
    ScenarioCell maria_lost = lost;
    maria_lost.database = maria;
    maria_lost.isolation = isolation;
    p4.cells.push_back(maria_lost);
  }
  ScenarioCell error;
  error.database = maria;
  error.isolation = Isolation::repeatable_read;
  error.status = CellStatus::error;
  error.verdict = ScenarioVerdict::error;
  error.how = "error";
  error.reason = "the script got stuck: bob's step 2 never returned";
  error.duration_s = 2;
  p4.cells.push_back(error);

  ScenarioResult& pinned = result.scenarios.emplace_back();
  pinned.name = "pinned";
  pinned.id = "PIN";
  pinned.file = "pin.yaml";
  pinned.anomaly_if = "alice committed";
  ScenarioCell only = aborted;
  only.trace.clear();
  pinned.cells.push_back(only);
  return result;
}

/// The sample on PostgreSQL alone: lost-update's three cells and pinned's one
/// (4 cells: 1 anomaly, 2 prevented, 1 unsupported).
inline ScenarioRunResult postgres_scenario_result() {
  ScenarioRunResult result = sample_scenario_result();
  result.databases.resize(1);
  for (ScenarioResult& scenario : result.scenarios)
    std::erase_if(scenario.cells, [&](const ScenarioCell& cell) {
      return cell.database.kind != result.databases[0].kind;
    });
  return result;
}

}  // namespace clobber::testing
