// docs/result.schema.json is the JSON contract: real outputs of the built
// binary on SQLite (a run with unsupported, passing and failing cells, and the
// whole scenario folder) validate against it, and documents that break it (a
// missing required field, a wrong type, an unknown value, an extra field) do
// not. Built a second time with CLOBBER_SCHEMA_SERVERS: the same on the
// PostgreSQL and MySQL test servers (dependency-graph anomalies with their
// edges, blocked statements and how they were detected).
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "tests/common/clobber_binary.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

using testing::quoted;
using testing::read_file;

/// The parsed schema, and the real results every test of this binary checks,
/// written once per test process (null when clobber failed).
class SchemaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    schema_ = std::make_unique<valijson::Schema>();
    const Json document =
        Json::parse(read_file(fs::path(CLOBBER_SOURCE_DIR) / "docs" / "result.schema.json"));
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document);
    parser.populateSchema(adapter, *schema_);

    dir_ = std::make_unique<testing::TempDir>("clobber_schema_");
#ifndef CLOBBER_SCHEMA_SERVERS
    const std::string source = CLOBBER_SOURCE_DIR;
    // Unsupported cells (read_committed, FOR UPDATE on SQLite) and ran cells.
    joint_ = write("run " + quoted(source + "/workloads/joint_account.yaml") +
                       " --locking none,for_update --isolation read_committed,serializable "
                       "--transactions 200",
                   "joint.json", 0);
    // A failing cell with lost updates, a failed invariant and a failed expectation.
    failing_ = write("run " + quoted(source + "/tests/schema/inputs/schema_counter.yaml"),
                     "failing.json", 1);
    scenarios_ = write("scenario " + quoted(source + "/workloads/scenarios"), "scenarios.json", 0);
#endif
  }
  static void TearDownTestSuite() {
    dir_.reset();
    schema_.reset();
  }

  /// Runs `clobber ARGS --json DIR/NAME` and returns the document (null when
  /// clobber exited other than `exit_code` or wrote nothing).
  static Json write(const std::string& args, const std::string& name, int exit_code) {
    const fs::path json = *dir_ / name;
    const testing::Separated run =
        testing::clobber_apart(args + " --json " + quoted(json.string()), dir_->path());
    if (run.exit_code != exit_code) {
      ADD_FAILURE() << "clobber " << args << " exited " << run.exit_code << ":\n" << run.err;
      return Json();
    }
    return Json::parse(read_file(json));
  }

  /// "" when `document` validates, else every error with where it is.
  static std::string errors(const Json& document) {
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter adapter(document);
    if (validator.validate(*schema_, adapter, &results)) return "";
    std::string text;
    valijson::ValidationResults::Error error;
    while (results.popError(error)) {
      std::string where;
      for (const std::string& part : error.context) where += part;
      text += where + ": " + error.description + "\n";
    }
    return text.empty() ? "invalid" : text;
  }

  /// Expects `document`, changed by `change`, to fail validation.
  static void expect_invalid(const Json& document, const std::function<void(Json&)>& change,
                             const std::string& what) {
    Json changed = document;
    change(changed);
    EXPECT_NE(errors(changed), "") << what;
  }

  static std::unique_ptr<valijson::Schema> schema_;
  static std::unique_ptr<testing::TempDir> dir_;
  static Json joint_;
  static Json failing_;
  static Json scenarios_;
};

std::unique_ptr<valijson::Schema> SchemaTest::schema_;
std::unique_ptr<testing::TempDir> SchemaTest::dir_;
Json SchemaTest::joint_;
Json SchemaTest::failing_;
Json SchemaTest::scenarios_;

#ifndef CLOBBER_SCHEMA_SERVERS
TEST_F(SchemaTest, RunWithUnsupportedAndPassingCellsValidates) {
  ASSERT_FALSE(joint_.is_null());
  EXPECT_EQ(errors(joint_), "");
  const Json& cells = joint_.at("cells");
  ASSERT_EQ(cells.size(), 4u);
  int unsupported = 0;
  for (const Json& cell : cells) unsupported += cell.at("status") == "unsupported" ? 1 : 0;
  EXPECT_EQ(unsupported, 3);  // read_committed, and FOR UPDATE, on SQLite
  EXPECT_EQ(joint_.at("verdict"), "pass");
}

TEST_F(SchemaTest, FailingRunWithAnomaliesValidates) {
  ASSERT_FALSE(failing_.is_null());
  EXPECT_EQ(errors(failing_), "");
  EXPECT_EQ(failing_.at("verdict"), "fail");
  const Json& naive = failing_.at("cells")[0];
  EXPECT_EQ(naive.at("isolation"), "none");
  EXPECT_EQ(naive.at("verdict"), "fail");
  ASSERT_FALSE(naive.at("anomalies").empty());  // the witnesses are checked too
  EXPECT_FALSE(naive.at("anomalies")[0].at("transactions").empty());
  EXPECT_FALSE(naive.at("latency_histogram").empty());
  EXPECT_FALSE(naive.at("timeline").at("committed").empty());
}

TEST_F(SchemaTest, ScenarioFolderValidates) {
  ASSERT_FALSE(scenarios_.is_null());
  EXPECT_EQ(errors(scenarios_), "");
  EXPECT_EQ(scenarios_.at("kind"), "scenario");
  EXPECT_GE(scenarios_.at("scenarios").size(), 10u);
}

TEST_F(SchemaTest, InvariantNotRunValidates) {
  // No database clobber runs today lacks SQL, so the fields are set by hand
  // on a real result: as JsonReporter writes them (tests/reports/not_run_test.cpp).
  ASSERT_FALSE(failing_.is_null());
  Json run = failing_;
  Json& invariant = run["cells"][0]["invariants"][0];
  invariant["not_run"] = true;
  invariant["note"] = "this database runs no SQL";
  EXPECT_EQ(errors(run), "");
  invariant["not_run"] = false;
  EXPECT_NE(errors(run), "") << "not_run is written only when true";
}

TEST_F(SchemaTest, BrokenRunsDoNotValidate) {
  ASSERT_FALSE(failing_.is_null());
  const Json& run = failing_;
  expect_invalid(
      run, [](Json& d) { d.erase("verdict"); }, "missing verdict");
  expect_invalid(
      run, [](Json& d) { d["cells"][0].erase("lost_updates"); }, "missing field");
  expect_invalid(
      run, [](Json& d) { d["seed"] = "42"; }, "seed as a string");
  expect_invalid(
      run, [](Json& d) { d["cells"][0]["transactions"]["committed"] = 1.5; }, "fractional count");
  expect_invalid(
      run, [](Json& d) { d["cells"][0]["status"] = "maybe"; }, "unknown status");
  expect_invalid(
      run, [](Json& d) { d["cells"][0]["isolation"] = "snapshot"; }, "isolation");
  expect_invalid(
      run, [](Json& d) { d["cells"][0]["locking"] = "pessimistic"; }, "locking");
  expect_invalid(
      run, [](Json& d) { d["kind"] = "bench"; }, "unknown kind");
  expect_invalid(
      run, [](Json& d) { d["cells"][0]["surprise"] = 1; }, "extra field");
  expect_invalid(
      run, [](Json& d) { d["cells"][0]["anomalies"][0]["type"] = "G3"; }, "unknown anomaly type");
  expect_invalid(
      run, [](Json& d) { d["cells"][0]["verdict"] = "skipped"; }, "a ran cell skipped");
  expect_invalid(
      run, [](Json& d) { d["cells"][0]["latency_histogram"][0].erase("count"); },
      "histogram bucket without count");
  expect_invalid(
      run, [](Json& d) { d["cells"][0]["timeline"]["aborts"].erase("deadlock"); },
      "timeline without a cause");
}

TEST_F(SchemaTest, BrokenScenarioRunsDoNotValidate) {
  ASSERT_FALSE(scenarios_.is_null());
  const Json& run = scenarios_;
  expect_invalid(
      run, [](Json& d) { d.erase("matrix"); }, "missing matrix");
  expect_invalid(
      run, [](Json& d) { d["scenarios"][0]["cells"][0]["verdict"] = "maybe"; }, "unknown verdict");
  expect_invalid(
      run, [](Json& d) { d["scenarios"][0]["cells"][0]["trace"] = "none"; }, "trace as a string");
  expect_invalid(
      run, [](Json& d) { d["scenarios"][0]["steps"][0]["step"] = 0; }, "step 0");
  expect_invalid(
      run, [](Json& d) { d["databases"][0]["kind"] = "oracle"; }, "unknown database");
  expect_invalid(
      run, [](Json& d) { d["kind"] = "run"; }, "a scenario run called a run");
}

#else
TEST_F(SchemaTest, RunsAndScenariosOnTheServersValidate) {
  const std::string pg = testing::server_url("CLOBBER_TEST_PG_URL");
  const std::string mysql = testing::server_url("CLOBBER_TEST_MYSQL_URL");
  ASSERT_TRUE(pg != "" && mysql != "");
  const std::string source = CLOBBER_SOURCE_DIR;
  const std::string dbs = " --db " + quoted(pg) + " --db " + quoted(mysql);
  // Read skew: G-single anomalies with their edges at read_committed.
  const Json run =
      write("run " + quoted(source + "/workloads/read_skew.yaml") + dbs + " --transactions 300",
            "servers_run.json", 0);
  ASSERT_FALSE(run.is_null());
  EXPECT_EQ(errors(run), "");
  bool edges = false;
  for (const Json& cell : run.at("cells"))
    for (const Json& anomaly : cell.at("anomalies")) edges = edges || !anomaly.at("edges").empty();
  EXPECT_TRUE(edges) << "no anomaly with edges to check";
  const Json scenarios =
      write("scenario " + quoted(source + "/workloads/scenarios") + dbs, "servers_s.json", 0);
  ASSERT_FALSE(scenarios.is_null());
  EXPECT_EQ(errors(scenarios), "");
  bool blocked = false;
  for (const Json& scenario : scenarios.at("scenarios"))
    for (const Json& cell : scenario.at("cells"))
      for (const Json& event : cell.at("trace"))
        blocked = blocked || event.at("status") == "blocked";
  EXPECT_TRUE(blocked) << "no blocked statement to check";
}
#endif

}  // namespace
}  // namespace clobber
