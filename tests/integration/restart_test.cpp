// A server restarted mid-run: on a private PostgreSQL and MariaDB started by
// this test (scripts/servers.sh on its own ports and directory, never the
// shared servers), the workers and the admin connection reconnect, the cell is
// checked, the next cell runs, the report is written and no table is left.
#include <filesystem>

#include "tests/integration/faults_test.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

/// Runs scripts/servers.sh with the private directory and ports; its exit code.
int servers(const std::string& environment, const std::string& command) {
  const std::string line = environment + " bash '" + CLOBBER_SOURCE_DIR + "/scripts/servers.sh' " +
                           command + " >/dev/null 2>&1";
  const int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class RestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const int offset = getpid() % 200;
    pg_port_ = 15600 + offset;
    mysql_port_ = 13600 + offset;
    dir_ = fs::temp_directory_path() / ("clobber_rel_restart_" + std::to_string(getpid()));
    // servers.sh starts a Redis too: on a private port, like the others.
    environment_ = "CLOBBER_SERVER_DIR='" + dir_.string() +
                   "' CLOBBER_PG_PORT=" + std::to_string(pg_port_) +
                   " CLOBBER_MYSQL_PORT=" + std::to_string(mysql_port_) +
                   " CLOBBER_REDIS_PORT=" + std::to_string(16600 + offset);
    ASSERT_EQ(servers(environment_, "start"), 0) << "could not start private servers";
    started_ = true;
  }
  void TearDown() override {
    if (started_) {
      EXPECT_EQ(servers(environment_, "stop"), 0);
    }
  }

  /// Runs two cells of ~1.5 s against `url`, restarts `server` 0.7 s in, and
  /// checks what the run left behind.
  void run_through_restart(const std::string& url, const std::string& server) {
    SCOPED_TRACE(server);
    testing::OwnDatabase database(url, "clobber_rel_restart");
    const fs::path work = dir_ / ("run_" + server);
    fs::create_directories(work);
    const std::string workload = testing::write_counter_workload(
        work / "counter.yaml", "1500ms", "read_committed", "for_update, atomic");
    testing::Background run("run '" + workload + "' --db '" + database.url() + "' --json '" +
                                (work / "out.json").string() +
                                "' --reconnect-timeout 30s --no-color",
                            (work / "log").string());
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    EXPECT_EQ(servers(environment_, "restart " + server), 0);
    const int exit_code = run.wait();
    std::ifstream log(work / "log");
    const std::string output((std::istreambuf_iterator<char>(log)),
                             std::istreambuf_iterator<char>());
    EXPECT_EQ(exit_code, 0) << output;
    testing::expect_survived(testing::read_report(work / "out.json"), 2);
    EXPECT_EQ(database.clobber_tables(), 0);
  }

  fs::path dir_;
  std::string environment_;
  int pg_port_ = 0, mysql_port_ = 0;
  bool started_ = false;
};

TEST_F(RestartTest, RunsSurviveAServerRestart) {
  run_through_restart("postgresql://postgres@127.0.0.1:" + std::to_string(pg_port_) + "/postgres",
                      "pg");
  run_through_restart("mysql://root@127.0.0.1:" + std::to_string(mysql_port_) + "/mysql", "mysql");
}

}  // namespace
}  // namespace clobber
