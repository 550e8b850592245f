// `clobber scenario` through the built binary: exit codes, console and JSON.

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/common/clobber_binary.h"

namespace clobber {
namespace {

using testing::clobber;
using testing::contains;
using testing::flat;
using testing::Invocation;

const std::string kSuite = std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios";

/// A fresh directory for one test's files, removed afterwards.
class ScenarioCliTest : public ::testing::Test {
 protected:
  testing::TempDir dir_{"clobber_scenario_cli_"};
};

TEST_F(ScenarioCliTest, BadScenarioExitsTwoWithItsPlace) {
  const std::string bad =
      std::string(CLOBBER_SOURCE_DIR) + "/tests/scenario/bad/step_unknown_session.yaml";
  const Invocation run = clobber("scenario '" + bad + "'");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, bad + ":11:5: unknown session 'carol'")) << run.output;
}

TEST_F(ScenarioCliTest, BadUsageExitsTwo) {
  EXPECT_EQ(clobber("scenario").exit_code, 2);
  EXPECT_EQ(clobber("scenario '" + kSuite + "' --isolation sometimes").exit_code, 2);
  EXPECT_EQ(clobber("scenario '" + kSuite + "' --html /nonexistent/x.html").exit_code, 2);
  EXPECT_EQ(clobber("scenario '" + kSuite + "' --html").exit_code, 2);  // no file named
  EXPECT_EQ(clobber("scenario /nonexistent.yaml").exit_code, 2);
}

TEST_F(ScenarioCliTest, OneScenarioPrintsItsTracesAndTheMatrix) {
  const Invocation run =
      clobber("scenario '" + kSuite + "/07_p4_lost_update.yaml' --isolation none,serializable");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "Scenario lost-update (P4)")) << run.output;
  EXPECT_TRUE(contains(run.output, "sqlite 3.")) << run.output;
  EXPECT_TRUE(contains(run.output, "failed SQLITE_BUSY (lock_timeout)")) << run.output;
  EXPECT_TRUE(contains(run.output, "Scenarios: is the anomaly prevented")) << run.output;
}

TEST_F(ScenarioCliTest, AFolderPrintsOnlyTheMatrixAndWritesJson) {
  const std::string json = (dir_ / "out.json").string();
  const Invocation run = clobber("scenario '" + kSuite + "' --no-color --json '" + json + "'");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(contains(run.output, "Scenario lost-update")) << run.output;
  EXPECT_TRUE(contains(run.output, "G0")) << run.output;
  EXPECT_TRUE(contains(run.output,
                       "10 scenarios, 50 cells: 10 anomalies, 10 prevented, "
                       "30 unsupported, 0 errors"))
      << run.output;
  std::ifstream in(json);
  const nlohmann::json result = nlohmann::json::parse(in);
  EXPECT_EQ(result["scenarios"].size(), 10u);
  EXPECT_EQ(result["matrix"]["columns"].size(), 10u);
}

TEST_F(ScenarioCliTest, ReportReRendersASavedScenarioRun) {
  const std::string json = (dir_ / "out.json").string();
  const std::string again = (dir_ / "again.json").string();
  const Invocation run = clobber("scenario '" + kSuite + "' --no-color --json '" + json + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const Invocation report = clobber("report '" + json + "' --no-color --json '" + again + "'");
  EXPECT_EQ(report.exit_code, 0) << report.output;
  // The console is the scenario console, from the saved file alone.
  EXPECT_EQ(report.output.substr(report.output.find("Scenarios:")),
            run.output.substr(run.output.find("Scenarios:")));
  std::ifstream first(json), second(again);
  const nlohmann::json saved = nlohmann::json::parse(first);
  EXPECT_EQ(saved["kind"], "scenario");
  EXPECT_EQ(nlohmann::json::parse(second), saved);
}

TEST_F(ScenarioCliTest, AnExpectedOutcomeNotMetExitsOneUnlessExploring) {
  // The shipped P4 expects it prevented at serializable: met on SQLite.
  const std::string p4 = kSuite + "/07_p4_lost_update.yaml";
  const Invocation met = clobber("scenario '" + p4 + "' --no-color");
  EXPECT_EQ(met.exit_code, 0) << met.output;
  EXPECT_TRUE(contains(met.output, "expected prevented (" + p4 + ":34:5): met")) << met.output;

  // The same scenario demanding the anomaly at serializable fails the gate.
  std::string text = testing::read_file(p4);
  text.replace(text.find("outcome: prevented"), 18, "outcome: anomaly");
  const std::string wrong = (dir_ / "p4.yaml").string();
  std::ofstream(wrong) << text;
  const std::string json = (dir_ / "p4.json").string();
  const std::string junit = (dir_ / "p4.xml").string();
  const std::string markdown = (dir_ / "p4.md").string();
  const std::string html = (dir_ / "p4.html").string();
  const Invocation unmet =
      clobber("scenario '" + wrong + "' --no-color --json '" + json + "' --junit '" + junit +
              "' --markdown '" + markdown + "' --html '" + html + "'");
  EXPECT_EQ(unmet.exit_code, 1) << unmet.output;
  // Every format says which cell missed its expected outcome.
  const auto read = [](const std::string& path) { return testing::read_file(path); };
  EXPECT_TRUE(contains(read(junit), "failures=\"1\"")) << read(junit);
  EXPECT_TRUE(contains(read(junit), "<failure message=\"expected anomaly (")) << read(junit);
  EXPECT_TRUE(contains(read(markdown), "### Expected outcomes not met")) << read(markdown);
  EXPECT_TRUE(contains(read(html), "<span class=\"unmet\"")) << read(html);
  EXPECT_TRUE(contains(read(html), "0 met, <b>1 not met</b>")) << read(html);
  EXPECT_TRUE(contains(unmet.output, "expectations not met:\n  P4 on sqlite 3.")) << unmet.output;
  EXPECT_TRUE(contains(flat(unmet.output),
                       "at serializable: expected anomaly (" + wrong + ":34:5); actual prevented"))
      << unmet.output;
  EXPECT_TRUE(contains(unmet.output, "1 expectation not met")) << unmet.output;
  std::ifstream saved(json);
  const nlohmann::json result = nlohmann::json::parse(saved);
  EXPECT_EQ(result["verdict"], "fail");
  // The saved file gates a later step the same way.
  EXPECT_EQ(clobber("report '" + json + "'").exit_code, 1);

  EXPECT_EQ(clobber("scenario '" + wrong + "' --explore").exit_code, 0);
}

TEST_F(ScenarioCliTest, ValidateChecksScenariosWithoutADatabase) {
  const Invocation good = clobber("validate '" + kSuite + "/07_p4_lost_update.yaml' '" + kSuite +
                                  "/09_g2_item_write_skew.yaml'");
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_TRUE(contains(good.output, "07_p4_lost_update.yaml: ok")) << good.output;
  const std::string bad =
      std::string(CLOBBER_SOURCE_DIR) + "/tests/scenario/bad/expect_unknown_outcome.yaml";
  const Invocation refused = clobber("validate '" + bad + "'");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_TRUE(contains(refused.output, bad + ":23:14: unknown outcome 'lost'")) << refused.output;
}

TEST_F(ScenarioCliTest, ADatabaseThatCannotBeReachedExitsThree) {
  const Invocation run = clobber("scenario '" + kSuite +
                                 "/07_p4_lost_update.yaml' --db postgresql://nobody@127.0.0.1:1/x");
  EXPECT_EQ(run.exit_code, 3) << run.output;
}

}  // namespace
}  // namespace clobber
