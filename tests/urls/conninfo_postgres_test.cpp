// The real binary on the PostgreSQL test server with the database written as
// people write it: a libpq key=value string, the PG* environment variables
// under a URL that names nothing, and CLOBBER_DB instead of --db; each a short
// real run (and scenario, clean) that must pass and report the database it used.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "drivers/url.h"
#include "tests/common/clobber_binary.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

/// What a run of the binary left: exit code, stdout, stderr, and the JSON file.
struct Outputs : testing::Separated {
  nlohmann::json json;
};

using testing::quoted;
using testing::read_file;

/// The test server's fields, from CLOBBER_TEST_PG_URL, and a fresh directory.
class ConninfoPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string url = testing::server_url("CLOBBER_TEST_PG_URL");
    ASSERT_NE(url, "");
    server_ = parse_database_url(url);
  }

  /// The server as a libpq key=value string.
  std::string key_value() const {
    return "host=" + server_.host + " port=" + std::to_string(server_.port) +
           " dbname=" + server_.database + " user=" + server_.user;
  }

  /// Runs `env -u PG... ENV clobber ARGS [--json FILE]` from the source folder.
  Outputs clobber(const std::string& env, const std::string& args, bool json_file = true) {
    const fs::path json = dir_ / "result.json";
    fs::remove(json);
    std::string unset;
    for (const char* name : {"PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE",
                             "PGSSLMODE", "CLOBBER_DB"})
      unset += std::string(" -u ") + name;
    const testing::Separated run = testing::clobber_apart(
        args + (json_file ? " --json " + quoted(json.string()) : ""), dir_.path(),
        "cd " + quoted(CLOBBER_SOURCE_DIR) + " && env" + unset + " " + env);
    Outputs outputs{run, {}};
    const std::string text = read_file(json);
    if (!text.empty()) outputs.json = nlohmann::json::parse(text);
    return outputs;
  }

  /// A short real run: one cell, 50 transactions.
  Outputs run(const std::string& env, const std::string& db_flags) {
    return clobber(env,
                   "run workloads/joint_account.yaml --transactions 50 --isolation read_committed "
                   "--locking for_update " +
                       db_flags);
  }

  /// The masked URLs of the run's cells, in order.
  static std::vector<std::string> cell_urls(const Outputs& outputs) {
    std::vector<std::string> urls;
    for (const auto& cell : outputs.json.at("cells")) {
      EXPECT_EQ(cell.at("database").at("kind"), "postgresql");
      EXPECT_EQ(cell.at("status"), "ran");
      urls.push_back(cell.at("database").at("url").get<std::string>());
    }
    return urls;
  }

  DatabaseUrl server_;
  testing::TempDir dir_{"clobber_urls_"};
};

TEST_F(ConninfoPostgresTest, KeyValueString) {
  const Outputs outputs = run("", "--db " + quoted(key_value()));
  ASSERT_EQ(outputs.exit_code, 0) << outputs.err;
  const std::string shown = "host=" + server_.host + " port=" + std::to_string(server_.port) +
                            " user=" + server_.user + " dbname=" + server_.database;
  EXPECT_EQ(cell_urls(outputs), std::vector<std::string>{shown});
  EXPECT_NE(outputs.out.find(shown), std::string::npos) << outputs.out;
}

TEST_F(ConninfoPostgresTest, EnvironmentVariablesUnderAUrlThatNamesNothing) {
  const std::string env = "PGHOST=" + server_.host + " PGPORT=" + std::to_string(server_.port) +
                          " PGUSER=" + server_.user + " PGDATABASE=" + server_.database;
  const Outputs outputs = run(env, "--db postgresql://");
  ASSERT_EQ(outputs.exit_code, 0) << outputs.err;
  const std::string shown = "postgresql://" + server_.user + "@" + server_.host + ":" +
                            std::to_string(server_.port) + "/" + server_.database;
  EXPECT_EQ(cell_urls(outputs), std::vector<std::string>{shown});
  // The replay names the database in full: it replays without the environment.
  EXPECT_NE(outputs.json.at("replay").get<std::string>().find("--db " + shown), std::string::npos)
      << outputs.json.at("replay");
}

TEST_F(ConninfoPostgresTest, ClobberDbForRunScenarioAndClean) {
  const std::string url = "postgresql://" + server_.user + "@" + server_.host + ":" +
                          std::to_string(server_.port) + "/" + server_.database;
  const std::string key_value_shown = "host=" + server_.host +
                                      " port=" + std::to_string(server_.port) +
                                      " user=" + server_.user + " dbname=" + server_.database;
  const std::string env = "CLOBBER_DB=" + quoted(url + " " + key_value());
  const Outputs ran = run(env, "");
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(cell_urls(ran), (std::vector<std::string>{url, key_value_shown}));

  const Outputs scenario =
      clobber("CLOBBER_DB=" + quoted(key_value()),
              "scenario workloads/scenarios/07_p4_lost_update.yaml --isolation read_committed");
  ASSERT_EQ(scenario.exit_code, 0) << scenario.err;
  ASSERT_EQ(scenario.json.at("databases").size(), 1u);
  EXPECT_EQ(scenario.json.at("databases")[0].at("url"), key_value_shown);

  const Outputs clean = clobber("CLOBBER_DB=" + quoted(key_value()), "clean --dry-run", false);
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_NE(clean.out.find(key_value_shown + ": would drop"), std::string::npos) << clean.out;

  // A bad entry names CLOBBER_DB, exits 2 and does not echo its password.
  const Outputs bad = run("CLOBBER_DB=" + quoted(url + " host=h password=Qz9v port=x"), "");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("CLOBBER_DB: bad database URL"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("Qz9v"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.out.find("Qz9v"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace clobber
