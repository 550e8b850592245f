// The clobber binary's command-line contract: help, usage errors and exit codes.
// Runs the built binary (CLOBBER_BINARY); nothing here needs a database.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "reports/reporter.h"
#include "tests/reports/sample_result.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

/// What running the binary produced: its exit code and stdout + stderr.
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

/// A fresh directory for one test's files, removed afterwards.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "clobber_cli_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Writes `text` to `name` in the test directory and returns its path.
  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  fs::path dir_;
};

TEST_F(CliTest, HelpExitsZeroForEverySubcommand) {
  for (const std::string command : {"", "run ", "validate ", "report "}) {
    const Invocation run = clobber(command + "--help");
    EXPECT_EQ(run.exit_code, 0) << command << run.output;
    EXPECT_TRUE(contains(run.output, "Usage")) << run.output;
    EXPECT_TRUE(contains(run.output, "Exit codes")) << run.output;
  }
  const Invocation run = clobber("run --help");
  for (const std::string flag :
       {"--db", "--isolation", "--locking", "--workers", "--duration", "--transactions", "--seed",
        "--explore", "--json", "--html", "--junit", "--markdown", "--no-color"})
    EXPECT_TRUE(contains(run.output, flag)) << flag;
}

TEST_F(CliTest, Version) {
  const Invocation run = clobber("--version");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(contains(run.output, "clobber " CLOBBER_VERSION)) << run.output;
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  for (const std::string args :
       {"", "bogus", "run", "run w.yaml --bogus", "validate", "run w.yaml --workers 0",
        "run w.yaml --workers many", "run w.yaml --transactions 0", "run w.yaml --seed -1",
        "run w.yaml --seed 99999999999999999999", "report"}) {
    const Invocation run = clobber(args);
    EXPECT_EQ(run.exit_code, 2) << args << ": " << run.output;
    EXPECT_TRUE(contains(run.output, "clobber: ")) << args << ": " << run.output;
  }
}

TEST_F(CliTest, UnknownIsolationIsNamed) {
  const Invocation run = clobber("run missing.yaml --isolation read_committed,snapshot");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "--isolation: unknown isolation level \"snapshot\""))
      << run.output;
}

TEST_F(CliTest, UnknownLockingIsNamed) {
  const Invocation run = clobber("run missing.yaml --locking all --locking mutex");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "--locking: unknown locking mode \"mutex\"")) << run.output;
}

TEST_F(CliTest, DurationAndTransactionsExclude) {
  const Invocation run = clobber("run missing.yaml --duration 1s --transactions 10");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "--duration")) << run.output;
  EXPECT_TRUE(contains(run.output, "--transactions")) << run.output;
}

TEST_F(CliTest, UnbuiltReportersAreRefusedBeforeRunning) {
  for (const std::string flag : {"--html"}) {
    const Invocation run = clobber("run missing.yaml " + flag + " out");
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_TRUE(contains(run.output, "reporter is not built yet")) << run.output;
  }
}

TEST_F(CliTest, ValidateMissingFileExitsTwo) {
  const std::string missing = (dir_ / "missing.yaml").string();
  const Invocation run = clobber("validate '" + missing + "'");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, missing)) << run.output;
}

TEST_F(CliTest, ReportOfMalformedJsonExitsTwo) {
  const std::string path = write("results.json", "{\n  \"tool\": \"clobber\",\n  oops\n}\n");
  const Invocation run = clobber("report '" + path + "'");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "clobber: " + path + ":3:3: malformed JSON")) << run.output;
}

TEST_F(CliTest, ReportOfMissingFileExitsTwo) {
  const Invocation run = clobber("report '" + (dir_ / "nothing.json").string() + "'");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "nothing.json")) << run.output;
}

TEST_F(CliTest, ReportRendersSavedRunAndRewritesJson) {
  std::ostringstream saved;
  JsonReporter().report(testing::sample_result(), saved);
  const std::string in = write("results.json", saved.str());
  const std::string out = (dir_ / "again.json").string();
  const Invocation run = clobber("report '" + in + "' --json '" + out + "'");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "joint-account")) << run.output;
  EXPECT_TRUE(contains(run.output, "verdict: FAIL")) << run.output;
  EXPECT_TRUE(contains(run.output, testing::kSampleMaskedUrl)) << run.output;
  EXPECT_FALSE(contains(run.output, "\x1b[")) << "no colors when stdout is not a terminal";
  std::ifstream again(out);
  std::stringstream rewritten;
  rewritten << again.rdbuf();
  EXPECT_EQ(rewritten.str(), saved.str());
}

TEST_F(CliTest, ReportRendersSavedRunAsJunitAndMarkdown) {
  // A passing run: `report` exits 0 whatever exit code it gives a saved failure.
  RunResult result = testing::sample_result();
  result.cells = {result.cells[1], result.cells[2]};
  result.passed = true;
  std::ostringstream saved, junit, markdown;
  JsonReporter().report(result, saved);
  JunitReporter().report(result, junit);
  MarkdownReporter().report(result, markdown);
  const std::string in = write("results.json", saved.str());
  const fs::path xml = dir_ / "out.xml", md = dir_ / "out.md";
  const Invocation run = clobber("report '" + in + "' --junit '" + xml.string() + "' --markdown '" +
                                 md.string() + "'");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "clobber: wrote " + xml.string())) << run.output;
  const auto read = [](const fs::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  };
  EXPECT_EQ(read(xml), junit.str());
  EXPECT_EQ(read(md), markdown.str());
}

TEST_F(CliTest, ReportToUnwritableJsonExitsTwo) {
  std::ostringstream saved;
  JsonReporter().report(testing::sample_result(), saved);
  const std::string in = write("results.json", saved.str());
  const Invocation run = clobber("report '" + in + "' --json /nonexistent/dir/out.json");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_TRUE(contains(run.output, "clobber: /nonexistent/dir/out.json: cannot write"))
      << run.output;
}

}  // namespace
}  // namespace clobber
