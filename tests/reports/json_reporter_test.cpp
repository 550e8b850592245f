// The JSON reporter writes exactly the result contract of docs/result.schema.json.
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "reports/reporter.h"
#include "tests/reports/sample_result.h"

namespace clobber {
namespace {

using nlohmann::json;

json render(const RunResult& result) {
  std::ostringstream out;
  JsonReporter().report(result, out);
  return json::parse(out.str());
}

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

TEST(JsonReporter, TopLevelFieldsHaveContractNamesAndTypes) {
  const json doc = render(testing::sample_result());
  EXPECT_EQ(keys_of(doc),
            (std::set<std::string>{"tool", "version", "schema", "kind", "workload", "workload_file",
                                   "description", "seed", "replay", "explore", "interrupted",
                                   "started_at", "verdict", "cells"}));
  EXPECT_EQ(doc["tool"], "clobber");
  EXPECT_EQ(doc["version"], "0.1.0");
  ASSERT_TRUE(doc["schema"].is_number_integer());
  EXPECT_EQ(doc["schema"], 1);
  EXPECT_EQ(doc["kind"], "run");
  EXPECT_EQ(doc["workload"], "joint-account");
  EXPECT_EQ(doc["workload_file"], "workloads/joint-account.yaml");
  ASSERT_TRUE(doc["seed"].is_number_unsigned());
  EXPECT_EQ(doc["seed"].get<uint64_t>(), testing::kSampleSeed);
  EXPECT_EQ(doc["explore"], false);
  EXPECT_EQ(doc["interrupted"], false);
  EXPECT_EQ(doc["started_at"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(doc["verdict"], "fail");
  ASSERT_TRUE(doc["cells"].is_array());
  EXPECT_EQ(doc["cells"].size(), 4u);
}

TEST(JsonReporter, CellHasEveryContractField) {
  const json doc = render(testing::sample_result());
  for (const json& cell : doc["cells"]) {
    EXPECT_EQ(keys_of(cell),
              (std::set<std::string>{
                  "database",     "isolation",    "locking",         "status",
                  "reason",       "workers",      "duration_s",      "transactions",
                  "aborts",       "retries",      "abort_rate",      "throughput_tps",
                  "latency_ms",   "lost_updates", "ledger",          "latency_histogram",
                  "timeline",     "anomalies",    "anomalies_total", "anomaly_counts",
                  "invariants",   "expectations", "notes",           "errors",
                  "errors_total", "chaos",        "verdict"}));
    EXPECT_EQ(keys_of(cell["database"]),
              (std::set<std::string>{"kind", "server_version", "url", "settings"}));
    EXPECT_TRUE(cell["database"]["settings"].is_object());
    EXPECT_EQ(keys_of(cell["transactions"]),
              (std::set<std::string>{"attempted", "committed", "rejected", "failed",
                                     "indeterminate", "failed_by_error"}));
    EXPECT_EQ(keys_of(cell["chaos"]), (std::set<std::string>{"kill_rate", "kills", "reconnects"}));
    for (const json& error : cell["errors"])
      EXPECT_EQ(keys_of(error), (std::set<std::string>{"code", "message", "count"}));
    EXPECT_EQ(
        keys_of(cell["aborts"]),
        (std::set<std::string>{"serialization", "deadlock", "lock_timeout", "conflict", "other"}));
    EXPECT_EQ(keys_of(cell["latency_ms"]), (std::set<std::string>{"p50", "p95", "p99", "max"}));
    EXPECT_EQ(keys_of(cell["ledger"]),
              (std::set<std::string>{"balanced", "lost_amount", "rows_checked", "differences",
                                     "differences_total"}));
    for (const json* counts : {&cell["transactions"], &cell["aborts"]})
      for (const auto& [name, value] : counts->items())
        EXPECT_TRUE(value.is_number_integer()) << name;
    for (const auto& [name, value] : cell["latency_ms"].items())
      EXPECT_TRUE(value.is_number()) << name;
    EXPECT_TRUE(cell["anomalies"].is_array());
    EXPECT_TRUE(cell["invariants"].is_array());
    EXPECT_TRUE(cell["expectations"].is_array());
  }
}

TEST(JsonReporter, FailedCellValues) {
  const RunResult result = testing::sample_result();
  const json cell = render(result)["cells"][0];
  EXPECT_EQ(cell["database"]["kind"], "postgresql");
  EXPECT_EQ(cell["database"]["server_version"], "15.20");
  EXPECT_EQ(cell["database"]["url"], testing::kSampleMaskedUrl);
  EXPECT_EQ(cell["database"]["settings"], (json{{"lock_timeout", "5s"}}));
  EXPECT_EQ(cell["isolation"], "read_committed");
  EXPECT_EQ(cell["locking"], "none");
  EXPECT_EQ(cell["status"], "ran");
  EXPECT_EQ(cell["reason"], "");
  EXPECT_EQ(cell["workers"], 16);
  EXPECT_DOUBLE_EQ(cell["duration_s"].get<double>(), 5.0125);
  EXPECT_EQ(cell["transactions"], (json{{"attempted", 1200},
                                        {"committed", 1100},
                                        {"rejected", 90},
                                        {"failed", 7},
                                        {"indeterminate", 3},
                                        {"failed_by_error", 3}}));
  EXPECT_EQ(cell["errors"], (json::array({json{{"code", "NOTFOUND"},
                                               {"message",
                                                "no row with key 9 "
                                                "(workloads/joint-account.yaml:20:9)"},
                                               {"count", 3}}})));
  EXPECT_EQ(cell["errors_total"], 2);
  EXPECT_EQ(cell["chaos"], (json{{"kill_rate", 2.5}, {"kills", 4}, {"reconnects", 5}}));
  EXPECT_EQ(cell["aborts"], (json{{"serialization", 0},
                                  {"deadlock", 4},
                                  {"lock_timeout", 2},
                                  {"conflict", 0},
                                  {"other", 1}}));
  EXPECT_EQ(cell["retries"], 6);
  EXPECT_DOUBLE_EQ(cell["abort_rate"].get<double>(), result.cells[0].abort_rate());
  EXPECT_DOUBLE_EQ(cell["throughput_tps"].get<double>(), 219.45);
  EXPECT_EQ(cell["latency_ms"],
            (json{{"p50", 1.25}, {"p95", 7.5}, {"p99", 12.125}, {"max", 40.0625}}));
  EXPECT_EQ(cell["lost_updates"], 12);
  EXPECT_EQ(cell["ledger"]["balanced"], false);
  EXPECT_EQ(cell["ledger"]["lost_amount"], 345);
  EXPECT_EQ(cell["ledger"]["rows_checked"], 10);
  EXPECT_EQ(cell["ledger"]["differences_total"], 7);
  ASSERT_EQ(cell["ledger"]["differences"].size(), 7u);
  EXPECT_EQ(cell["ledger"]["differences"][1], (json{{"table", "accounts"},
                                                    {"key", 2},
                                                    {"column", "balance"},
                                                    {"expected", 200},
                                                    {"expected_max", 210},
                                                    {"actual", 195}}));
  EXPECT_EQ(cell["anomalies_total"], 4);
  ASSERT_EQ(cell["anomalies"].size(), 4u);
  const json& anomaly = cell["anomalies"][0];
  EXPECT_EQ(anomaly["type"], "lost_update");
  EXPECT_EQ(anomaly["table"], "accounts");
  EXPECT_EQ(anomaly["key"], 1);
  EXPECT_EQ(anomaly["column"], "balance");
  EXPECT_EQ(anomaly["version_read"], 40);
  EXPECT_EQ(anomaly["explanation"], "T101 and T202 both read version 40 and both wrote it");
  ASSERT_EQ(anomaly["transactions"].size(), 2u);
  EXPECT_EQ(anomaly["transactions"][0], (json{{"id", 101},
                                              {"worker", 3},
                                              {"attempt", 1},
                                              {"type", "transfer"},
                                              {"start_ms", 10.5},
                                              {"write_ms", 0.0},
                                              {"commit_sent_ms", 0.0},
                                              {"commit_ms", 12.75},
                                              {"autocommit", false},
                                              {"read_value", 400},
                                              {"written_value", 380}}));
  // A lost update lists its one row; it has no edges and rules out nothing by itself.
  EXPECT_EQ(anomaly["rows"], (json::array({json{{"table", "accounts"}, {"key", 1}}})));
  EXPECT_EQ(anomaly["edges"], json::array());
  EXPECT_EQ(anomaly["rules_out"], json::array());
  EXPECT_EQ(cell["anomaly_counts"], json::object());
  EXPECT_EQ(cell["notes"], json::array());
  EXPECT_EQ(cell["invariants"][0], (json{{"name", "money is conserved"},
                                         {"passed", false},
                                         {"expected", "= 700"},
                                         {"actual", "650"}}));
  EXPECT_EQ(cell["expectations"][0],
            (json{{"description", "lost_updates = 0 (workloads/joint-account.yaml:40:5)"},
                  {"passed", false},
                  {"actual", "12"}}));
  EXPECT_EQ(cell["verdict"], "fail");
}

TEST(JsonReporter, DependencyAnomalyFields) {
  RunResult result = testing::sample_result();
  CellResult& cell = result.cells[0];
  Anomaly skew;
  skew.type = "G2-item";
  skew.table = "doctors";
  skew.key = 2;
  skew.rows = {{"doctors", 2}, {"doctors", 1}};
  skew.transactions = {{11, 0, 1, "go_off_call", 1.0, 2.0, 1, 0},
                       {12, 1, 1, "go_off_call", 1.5, 2.5, 1, 0}};
  skew.edges = {{11, 12, "rw", "doctors", 2, "T0.11 read doctors[2] ..."},
                {12, 11, "rw", "doctors", 1, "T1.12 read doctors[1] ..."}};
  skew.rules_out = {"serializable"};
  skew.explanation = "Write skew (G2-item): ...";
  cell.anomalies = {skew};
  cell.anomaly_counts = {{"lost_update", 3}, {"G2-item", 1}};
  cell.notes = {"raw sql steps are excluded from exact checking: ..."};
  const json out = render(result)["cells"][0];
  const json& a = out["anomalies"][0];
  EXPECT_EQ(a["type"], "G2-item");
  EXPECT_EQ(a["rows"],
            (json{{{"table", "doctors"}, {"key", 2}}, {{"table", "doctors"}, {"key", 1}}}));
  ASSERT_EQ(a["edges"].size(), 2u);
  EXPECT_EQ(a["edges"][0], (json{{"from", 11},
                                 {"to", 12},
                                 {"kind", "rw"},
                                 {"table", "doctors"},
                                 {"key", 2},
                                 {"explanation", "T0.11 read doctors[2] ..."}}));
  EXPECT_EQ(a["rules_out"], (json{"serializable"}));
  EXPECT_EQ(out["anomaly_counts"], (json{{"lost_update", 3}, {"G2-item", 1}}));
  EXPECT_EQ(out["notes"], (json{"raw sql steps are excluded from exact checking: ..."}));
}

TEST(JsonReporter, CellVerdicts) {
  const json cells = render(testing::sample_result())["cells"];
  EXPECT_EQ(cells[0]["verdict"], "fail");
  EXPECT_EQ(cells[1]["verdict"], "pass");
  EXPECT_EQ(cells[2]["verdict"], "skipped");
  EXPECT_EQ(cells[2]["status"], "unsupported");
  EXPECT_EQ(cells[2]["reason"], "SQLite has no SELECT ... FOR UPDATE");
  EXPECT_EQ(cells[3]["status"], "error");
  EXPECT_EQ(cells[3]["verdict"], "fail");
  EXPECT_EQ(cells[3]["database"]["kind"], "mysql");
}

TEST(JsonReporter, PassingRunAndFlags) {
  RunResult result = testing::sample_result();
  result.cells.erase(result.cells.begin());
  result.cells.pop_back();
  result.passed = true;
  result.explore = true;
  result.interrupted = true;
  const json doc = render(result);
  EXPECT_EQ(doc["verdict"], "pass");
  EXPECT_EQ(doc["explore"], true);
  EXPECT_EQ(doc["interrupted"], true);
}

TEST(JsonReporter, MaskedUrlStaysMasked) {
  std::ostringstream out;
  JsonReporter().report(testing::sample_result(), out);
  EXPECT_NE(out.str().find("postgresql://bob:***@127.0.0.1:5432/clobber"), std::string::npos);
  EXPECT_EQ(out.str().find("bob:secret"), std::string::npos);
}

TEST(JsonReporter, InvalidUtf8IsReplacedNotThrown) {
  RunResult result = testing::sample_result();
  result.cells[3].reason = "server said \xff\xfe";
  std::ostringstream out;
  EXPECT_NO_THROW(JsonReporter().report(result, out));
  EXPECT_TRUE(json::accept(out.str()));
}

}  // namespace
}  // namespace clobber
