// The scenario reporters on a hand-made result: console traces and matrix,
// and the JSON shape.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "reports/reporter.h"
#include "tests/reports/sample_scenario_result.h"

namespace clobber {
namespace {

/// Lost update on PostgreSQL (read committed: lost; repeatable read: 40001),
/// with read uncommitted unsupported, and a second scenario pinned elsewhere.
ScenarioRunResult sample() {
  return testing::postgres_scenario_result();
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
