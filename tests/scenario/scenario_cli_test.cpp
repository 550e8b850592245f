// `clobber scenario` through the built binary: exit codes, console and JSON.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace clobber {
namespace {

namespace fs = std::filesystem;

struct Invocation {
  int exit_code = -1;
  std::string output;
};

/// Runs `clobber ARGS` through the shell (ARGS are shell words), stderr merged.
Invocation clobber(const std::string& args) {
  const std::string command = std::string("'") + CLOBBER_BINARY + "' " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  Invocation run;
  std::array<char, 4096> buffer;
  for (size_t n; (n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
    run.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

const std::string kSuite = std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios";

class ScenarioCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "clobber_scenario_cli_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
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

TEST_F(ScenarioCliTest, ADatabaseThatCannotBeReachedExitsThree) {
  const Invocation run = clobber("scenario '" + kSuite +
                                 "/07_p4_lost_update.yaml' --db postgresql://nobody@127.0.0.1:1/x");
  EXPECT_EQ(run.exit_code, 3) << run.output;
}

}  // namespace
}  // namespace clobber
