// Passwords never reach any output of the real binary: stdout, stderr and the
// JSON file, for runs that connect, runs that cannot, and URLs that are refused.
// One source, built once per server (CLOBBER_SECRETS_POSTGRES / CLOBBER_SECRETS_MYSQL).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "drivers/driver.h"
#include "drivers/url.h"
#include "tests/common/clobber_binary.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

/// What a run of the binary left: exit code, stdout, stderr, and the JSON file ("" if none).
struct Outputs : testing::Separated {
  std::string json;
};

using testing::quoted;
using testing::read_file;

/// A fresh directory per test for the outputs, removed afterwards.
class SecretsTest : public ::testing::Test {
 protected:
  /// Runs `env clobber ARGS --db URL --json FILE` (ENV: "NAME=value ..." shell words).
  Outputs clobber(const std::string& env, const std::string& args, const std::string& url) {
    const fs::path json = dir_ / "result.json";
    fs::remove(json);
    const testing::Separated run =
        testing::clobber_apart(args + " --db " + quoted(url) + " --json " + quoted(json.string()),
                               dir_.path(), "env " + env);
    return Outputs{run, read_file(json)};
  }

  /// A `run` of a small workload: one cell, a few transactions.
  Outputs run(const std::string& url, const std::string& env = "") {
    return clobber(env,
                   "run " +
                       quoted(std::string(CLOBBER_SOURCE_DIR) +
                              "/tests/integration/workloads/hot_counter.yaml") +
                       " --isolation serializable --locking none --transactions 40",
                   url);
  }

  /// A `scenario` run of a small scenario file.
  Outputs scenario(const std::string& url, const std::string& env = "") {
    return clobber(env,
                   "scenario " +
                       quoted(std::string(CLOBBER_SOURCE_DIR) + "/tests/scenario/good/full.yaml") +
                       " --isolation serializable",
                   url);
  }

  testing::TempDir dir_{"clobber_secrets_"};
};

/// Expects none of `secrets` in any output.
void expect_absent(const Outputs& outputs, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    EXPECT_EQ(outputs.out.find(secret), std::string::npos) << secret << " in stdout:\n"
                                                           << outputs.out;
    EXPECT_EQ(outputs.err.find(secret), std::string::npos) << secret << " in stderr:\n"
                                                           << outputs.err;
    EXPECT_EQ(outputs.json.find(secret), std::string::npos) << secret << " in the JSON:\n"
                                                            << outputs.json;
  }
}

/// The test server's URL from the environment, parsed; fails the test when unset.
std::optional<DatabaseUrl> server_url(const char* variable) {
  const std::string text = testing::server_url(variable);
  if (text.empty()) return std::nullopt;
  return parse_database_url(text);
}

#ifdef CLOBBER_SECRETS_POSTGRES

/// "postgresql://USERINFO@host:port/DATABASE" on the test server.
std::string pg_url(const DatabaseUrl& server, const std::string& user_info,
                   const std::string& database) {
  return "postgresql://" + user_info + "@" + server.host + ":" + std::to_string(server.port) + "/" +
         database;
}

TEST_F(SecretsTest, PostgresRunThatConnectsShowsNoPassword) {
  const std::optional<DatabaseUrl> server = server_url("CLOBBER_TEST_PG_URL");
  ASSERT_TRUE(server);
  // The test server trusts 127.0.0.1, so the passwords are sent nowhere but
  // still pass through parsing, masking, settings and every report.
  const std::string url = pg_url(*server, "postgres:S3cr?t#Pw", server->database) +
                          "?sslpassword=Ss1%3FPw%26&sslmode=disable";
  const Outputs outputs = run(url, "PGPASSWORD=EnvPg9x");
  ASSERT_TRUE(outputs.exit_code == 0 || outputs.exit_code == 1) << outputs.err;
  EXPECT_NE(outputs.err.find("postgresql://postgres:***@"), std::string::npos) << outputs.err;
  EXPECT_NE(outputs.json.find("sslpassword=***"), std::string::npos) << outputs.json;
  expect_absent(outputs, {"S3cr", "Ss1", "EnvPg9x"});
}

TEST_F(SecretsTest, PostgresConnectionErrorShowsNoPassword) {
  const std::optional<DatabaseUrl> server = server_url("CLOBBER_TEST_PG_URL");
  ASSERT_TRUE(server);
  // libpq's message names the database; the password must not follow it.
  const std::string url = pg_url(*server, "postgres:Wr%3Fng%40Pw", "clobber_no_such_db_9") +
                          "?sslpassword=Ss1Pw%23&sslmode=disable";
  for (const Outputs& outputs : {run(url, "PGPASSWORD=EnvPg9x"), scenario(url)}) {
    EXPECT_EQ(outputs.exit_code, 3) << outputs.err;
    EXPECT_NE(outputs.err.find("clobber_no_such_db_9"), std::string::npos) << outputs.err;
    expect_absent(outputs, {"Wr", "Ss1", "EnvPg9x"});
  }
}

TEST_F(SecretsTest, PostgresRefusedUrlShowsNoPassword) {
  const std::optional<DatabaseUrl> server = server_url("CLOBBER_TEST_PG_URL");
  ASSERT_TRUE(server);
  for (const std::string user_info : {"postgres:Qx@Zw", "postgres:Qx/Zw", "postgres:Qx%zzZw"}) {
    const Outputs outputs = run(pg_url(*server, user_info, server->database));
    EXPECT_EQ(outputs.exit_code, 2) << outputs.err;
    EXPECT_NE(outputs.err.find("--db: bad database URL"), std::string::npos) << outputs.err;
    expect_absent(outputs, {"Qx", "Zw"});
  }
}

#endif  // CLOBBER_SECRETS_POSTGRES

#ifdef CLOBBER_SECRETS_MYSQL

/// "mysql://USERINFO@host:port/DATABASE" on the test server.
std::string mysql_url(const DatabaseUrl& server, const std::string& user_info) {
  return "mysql://" + user_info + "@" + server.host + ":" + std::to_string(server.port) + "/" +
         server.database;
}

TEST_F(SecretsTest, MysqlWrongPasswordShowsNoPassword) {
  const std::optional<DatabaseUrl> server = server_url("CLOBBER_TEST_MYSQL_URL");
  ASSERT_TRUE(server);
  // root has no password on the test server: any password is refused (1045).
  for (const std::string user_info : {"root:Wr0ng?p@w#/x", "root:Wr0ng%3Fpw"}) {
    for (const Outputs& outputs :
         {run(mysql_url(*server, user_info)), scenario(mysql_url(*server, user_info))}) {
      EXPECT_EQ(outputs.exit_code, 3) << outputs.err;
      EXPECT_NE(outputs.err.find("Access denied"), std::string::npos) << outputs.err;
      EXPECT_NE(outputs.err.find("mysql://root:***@"), std::string::npos) << outputs.err;
      expect_absent(outputs, {"Wr0ng"});
    }
  }
}

TEST_F(SecretsTest, MysqlPwdIsUsedAndNeverShown) {
  const std::optional<DatabaseUrl> server = server_url("CLOBBER_TEST_MYSQL_URL");
  ASSERT_TRUE(server);
  const Outputs outputs = run(mysql_url(*server, "root"), "MYSQL_PWD=EnvMy9x");
  EXPECT_EQ(outputs.exit_code, 3) << outputs.err;
  EXPECT_NE(outputs.err.find("using password: YES"), std::string::npos) << outputs.err;
  expect_absent(outputs, {"EnvMy9x"});
}

TEST_F(SecretsTest, MysqlRunWithSpecialPasswordConnectsAndShowsNoPassword) {
  const std::optional<DatabaseUrl> server = server_url("CLOBBER_TEST_MYSQL_URL");
  ASSERT_TRUE(server);
  auto admin = make_driver(*server)->connect();
  const std::string user = "clobber_secrets_" + std::to_string(getpid());
  const std::string account = "'" + user + "'@'" + server->host + "'";
  admin->query("CREATE USER " + account + " IDENTIFIED BY 'Sp3c?a#l@/:x'");
  admin->query("GRANT ALL ON " + server->database + ".* TO " + account);
  // The password holds every character of the grammar, unencoded: it extends to the last '@'.
  const Outputs outputs = run(mysql_url(*server, user + ":Sp3c?a#l@/:x"));
  admin->query("DROP USER " + account);
  ASSERT_TRUE(outputs.exit_code == 0 || outputs.exit_code == 1) << outputs.err;
  EXPECT_NE(outputs.json.find("\"url\": \"mysql://" + user + ":***@"), std::string::npos)
      << outputs.json;
  expect_absent(outputs, {"Sp3c"});
}

#endif  // CLOBBER_SECRETS_MYSQL

}  // namespace
}  // namespace clobber
