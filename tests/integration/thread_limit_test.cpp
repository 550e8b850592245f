// The operating system refusing threads (RLIMIT_NPROC): `--workers 1000` under
// `prlimit --nproc=40` ends each cell as an error with the reason, exit 3, a
// report written and the tables dropped; never an abort. As root the limit
// does not bind root itself, so the binary runs as `nobody` (setpriv).
#include <filesystem>

#include "tests/common/clobber_binary.h"
#include "tests/integration/faults_test.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

TEST(ThreadLimitTest, RefusedThreadsEndTheCellNotTheRun) {
  const std::string url = testing::server_url("CLOBBER_TEST_PG_URL");
  ASSERT_NE(url, "");
  testing::OwnDatabase database(url, "clobber_rel_nproc");
  // A folder the unprivileged user can read, run from and write the report to.
  const fs::path dir =
      fs::temp_directory_path() / ("clobber_rel_nproc_" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::all);
  fs::copy_file(CLOBBER_BINARY, dir / "clobber", fs::copy_options::overwrite_existing);
  const std::string workload = testing::write_counter_workload(
      dir / "counter.yaml", "300ms", "read_committed", "for_update, atomic");
  fs::permissions(workload, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  const std::string prefix =
      getuid() == 0 ? "setpriv --reuid nobody --regid nogroup --clear-groups " : "";
  const std::string command = prefix + "prlimit --nproc=40 '" + (dir / "clobber").string() +
                              "' run '" + workload + "' --db '" + database.url() +
                              "' --workers 1000 --json '" + (dir / "out.json").string() +
                              "' --no-color >'" + (dir / "log").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  const std::string output = testing::read_file(dir / "log");
  ASSERT_TRUE(WIFEXITED(status)) << output;  // not killed by SIGABRT
  EXPECT_EQ(WEXITSTATUS(status), 3) << output;
  const nlohmann::json report = testing::read_report(dir / "out.json");
  ASSERT_EQ(report["cells"].size(), 2u);
  for (const nlohmann::json& cell : report["cells"]) {
    EXPECT_EQ(cell["status"], "error");
    EXPECT_NE(cell["reason"].get<std::string>().find("could not start worker thread"),
              std::string::npos)
        << cell["reason"];
  }
  EXPECT_EQ(database.clobber_tables(), 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace clobber
