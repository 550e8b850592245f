// The clobber binary's command-line contract: help, usage errors and exit codes.
// Runs the built binary (CLOBBER_BINARY); nothing here needs a database.
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "reports/reporter.h"
#include "tests/common/clobber_binary.h"
#include "tests/reports/sample_result.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

using testing::clobber;
using testing::contains;
using testing::Invocation;

/// A fresh directory for one test's files, removed afterwards.
class CliTest : public ::testing::Test {
 protected:
  /// Writes `text` to `name` in the test directory and returns its path.
  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  testing::TempDir dir_{"clobber_cli_"};
};

TEST_F(CliTest, HelpExitsZeroForEverySubcommand) {
  for (const std::string command : {"", "run ", "validate ", "report ", "scenario ", "clean "}) {
    const Invocation run = clobber(command + "--help");
    EXPECT_EQ(run.exit_code, 0) << command << run.output;
    EXPECT_TRUE(contains(run.output, "Usage")) << run.output;
    EXPECT_TRUE(contains(run.output, "Exit codes")) << run.output;
    // Help fits 120 columns (code points) when stdout is not a terminal.
    std::istringstream lines(run.output);
    for (std::string line; std::getline(lines, line);) {
      const auto columns = std::count_if(line.begin(), line.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      });
      EXPECT_LE(columns, 120) << command << "--help: " << line;
    }
  }
  const Invocation run = clobber("run --help");
  for (const std::string flag :
       {"--db", "--isolation", "--locking", "-c,--workers", "-T,--duration", "--transactions",
        "--seed", "--explore", "--fail-on", "--json", "--html", "--junit", "--markdown",
        "--no-color"})
    EXPECT_TRUE(contains(run.output, flag)) << flag;
  // Each default is shown where a flag has one.
  std::string words;  // the help with its line wrapping undone
  std::istringstream help(run.output);
  for (std::string word; help >> word;) words += word + " ";
  for (const std::string shown :
       {"else all)", "else 8;", "else 5s;", "else random", "30s (default)"})
    EXPECT_TRUE(contains(words, shown)) << shown;
  // Every report file format is on every command that makes a report.
  for (const std::string command : {"scenario --help", "report --help"}) {
    const Invocation help = clobber(command);
    for (const std::string flag : {"--json", "--html", "--junit", "--markdown", "--no-color"})
      EXPECT_TRUE(contains(help.output, flag)) << command << " " << flag;
  }
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

TEST_F(CliTest, EveryReportFileIsCheckedBeforeRunning) {
  const std::string workload = std::string(CLOBBER_SOURCE_DIR) + "/workloads/joint_account.yaml";
  const std::string scenarios = std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios";
  for (const std::string flag : {"--json", "--html", "--junit", "--markdown"}) {
    for (const std::string& command : {"run '" + workload + "'", "scenario '" + scenarios + "'"}) {
      const Invocation run = clobber(command + " " + flag + " /nonexistent/dir/out");
      EXPECT_EQ(run.exit_code, 2) << command << flag << run.output;
      EXPECT_TRUE(contains(run.output, flag + ": cannot write /nonexistent/dir/out")) << run.output;
      EXPECT_FALSE(contains(run.output, "verdict")) << "ran before refusing: " << run.output;
    }
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
  EXPECT_EQ(run.exit_code, 1) << "the saved verdict: " << run.output;
  EXPECT_TRUE(contains(run.output, "joint-account")) << run.output;
  EXPECT_TRUE(contains(run.output, "verdict: FAIL")) << run.output;
  EXPECT_TRUE(contains(run.output, testing::kSampleMaskedUrl)) << run.output;
  EXPECT_FALSE(contains(run.output, "\x1b[")) << "no colors when stdout is not a terminal";
  EXPECT_EQ(testing::read_file(out), saved.str());
}

TEST_F(CliTest, TheReplayCommandReplaysTheRun) {
  const std::string workload = std::string(CLOBBER_SOURCE_DIR) + "/workloads/joint_account.yaml";
  const std::string first = (dir_ / "first.json").string();
  const Invocation run = clobber("run '" + workload +
                                 "' --isolation serializable --locking none --workers 1 "
                                 "--transactions 40 --json '" +
                                 first + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(first);
  const nlohmann::json saved = nlohmann::json::parse(in);
  const std::string replay = saved["replay"];
  EXPECT_TRUE(replay.starts_with("clobber run ")) << replay;
  EXPECT_TRUE(contains(replay, "--seed " + std::to_string(saved["seed"].get<uint64_t>())))
      << replay;
  EXPECT_FALSE(contains(replay, "--json")) << replay;

  // The saved command, run as it is (with this build's binary), replays the
  // same transactions: one worker makes the outcome a function of the seed.
  const std::string second = (dir_ / "second.json").string();
  const Invocation again =
      clobber(replay.substr(std::string("clobber ").size()) + " --json '" + second + "'");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  std::ifstream in_again(second);
  const nlohmann::json replayed = nlohmann::json::parse(in_again);
  EXPECT_EQ(replayed["seed"], saved["seed"]);
  EXPECT_EQ(replayed["replay"], saved["replay"]);
  ASSERT_EQ(replayed["cells"].size(), saved["cells"].size());
  for (size_t i = 0; i < saved["cells"].size(); ++i) {
    EXPECT_EQ(replayed["cells"][i]["transactions"], saved["cells"][i]["transactions"]) << i;
    EXPECT_EQ(replayed["cells"][i]["ledger"], saved["cells"][i]["ledger"]) << i;
  }
}

TEST_F(CliTest, ProgressLinesOffATerminal) {
  const std::string workload = std::string(CLOBBER_SOURCE_DIR) + "/workloads/joint_account.yaml";
  const std::string cell =
      "run '" + workload + "' --isolation serializable --locking none -c 2 --no-color";
  const Invocation run = clobber(cell + " -T 5s --progress 1s");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  size_t lines = 0;
  for (size_t at = 0;
       (at = run.output.find("clobber: progress cell 1/1 sqlite", at)) != std::string::npos; ++at)
    ++lines;
  EXPECT_GE(lines, 3u) << run.output;
  EXPECT_TRUE(contains(run.output, "serializable/none: ")) << run.output;
  EXPECT_TRUE(contains(run.output, "s left, ")) << run.output;
  EXPECT_TRUE(contains(run.output, " tps), ")) << run.output;
  EXPECT_FALSE(contains(run.output, "\r")) << "no redraws off a terminal";

  const Invocation quiet = clobber(cell + " -T 1500ms --progress 200ms --quiet");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_FALSE(contains(quiet.output, "clobber: progress")) << quiet.output;
  EXPECT_FALSE(contains(quiet.output, "clobber: sqlite:")) << quiet.output;
  EXPECT_EQ(clobber(cell + " --progress 10ms").exit_code, 2);
}

TEST_F(CliTest, ProgressIsOneLineRedrawnOnATerminal) {
  const std::string workload = std::string(CLOBBER_SOURCE_DIR) + "/workloads/joint_account.yaml";
  int master = -1;
  const pid_t child = forkpty(&master, nullptr, nullptr, nullptr);
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl(CLOBBER_BINARY, "clobber", "run", workload.c_str(), "--isolation", "serializable",
          "--locking", "none", "-c", "2", "-T", "2s", "--progress", "300ms",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string output;
  std::array<char, 4096> buffer;
  for (ssize_t n; (n = read(master, buffer.data(), buffer.size())) > 0;)
    output.append(buffer.data(), static_cast<size_t>(n));
  close(master);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  // The status line is drawn, then redrawn in place ("\r", erase line), and
  // cleared before the cell's own line.
  size_t redraws = 0;
  for (size_t at = 0; (at = output.find("\r\x1b[Kcell 1/1 sqlite", at)) != std::string::npos; ++at)
    ++redraws;
  EXPECT_GE(redraws, 3u) << output;
  EXPECT_TRUE(contains(output, "\r\x1b[Kclobber: sqlite:")) << output;
  EXPECT_FALSE(contains(output, "clobber: progress")) << output;
}

TEST_F(CliTest, ReportExitsWithTheSavedVerdict) {
  RunResult result = testing::sample_result();  // a failed cell and an error cell
  const auto saved = [&](const std::string& name) {
    std::ostringstream text;
    JsonReporter().report(result, text);
    return write(name, text.str());
  };
  EXPECT_EQ(clobber("report '" + saved("failed.json") + "'").exit_code, 1);
  result.explore = true;  // reported, never failing
  EXPECT_EQ(clobber("report '" + saved("explored.json") + "'").exit_code, 3);
  std::erase_if(result.cells, [](const CellResult& c) { return c.status == CellStatus::error; });
  EXPECT_EQ(clobber("report '" + saved("explored_ok.json") + "'").exit_code, 0);
  result.explore = false;
  for (CellResult& cell : result.cells) cell.passed = true;
  result.passed = true;
  EXPECT_EQ(clobber("report '" + saved("passed.json") + "'").exit_code, 0);
}

TEST_F(CliTest, FailOnGatesACellWithoutEditingTheWorkload) {
  const std::string workload = std::string(CLOBBER_SOURCE_DIR) + "/workloads/joint_account.yaml";
  const std::string cell = "run '" + workload +
                           "' --isolation serializable --locking none --workers 2 "
                           "--transactions 30 --no-color";
  const Invocation pass = clobber(cell + " --fail-on 'lost_updates>0' --fail-on 'committed<1'");
  EXPECT_EQ(pass.exit_code, 0) << pass.output;
  const Invocation fail = clobber(cell + " --fail-on 'committed<1000'");
  EXPECT_EQ(fail.exit_code, 1) << fail.output;
  EXPECT_TRUE(contains(fail.output, "expectation failed: committed >= 1000 (--fail-on); actual"))
      << fail.output;
  const Invocation bad = clobber(cell + " --fail-on 'lost_updates=0'");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "clobber: --fail-on: 'lost_updates=0', column 1: no > or <"))
      << bad.output;
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
  EXPECT_EQ(testing::read_file(xml), junit.str());
  EXPECT_EQ(testing::read_file(md), markdown.str());
}

TEST_F(CliTest, ReportToUnwritableJsonSaysSoAndKeepsTheVerdict) {
  std::ostringstream saved;
  JsonReporter().report(testing::sample_result(), saved);
  const std::string in = write("results.json", saved.str());
  const Invocation run = clobber("report '" + in + "' --json /nonexistent/dir/out.json");
  EXPECT_EQ(run.exit_code, 1) << "a failed verdict stands: " << run.output;
  EXPECT_TRUE(contains(run.output, "clobber: /nonexistent/dir/out.json: cannot write"))
      << run.output;
}

}  // namespace
}  // namespace clobber
