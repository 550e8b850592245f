// read_json_result reads back exactly what JsonReporter writes, and names the
// file, the position or the field of whatever is wrong.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "reports/json_reader.h"
#include "reports/report_files.h"
#include "reports/reporter.h"
#include "tests/reports/sample_result.h"

namespace clobber {
namespace {

std::string to_json(const RunResult& result) {
  std::ostringstream out;
  JsonReporter().report(result, out);
  return out.str();
}

/// The InputError `read_json_result_text(text)` throws.
InputError read_error(const std::string& text) {
  try {
    read_json_result_text(text, "saved.json");
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for: " << text;
  return InputError("none");
}

/// The sample's JSON with `edit` applied to the parsed document.
template <typename Edit>
std::string edited_sample(Edit edit) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(to_json(testing::sample_result()));
  edit(doc);
  return doc.dump();
}

TEST(JsonReader, RoundTripIsExact) {
  const RunResult original = testing::sample_result();
  const std::string text = to_json(original);
  const RunResult read = std::get<RunResult>(read_json_result_text(text, "saved.json"));
  EXPECT_EQ(to_json(read), text);

  EXPECT_EQ(read.seed, testing::kSampleSeed);
  EXPECT_FALSE(read.passed);
  ASSERT_EQ(read.cells.size(), 4u);
  EXPECT_EQ(read.cells[0].database.settings, original.cells[0].database.settings);
  EXPECT_EQ(read.cells[0].ledger.differences[1].expected_max, 210);
  EXPECT_EQ(read.cells[0].anomalies[3].transactions[1].id, 205u);
  EXPECT_DOUBLE_EQ(read.cells[0].latency_ms.p99, 12.125);
  EXPECT_FALSE(read.cells[0].passed);
  EXPECT_TRUE(read.cells[1].passed);
  ASSERT_EQ(read.cells[0].errors.size(), 1u);
  EXPECT_EQ(read.cells[0].errors[0].code, "NOTFOUND");
  EXPECT_EQ(read.cells[0].errors[0].count, 3);
  EXPECT_EQ(read.cells[0].errors_total, 2);
  EXPECT_EQ(read.cells[0].chaos.kills, 4);
  EXPECT_EQ(read.cells[0].invariants[2].error, "relation \"audit\" does not exist");
  EXPECT_EQ(read.cells[2].status, CellStatus::unsupported);
  EXPECT_TRUE(read.cells[2].passed);
  EXPECT_EQ(read.cells[2].reason, original.cells[2].reason);
  EXPECT_EQ(read.cells[3].status, CellStatus::error);
  EXPECT_EQ(read.cells[3].database.kind, DatabaseKind::mysql);
  EXPECT_EQ(read.cells[3].isolation, Isolation::repeatable_read);
  EXPECT_EQ(read.cells[3].locking, Locking::optimistic);
}

TEST(JsonReader, RoundTripOfPassingExploredInterruptedRun) {
  RunResult original = testing::sample_result();
  original.passed = true;
  original.explore = true;
  original.interrupted = true;
  original.cells.resize(2);
  const std::string text = to_json(original);
  const RunResult read = std::get<RunResult>(read_json_result_text(text, "saved.json"));
  EXPECT_TRUE(read.passed);
  EXPECT_TRUE(read.explore);
  EXPECT_TRUE(read.interrupted);
  EXPECT_EQ(to_json(read), text);
}

TEST(JsonReader, RoundTripOfDependencyAnomalies) {
  RunResult original = testing::sample_result();
  CellResult& cell = original.cells[1];
  Anomaly skew;
  skew.type = "G-single";
  skew.table = "accounts";
  skew.key = 2;
  skew.column = "balance";
  skew.rows = {{"accounts", 2}, {"accounts", 1}};
  skew.transactions = {{4294967296, 0, 1, "transfer", 1.0, 2.0, 50, 60},
                       {8589934592, 1, 2, "audit", 1.5, 2.5, 50, 0}};
  skew.edges = {{4294967296, 8589934592, "wr", "accounts", 2, "T0.0 wrote ... (wr)"},
                {8589934592, 4294967296, "rw", "accounts", 1, "T1.0 read ... (rw)"}};
  skew.rules_out = {"repeatable_read", "serializable"};
  skew.explanation = "Read skew (G-single): ...";
  cell.anomalies = {skew};
  cell.anomalies_total = 1;
  cell.anomaly_counts = {{"G-single", 1}};
  cell.notes = {"1 rows had contradictory version numbers", "second note"};
  const std::string text = to_json(original);
  const RunResult read = std::get<RunResult>(read_json_result_text(text, "saved.json"));
  EXPECT_EQ(to_json(read), text);
  const Anomaly& a = read.cells[1].anomalies.at(0);
  EXPECT_EQ(a.type, "G-single");
  ASSERT_EQ(a.rows.size(), 2u);
  EXPECT_EQ(a.rows[1].key, 1);
  ASSERT_EQ(a.edges.size(), 2u);
  EXPECT_EQ(a.edges[0].from, 4294967296u);
  EXPECT_EQ(a.edges[1].kind, "rw");
  EXPECT_EQ(a.edges[1].explanation, "T1.0 read ... (rw)");
  EXPECT_EQ(a.rules_out, (std::vector<std::string>{"repeatable_read", "serializable"}));
  ASSERT_EQ(read.cells[1].anomaly_counts.size(), 1u);
  EXPECT_EQ(read.cells[1].anomaly_counts[0].type, "G-single");
  EXPECT_EQ(read.cells[1].anomaly_counts[0].count, 1);
  EXPECT_EQ(read.cells[1].notes, cell.notes);
  // A lost update's one row is written as its rows and read back as such.
  EXPECT_EQ(read.cells[0].anomalies[0].rows.size(), 1u);
  EXPECT_EQ(read.cells[0].anomalies[0].rows[0].table, "accounts");
}

TEST(JsonReader, ReadsFile) {
  char path[] = "/tmp/clobber_json_reader_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  const RunResult original = testing::sample_result();
  write_report_file(JsonReporter(), Results(original), path);
  const RunResult read = std::get<RunResult>(read_json_result(path));
  std::remove(path);
  EXPECT_EQ(to_json(read), to_json(original));
}

TEST(JsonReader, MissingFileNamesIt) {
  try {
    read_json_result("/nonexistent/results.json");
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, "/nonexistent/results.json");
    EXPECT_NE(std::string(e.what()).find("/nonexistent/results.json"), std::string::npos);
  }
}

TEST(JsonReader, SyntaxErrorNamesLineAndColumn) {
  const InputError e = read_error("{\n  \"tool\": \"clobber\",\n  oops\n}\n");
  EXPECT_EQ(e.where().file, "saved.json");
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().column, 3);
  EXPECT_NE(std::string(e.what()).find("saved.json:3:3: malformed JSON"), std::string::npos)
      << e.what();
}

TEST(JsonReader, EmptyAndTruncatedFilesAreInputErrors) {
  EXPECT_EQ(read_error("").where().line, 1);
  const std::string truncated = to_json(testing::sample_result()).substr(0, 200);
  EXPECT_NE(std::string(read_error(truncated).what()).find("malformed JSON"), std::string::npos);
}

TEST(JsonReader, NotAClobberResult) {
  EXPECT_NE(std::string(read_error("{\"a\": 1}").what()).find("not a clobber result"),
            std::string::npos);
  EXPECT_NE(std::string(read_error("[1, 2]").what()).find("not a clobber result"),
            std::string::npos);
}

TEST(JsonReader, UnknownNameNamesTheField) {
  const std::string text =
      edited_sample([](auto& doc) { doc["cells"][1]["isolation"] = "snapshot"; });
  const std::string message = read_error(text).what();
  EXPECT_NE(message.find("saved.json: cells[1].isolation: unknown isolation level \"snapshot\""),
            std::string::npos)
      << message;
}

TEST(JsonReader, MissingFieldNamesIt) {
  const std::string text =
      edited_sample([](auto& doc) { doc["cells"][0]["transactions"].erase("committed"); });
  const std::string message = read_error(text).what();
  EXPECT_NE(message.find("cells[0].transactions: missing field \"committed\""), std::string::npos)
      << message;
}

TEST(JsonReader, WrongTypeNamesTheField) {
  const std::string text = edited_sample([](auto& doc) { doc["cells"][2]["retries"] = "many"; });
  const std::string message = read_error(text).what();
  EXPECT_NE(message.find("cells[2].retries: expected an integer, found string"), std::string::npos)
      << message;
  const std::string negative = edited_sample([](auto& doc) { doc["seed"] = -1; });
  EXPECT_NE(std::string(read_error(negative).what()).find("seed: expected a non-negative integer"),
            std::string::npos);
}

TEST(JsonReader, NewerSchemaIsRefused) {
  const std::string text = edited_sample([](auto& doc) { doc["schema"] = 2; });
  EXPECT_NE(std::string(read_error(text).what()).find("schema 2 is not supported"),
            std::string::npos);
}

TEST(JsonReader, OptionalFieldsDefault) {
  const std::string text = edited_sample([](auto& doc) {
    doc.erase("workload_file");
    doc.erase("description");
    doc.erase("explore");
    auto& cell = doc["cells"][0];
    cell.erase("ledger");
    cell.erase("expectations");
    cell.erase("anomalies_total");
    cell["database"].erase("settings");
  });
  const RunResult read = std::get<RunResult>(read_json_result_text(text, "saved.json"));
  EXPECT_EQ(read.workload_file, "");
  EXPECT_FALSE(read.explore);
  EXPECT_TRUE(read.cells[0].ledger.balanced);
  EXPECT_TRUE(read.cells[0].expectations.empty());
  EXPECT_EQ(read.cells[0].anomalies_total, 4);
  EXPECT_TRUE(read.cells[0].database.settings.empty());
}

TEST(JsonReader, ReadsAScenarioRunBackAsItWasWritten) {
  ScenarioRunResult original;
  original.version = "0.1.0";
  original.started_at = "2024-05-01T12:00:00Z";
  original.databases = {{DatabaseKind::postgresql, "15.20", "postgresql://app:***@db/shop", {}}};
  original.isolations = {Isolation::read_committed};
  ScenarioResult scenario;
  scenario.name = "Lost update";
  scenario.id = "P4";
  scenario.file = "p4.yaml";
  scenario.sessions = {"T1", "T2"};
  scenario.steps = {{"T1", "SELECT v FROM t WHERE id = 1", "r1"},
                    {"T2", "UPDATE t SET v = 2 WHERE id = 1", ""}};
  scenario.anomaly_if = "r1 = 1";
  ScenarioCell cell;
  cell.database = original.databases[0];
  cell.isolation = Isolation::read_committed;
  cell.verdict = ScenarioVerdict::prevented;
  cell.prevention = Prevention::aborted;
  cell.abort = Outcome::failure(AbortCause::serialization, "40001", "could not serialize");
  cell.how = "abort 40001";
  cell.committed = {"T1"};
  TraceEvent read;
  read.at_step = 1;
  read.step = 1;
  read.session = "T1";
  read.statement = scenario.steps[0].statement;
  read.rows.columns = {"v"};
  read.rows.rows = {{std::string("1")}, {std::nullopt}};
  TraceEvent blocked;
  blocked.at_step = 2;
  blocked.step = 2;
  blocked.session = "T2";
  blocked.statement = scenario.steps[1].statement;
  blocked.status = StepStatus::blocked;
  blocked.detected_by = BlockDetection::pg_stat_activity;
  TraceEvent failed = blocked;
  failed.at_step = 3;
  failed.status = StepStatus::failed;
  failed.released = true;
  failed.outcome = *cell.abort;
  cell.trace = {read, blocked, failed};
  scenario.cells.push_back(cell);
  original.scenarios.push_back(scenario);

  std::ostringstream written;
  JsonReporter().report(original, written);
  const Results read_back = read_json_result_text(written.str(), "saved.json");
  ASSERT_TRUE(std::holds_alternative<ScenarioRunResult>(read_back));
  std::ostringstream rewritten;
  render(JsonReporter(), read_back, rewritten);
  EXPECT_EQ(rewritten.str(), written.str());
}

TEST(JsonReader, PasswordsInASavedFileAreMaskedAgain) {
  const std::string text = edited_sample([](nlohmann::ordered_json& doc) {
    doc["replay"] =
        "clobber run w.yaml --db postgresql://app:hunter2@db/shop --db "
        "'mysql://root:s3cret@127.0.0.1:3306/x' --seed 7";
    doc["cells"][0]["database"]["url"] = "postgresql://app:hunter2@db/shop";
  });
  const RunResult read = std::get<RunResult>(read_json_result_text(text, "saved.json"));
  EXPECT_EQ(read.replay_command,
            "clobber run w.yaml --db postgresql://app:***@db/shop --db "
            "'mysql://root:***@127.0.0.1:3306/x' --seed 7");
  EXPECT_EQ(read.cells[0].database.url, "postgresql://app:***@db/shop");
}

TEST(JsonReader, RefusesAnUnknownKind) {
  const InputError error = read_error(R"({"tool": "clobber", "version": "1", "schema": 1,
                                         "kind": "benchmark"})");
  EXPECT_NE(std::string(error.what()).find("kind: expected \"run\" or \"scenario\""),
            std::string::npos)
      << error.what();
}

}  // namespace
}  // namespace clobber
