// The console of every shipped workload fits 120 columns: off a terminal, on a
// pseudo-terminal 120 (and 80) columns wide; --wide keeps every column.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "console_width.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;
using testing::Console;
using testing::flat;

const std::string kWorkloads = std::string(CLOBBER_SOURCE_DIR) + "/workloads";

std::vector<std::string> shipped_workloads() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(kWorkloads))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

/// The SQLite run of `workload` (every isolation and locking), short.
std::string run_args(const std::string& workload) {
  return "run '" + workload + "' --transactions 50 --workers 4 --seed 3 --quiet";
}

TEST(ConsoleWidth, EveryShippedWorkloadFits120ColumnsOffATerminal) {
  const std::vector<std::string> workloads = shipped_workloads();
  ASSERT_GE(workloads.size(), 8u);
  for (const std::string& workload : workloads) {
    const Console console = testing::console_of(run_args(workload));
    EXPECT_TRUE(console.exit_code == 0 || console.exit_code == 1)
        << workload << " exited " << console.exit_code << ":\n"
        << console.text;
    EXPECT_NE(console.text.find("verdict: "), std::string::npos) << workload << console.text;
    EXPECT_EQ(testing::too_wide(console.text, 120), "") << workload << ":\n" << console.text;
    // Nothing colored off a terminal.
    EXPECT_EQ(console.text.find('\x1b'), std::string::npos) << workload;
  }
}

TEST(ConsoleWidth, WideKeepsEveryColumn) {
  const Console console =
      testing::console_of(run_args(kWorkloads + "/joint_account.yaml") + " --wide");
  ASSERT_TRUE(console.exit_code == 0 || console.exit_code == 1) << console.text;
  const std::string& text = console.text;
  const size_t header = text.find("\ndatabase ");
  ASSERT_NE(header, std::string::npos) << text;
  const std::string line = text.substr(header + 1, text.find('\n', header + 1) - header - 1);
  for (const char* column : {"database", "isolation", "locking", "status", "committed", "rejected",
                             "failed", "aborts s/d/lt/c/o", "retries", "tps", "p50/p95/p99 ms",
                             "lost upd", "lost amt", "invariants", "verdict"})
    EXPECT_NE(line.find(column), std::string::npos) << column << " in " << line;
  EXPECT_GT(testing::widest(text), 120u) << text;
  // The whole description only with --verbose.
  EXPECT_EQ(flat(text).find("compare their throughput"), std::string::npos) << text;
  const Console verbose =
      testing::console_of(run_args(kWorkloads + "/joint_account.yaml") + " --verbose");
  EXPECT_NE(flat(verbose.text).find("compare their throughput"), std::string::npos) << verbose.text;
  EXPECT_EQ(testing::too_wide(verbose.text, 120), "") << verbose.text;
}

TEST(ConsoleWidth, FitsTheTerminal) {
  for (unsigned short columns : {120, 80}) {
    const Console console =
        testing::console_on_terminal({"run", kWorkloads + "/joint_account.yaml", "--transactions",
                                      "50", "--workers", "4", "--quiet"},
                                     columns);
    ASSERT_TRUE(console.exit_code == 0 || console.exit_code == 1) << console.text;
    EXPECT_NE(console.text.find("verdict: "), std::string::npos) << console.text;
    EXPECT_NE(console.text.find('\x1b'), std::string::npos) << "colors on a terminal";
    EXPECT_EQ(testing::too_wide(console.text, columns), "") << columns << ":\n" << console.text;
  }
}

}  // namespace
}  // namespace clobber
