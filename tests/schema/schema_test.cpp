// docs/result.schema.json is the JSON contract: real outputs of the built
// binary on SQLite (a run with unsupported, passing and failing cells, and the
// whole scenario folder) validate against it, and documents that break it (a
// missing required field, a wrong type, an unknown value, an extra field) do not.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace clobber {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

/// The whole of a file, or "" when it does not exist.
std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// `text` quoted for the shell.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// The parsed schema, and real results written once for every test.
class SchemaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    schema_ = new valijson::Schema;
    const Json document =
        Json::parse(read_file(fs::path(CLOBBER_SOURCE_DIR) / "docs" / "result.schema.json"));
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document);
    parser.populateSchema(adapter, *schema_);

    std::string pattern = (fs::temp_directory_path() / "clobber_schema_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return;
    dir_ = new fs::path(pattern);
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
  }
  static void TearDownTestSuite() {
    if (dir_ != nullptr) fs::remove_all(*dir_);
    delete dir_;
    delete schema_;
  }

  /// Runs `clobber ARGS --json DIR/NAME` and returns the document (null when
  /// clobber exited other than `exit_code` or wrote nothing).
  static Json* write(const std::string& args, const std::string& name, int exit_code) {
    const fs::path json = *dir_ / name;
    const std::string command = quoted(CLOBBER_BINARY) + " " + args + " --json " +
                                quoted(json.string()) + " >/dev/null 2>" +
                                quoted((*dir_ / (name + ".err")).string());
    const int status = std::system(command.c_str());
    if (!WIFEXITED(status) || WEXITSTATUS(status) != exit_code) {
      ADD_FAILURE() << command << " exited " << status << ":\n"
                    << read_file(*dir_ / (name + ".err"));
      return new Json();
    }
    return new Json(Json::parse(read_file(json)));
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

  static valijson::Schema* schema_;
  static fs::path* dir_;
  static Json* joint_;
  static Json* failing_;
  static Json* scenarios_;
};

valijson::Schema* SchemaTest::schema_ = nullptr;
fs::path* SchemaTest::dir_ = nullptr;
Json* SchemaTest::joint_ = nullptr;
Json* SchemaTest::failing_ = nullptr;
Json* SchemaTest::scenarios_ = nullptr;

TEST_F(SchemaTest, RunWithUnsupportedAndPassingCellsValidates) {
  ASSERT_FALSE(joint_->is_null());
  EXPECT_EQ(errors(*joint_), "");
  const Json& cells = joint_->at("cells");
  ASSERT_EQ(cells.size(), 4u);
  int unsupported = 0;
  for (const Json& cell : cells) unsupported += cell.at("status") == "unsupported" ? 1 : 0;
  EXPECT_EQ(unsupported, 3);  // read_committed, and FOR UPDATE, on SQLite
  EXPECT_EQ(joint_->at("verdict"), "pass");
}

TEST_F(SchemaTest, FailingRunWithAnomaliesValidates) {
  ASSERT_FALSE(failing_->is_null());
  EXPECT_EQ(errors(*failing_), "");
  EXPECT_EQ(failing_->at("verdict"), "fail");
  const Json& naive = failing_->at("cells")[0];
  EXPECT_EQ(naive.at("isolation"), "none");
  EXPECT_EQ(naive.at("verdict"), "fail");
  ASSERT_FALSE(naive.at("anomalies").empty());  // the witnesses are checked too
  EXPECT_FALSE(naive.at("anomalies")[0].at("transactions").empty());
  EXPECT_FALSE(naive.at("latency_histogram").empty());
  EXPECT_FALSE(naive.at("timeline").at("committed").empty());
}

TEST_F(SchemaTest, ScenarioFolderValidates) {
  ASSERT_FALSE(scenarios_->is_null());
  EXPECT_EQ(errors(*scenarios_), "");
  EXPECT_EQ(scenarios_->at("kind"), "scenario");
  EXPECT_GE(scenarios_->at("scenarios").size(), 10u);
}

TEST_F(SchemaTest, BrokenRunsDoNotValidate) {
  ASSERT_FALSE(failing_->is_null());
  const Json& run = *failing_;
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
  ASSERT_FALSE(scenarios_->is_null());
  const Json& run = *scenarios_;
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

}  // namespace
}  // namespace clobber
