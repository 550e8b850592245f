// The scenario reporters on a hand-made result: console traces and matrix,
// and the JSON shape.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "reports/reporter.h"

namespace clobber {
namespace {

TraceEvent event(int at_step, int step, const std::string& session, const std::string& statement,
                 StepStatus status) {
  TraceEvent e;
  e.at_step = at_step;
  e.step = step;
  e.session = session;
  e.statement = statement;
  e.status = status;
  return e;
}

/// Lost update on PostgreSQL (read committed: lost; repeatable read: 40001),
/// with read uncommitted unsupported, and a second scenario pinned elsewhere.
ScenarioRunResult sample() {
  ScenarioRunResult result;
  result.version = "0.1.0";
  result.started_at = "2024-01-01T00:00:00Z";
  DatabaseInfo pg{DatabaseKind::postgresql,
                  "15.20 (Debian 15.20-0+deb12u1)",
                  "postgresql://postgres:***@localhost/db",
                  {}};
  result.databases = {pg};
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
  TraceEvent update = event(1, 1, "alice", "update entry set value = 5", StepStatus::ok);
  update.rows_affected = 1;
  TraceEvent blocked = event(2, 2, "bob", "update entry set value = 0", StepStatus::blocked);
  blocked.detected_by = BlockDetection::pg_stat_activity;
  TraceEvent released = event(3, 2, "bob", "update entry set value = 0", StepStatus::ok);
  released.released = true;
  released.rows_affected = 1;
  lost.trace = {update, blocked, event(3, 3, "alice", "commit", StepStatus::ok), released,
                event(4, 4, "bob", "commit", StepStatus::ok)};
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

  ScenarioResult& pinned = result.scenarios.emplace_back();
  pinned.name = "pinned";
  pinned.id = "PIN";
  pinned.file = "pin.yaml";
  ScenarioCell only = aborted;
  only.trace.clear();
  pinned.cells.push_back(only);
  return result;
}

std::string console(const ScenarioRunResult& result, bool traces) {
  std::ostringstream out;
  ConsoleReporter(ConsoleOptions{.traces = traces}).report(result, out);
  return out.str();
}

TEST(ScenarioConsoleReporter, PrintsTracesWithReleases) {
  const std::string text = console(sample(), true);
  EXPECT_NE(text.find("Scenario lost-update (P4): p4.yaml"), std::string::npos) << text;
  EXPECT_NE(text.find("postgresql 15.20 at read_committed: ANOMALY"), std::string::npos) << text;
  EXPECT_NE(text.find("blocked (lock wait seen in pg_stat_activity)"), std::string::npos) << text;
  EXPECT_NE(text.find("↳ 2: update entry set value = 0"), std::string::npos) << text;
  EXPECT_NE(text.find("failed 40001 (serialization): could not serialize"), std::string::npos);
  EXPECT_NE(text.find("rolled back instead: the transaction failed at step 2"), std::string::npos);
  EXPECT_EQ(text.find("\x1b["), std::string::npos);  // no colors when off
}

TEST(ScenarioConsoleReporter, MatrixHasOneRowPerLevelAndOneColumnPerScenario) {
  const std::string text = console(sample(), false);
  EXPECT_EQ(text.find("Scenario lost-update"), std::string::npos);  // no traces
  EXPECT_NE(text.find("database          isolation        P4           PIN"), std::string::npos)
      << text;
  EXPECT_NE(text.find("postgresql 15.20  read_committed   ANOMALY      -"), std::string::npos)
      << text;
  EXPECT_NE(text.find("                  repeatable_read  abort 40001  abort 40001"),
            std::string::npos)
      << text;
  // A level the database lacks is not a row: it is listed with the reason.
  EXPECT_NE(text.find("postgresql 15.20 read_uncommitted: no such level"), std::string::npos)
      << text;
  EXPECT_NE(text.find("2 scenarios, 4 cells: 1 anomaly, 2 prevented, 1 unsupported, 0 errors"),
            std::string::npos)
      << text;
}

TEST(ScenarioConsoleReporter, ServerTextCannotMoveTheCursor) {
  ScenarioRunResult result = sample();
  result.scenarios[0].cells[2].trace[3].outcome.message = "bad\x1b[2Jnews\nline";
  const std::string text = console(result, true);
  EXPECT_EQ(text.find("\x1b"), std::string::npos);
  EXPECT_NE(text.find("bad [2Jnews line"), std::string::npos) << text;
}

TEST(ScenarioJsonReporter, WritesTracesVerdictsAndTheMatrix) {
  std::ostringstream out;
  JsonReporter().report(sample(), out);
  const nlohmann::json json = nlohmann::json::parse(out.str());
  EXPECT_EQ(json["tool"], "clobber");
  EXPECT_EQ(json["kind"], "scenario");
  EXPECT_EQ(json["isolations"].size(), 3u);
  const auto& p4 = json["scenarios"][0];
  EXPECT_EQ(p4["id"], "P4");
  EXPECT_EQ(p4["steps"][1]["session"], "bob");
  const auto& lost = p4["cells"][1];
  EXPECT_EQ(lost["verdict"], "anomaly");
  EXPECT_EQ(lost["database"]["url"], "postgresql://postgres:***@localhost/db");
  EXPECT_EQ(lost["trace"][1]["status"], "blocked");
  EXPECT_EQ(lost["trace"][1]["detected_by"], "pg_stat_activity");
  EXPECT_EQ(lost["trace"][3]["released"], true);
  EXPECT_EQ(lost["trace"][3]["at_step"], 3);
  EXPECT_EQ(lost["trace"][3]["step"], 2);
  EXPECT_EQ(lost["trace"][3]["rows_affected"], 1);
  const auto& aborted = p4["cells"][2];
  EXPECT_EQ(aborted["verdict"], "prevented");
  EXPECT_EQ(aborted["prevented_by"], "aborted");
  EXPECT_EQ(aborted["abort"]["code"], "40001");
  EXPECT_EQ(aborted["trace"][3]["error"]["cause"], "serialization");
  EXPECT_EQ(aborted["trace"][4]["failed_at_step"], 2);
  EXPECT_EQ(p4["cells"][0]["reason"], "no such level");

  const auto& matrix = json["matrix"];
  EXPECT_EQ(matrix["columns"], nlohmann::json::array({"P4", "PIN"}));
  ASSERT_EQ(matrix["rows"].size(), 3u);
  EXPECT_EQ(matrix["rows"][1]["isolation"], "read_committed");
  EXPECT_EQ(matrix["rows"][1]["cells"][0]["verdict"], "anomaly");
  EXPECT_TRUE(matrix["rows"][1]["cells"][1].is_null());
  EXPECT_EQ(matrix["rows"][2]["cells"][1]["how"], "abort 40001");
}

TEST(ScenarioConsoleReporter, TellsSameVersionDatabasesApartByTheirSettings) {
  ScenarioRunResult result = sample();
  result.scenarios.pop_back();
  const DatabaseInfo off{
      DatabaseKind::mysql,
      "10.11.19-MariaDB",
      "mysql://a",
      {{"transaction_isolation", "REPEATABLE-READ"}, {"innodb_snapshot_isolation", "OFF"}}};
  DatabaseInfo on = off;
  on.url = "mysql://a?innodb_snapshot_isolation=ON";
  on.settings[1].second = "ON";
  result.databases = {off, on};
  result.isolations = {Isolation::repeatable_read};
  ScenarioCell& cell = result.scenarios[0].cells[2];
  cell.database = off;
  ScenarioCell other = cell;
  other.database = on;
  result.scenarios[0].cells.push_back(other);
  const std::string text = console(result, false);
  EXPECT_NE(text.find("mariadb 10.11.19 innodb_snapshot_isolation=OFF  repeatable_read"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mariadb 10.11.19 innodb_snapshot_isolation=ON   repeatable_read"),
            std::string::npos)
      << text;
}

TEST(ScenarioDatabaseLabel, ShortensVersions) {
  EXPECT_EQ(database_label({DatabaseKind::mysql, "10.11.19-MariaDB-0+deb12u1", "", {}}),
            "mariadb 10.11.19");
  EXPECT_EQ(database_label({DatabaseKind::mysql, "8.0.36", "", {}}), "mysql 8.0.36");
  EXPECT_EQ(database_label({DatabaseKind::sqlite, "", "", {}}), "sqlite");
}

}  // namespace
}  // namespace clobber
