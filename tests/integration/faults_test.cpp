// Faults on a real server (PostgreSQL, or MySQL/MariaDB when built with
// CLOBBER_FAULTS_MYSQL): every connection of a run killed mid-run, the admin
// one included, and --chaos killing worker sessions while safe cells must lose
// nothing and a naive cell still shows its lost updates. Each test works in a
// database of its own, so faults never reach other clients of the server.
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "harness/runner/run.h"
#include "harness/workload/workload_loader.h"
#include "tests/common/clobber_binary.h"
#include "tests/integration/faults_test.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;
using testing::Background;
using testing::OwnDatabase;

// One source, built once per server; the suite is named after the server so
// that both binaries' tests have distinct ctest names.
#ifdef CLOBBER_FAULTS_MYSQL
constexpr const char* kUrlVariable = "CLOBBER_TEST_MYSQL_URL";
#define CLOBBER_FAULTS_SUITE MariadbFaultsTest
#else
constexpr const char* kUrlVariable = "CLOBBER_TEST_PG_URL";
#define CLOBBER_FAULTS_SUITE PostgresFaultsTest
#endif
/// TEST_F on the server's suite (expands the suite name first).
#define CLOBBER_FAULTS_TEST(suite, name) TEST_F(suite, name)

class CLOBBER_FAULTS_SUITE : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string url = testing::server_url(kUrlVariable);
    ASSERT_NE(url, "");
    database_ = std::make_unique<OwnDatabase>(url, "clobber_rel_faults");
  }
  void TearDown() override { database_.reset(); }
  std::unique_ptr<OwnDatabase> database_;
  testing::TempDir dir_{"clobber_faults_"};
};

CLOBBER_FAULTS_TEST(CLOBBER_FAULTS_SUITE, KillingEveryConnectionMidRunLosesNoReport) {
  const std::string workload = testing::write_counter_workload(
      dir_ / "counter.yaml", "1500ms", "read_committed", "for_update, atomic");
  Background run("run '" + workload + "' --db '" + database_->url() + "' --json '" +
                     (dir_ / "out.json").string() + "' --reconnect-timeout 20s --no-color",
                 (dir_ / "log").string());
  // Kill everything several times, in both cells: workers mid-transaction and
  // the idle admin connection that checks and drops the tables afterwards.
  int killed = 0;
  for (int pause_ms : {500, 500, 1000, 500}) {  // at 0.5 s and 1 s, then 2 s and 2.5 s
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    killed += database_->kill_all();
  }
  const int exit_code = run.wait();
  std::ifstream log(dir_ / "log");
  const std::string output((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(exit_code, 0) << output;
  EXPECT_GT(killed, 8);  // 5 connections per cell, killed at least twice
  testing::expect_survived(testing::read_report(dir_ / "out.json"), 2);
  EXPECT_EQ(database_->clobber_tables(), 0);
}

CLOBBER_FAULTS_TEST(CLOBBER_FAULTS_SUITE, ChaosLeavesSafeCellsSafeAndNaiveCellsLosing) {
  // Twenty rounds: the safe cells (FOR UPDATE, atomic, optimistic, serializable
  // with retries) killed about twenty times a second, and beside them the
  // naive read-committed cell, which must still show the race.
  const Workload workload = load_workload_file(
      testing::write_counter_workload(dir_ / "chaos.yaml", "200ms", "read_committed", "none"));
  RunOptions options;
  options.databases = {parse_database_url(database_->url())};
  options.chaos_kill_rate = 20;
  options.reconnect_timeout = std::chrono::seconds(20);
  const std::vector<std::pair<Isolation, std::vector<Locking>>> plans = {
      {Isolation::read_committed,
       {Locking::none, Locking::for_update, Locking::atomic, Locking::optimistic}},
      {Isolation::serializable, {Locking::none}}};
  int64_t kills = 0;
  for (int round = 0; round < 20; ++round) {
    for (const auto& [isolation, lockings] : plans) {
      options.seed = static_cast<uint64_t>(round) + 1;
      options.isolation = std::vector{isolation};
      options.locking = lockings;
      const RunResult run = run_workload(workload, options);
      ASSERT_EQ(run.cells.size(), lockings.size());
      for (const CellResult& cell : run.cells) {
        SCOPED_TRACE(fmt::format("round {} {} {}", round, to_string(cell.isolation),
                                 to_string(cell.locking)));
        ASSERT_EQ(cell.status, CellStatus::ran) << cell.reason;
        EXPECT_EQ(cell.chaos.kill_rate, 20);
        kills += cell.chaos.kills;
        if (cell.isolation == Isolation::read_committed && cell.locking == Locking::none) {
          EXPECT_GT(cell.lost_updates, 0);
          continue;
        }
        EXPECT_EQ(cell.lost_updates, 0);
        EXPECT_EQ(cell.anomalies_total, 0);
        EXPECT_TRUE(cell.ledger.balanced);
        EXPECT_GT(cell.transactions.committed, 0);
        EXPECT_EQ(cell.transactions.failed_by_error, 0);
        EXPECT_TRUE(cell.passed);
      }
    }
  }
  EXPECT_GT(kills, 100);  // about four per cell and round
  EXPECT_EQ(database_->clobber_tables(), 0);
}

#ifndef CLOBBER_FAULTS_MYSQL
CLOBBER_FAULTS_TEST(CLOBBER_FAULTS_SUITE, ADatabaseGoneForGoodEndsCellsAsErrorsWithAReport) {
  // Mid-run the database stops accepting connections and every connection is
  // killed: past --reconnect-timeout the cell ends as an error with the
  // reason, the next cell is tried and reported, the report is written, exit 3.
  const std::string workload = testing::write_counter_workload(
      dir_ / "counter.yaml", "1s", "read_committed", "for_update, atomic");
  testing::Background run("run '" + workload + "' --db '" + database_->url() + "' --json '" +
                              (dir_ / "out.json").string() + "' --reconnect-timeout 1s --no-color",
                          (dir_ / "log").string());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  database_->allow_connections(false);
  EXPECT_GT(database_->kill_all(), 0);
  const int exit_code = run.wait();
  std::ifstream log(dir_ / "log");
  const std::string output((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(exit_code, 3) << output;
  const nlohmann::json report = testing::read_report(dir_ / "out.json");
  ASSERT_EQ(report["cells"].size(), 2u) << output;
  for (const nlohmann::json& cell : report["cells"]) EXPECT_EQ(cell["status"], "error");
  const std::string first = report["cells"][0]["reason"];
  EXPECT_NE(first.find("could not reconnect within 1 s"), std::string::npos) << first;
  EXPECT_NE(output.find("verdict: ERROR"), std::string::npos) << output;
}
#endif

}  // namespace
}  // namespace clobber
