// The console of a run over SQLite, PostgreSQL and MariaDB, and of the
// scenario suite over PostgreSQL and MariaDB, fits 120 columns; --wide keeps
// every column. Needs CLOBBER_TEST_PG_URL and CLOBBER_TEST_MYSQL_URL.
#include <string>

#include <gtest/gtest.h>

#include "console_width.h"

namespace clobber {
namespace {

using testing::Console;

class ConsoleWidthServers : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string pg = testing::server_url("CLOBBER_TEST_PG_URL");
    const std::string mysql = testing::server_url("CLOBBER_TEST_MYSQL_URL");
    ASSERT_TRUE(pg != "" && mysql != "");
    databases_ =
        " --db 'sqlite:" + (dir_ / "x.db").string() + "' --db '" + pg + "' --db '" + mysql + "'";
    servers_ = " --db '" + pg + "' --db '" + mysql + "'";
  }

  testing::TempDir dir_{"clobber_width_"};
  std::string databases_;  // SQLite, PostgreSQL, MariaDB
  std::string servers_;    // PostgreSQL, MariaDB
};

TEST_F(ConsoleWidthServers, ThreeDatabasesFit120Columns) {
  const std::string json = (dir_ / "r.json").string();
  const Console console = testing::console_of(
      "run '" + std::string(CLOBBER_SOURCE_DIR) + "/workloads/joint_account.yaml'" + databases_ +
      " --transactions 40 --workers 4 --quiet --json '" + json + "'");
  ASSERT_TRUE(console.exit_code == 0 || console.exit_code == 1) << console.text;
  EXPECT_EQ(testing::too_wide(console.text, 120), "") << console.text;
  // Each database's full version once, in the header; the comparison of the three.
  EXPECT_NE(console.text.find("\npostgresql "), std::string::npos) << console.text;
  EXPECT_NE(console.text.find("\nper database:"), std::string::npos) << console.text;

  // The same result re-rendered: fits, and --wide keeps every column.
  const Console again = testing::console_of("report '" + json + "'");
  EXPECT_EQ(testing::too_wide(again.text, 120), "") << again.text;
  const Console wide = testing::console_of("report '" + json + "' --wide");
  EXPECT_NE(wide.text.find("aborts s/d/lt/c/o"), std::string::npos) << wide.text;
  EXPECT_NE(wide.text.find("p50/p95/p99 ms"), std::string::npos) << wide.text;
  EXPECT_GT(testing::widest(wide.text), 120u) << wide.text;
}

TEST_F(ConsoleWidthServers, ScenarioSuiteFits120Columns) {
  const std::string json = (dir_ / "s.json").string();
  const Console console =
      testing::console_of("scenario '" + std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios'" +
                          servers_ + " --json '" + json + "'");
  ASSERT_TRUE(console.exit_code == 0 || console.exit_code == 1) << console.text;
  EXPECT_NE(console.text.find("Scenarios: is the anomaly prevented"), std::string::npos)
      << console.text;
  EXPECT_EQ(testing::too_wide(console.text, 120), "") << console.text;
  // Every scenario is still a column of some table.
  for (const char* id : {"G0", "G1a", "OTV", "P4", "G-single", "G2-item"})
    EXPECT_NE(console.text.find(std::string("  ") + id + " "), std::string::npos) << id;
  const Console wide = testing::console_of("report '" + json + "' --wide");
  EXPECT_GT(testing::widest(wide.text), 120u) << wide.text;
}

}  // namespace
}  // namespace clobber
