// Staging safety on a real server: user tables and a user schema, made outside
// clobber with known rows, stay byte-identical after clobber runs every SQL
// file of the hostile corpus (tests/hostile/inputs/sql_*.yaml) against the same
// database, and no clobber_ table is left. Built once per server
// (CLOBBER_STAGING_POSTGRES or not); the database clobber_sqlguard_test is this
// test's own, so tests running concurrently on the server cannot interfere.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "drivers/url.h"
#include "tests/hostile/run_clobber.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

#ifdef CLOBBER_STAGING_POSTGRES
constexpr const char* kUrlVariable = "CLOBBER_TEST_PG_URL";
constexpr bool kPostgres = true;
#define STAGING_SUITE PostgresStagingSafety  // ctest names must differ per server
#else
constexpr const char* kUrlVariable = "CLOBBER_TEST_MYSQL_URL";
constexpr bool kPostgres = false;
#define STAGING_SUITE MysqlStagingSafety
#endif
constexpr const char* kDatabase = "clobber_sqlguard_test";

/// `url` with its database replaced by `database`.
std::string with_database(const std::string& url, const std::string& database) {
  const size_t query = url.find('?');
  const size_t slash = url.rfind('/', query == std::string::npos ? url.size() : query);
  return url.substr(0, slash + 1) + database +
         (query == std::string::npos ? "" : url.substr(query));
}

/// Every row of every table and the list of tables, as one text; clobber's own
/// registry (harness/runner/table_registry.h), which a run creates once and
/// keeps, is left out: the end of the test checks that it lists no table.
std::string fingerprint(Session& session) {
  const std::string tables_sql =
      kPostgres ? "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                  "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
                : "SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables "
                  "WHERE table_schema = DATABASE() ORDER BY 1";
  std::string out;
  for (const auto& row : session.query(tables_sql).rows) {
    const std::string table = row.at(0).value();
    if (table.ends_with(".clobber_registry")) continue;
    out += "table " + table + "\n";
    for (const auto& cells : session.query("SELECT * FROM " + table + " ORDER BY 1").rows) {
      for (const auto& cell : cells) out += cell.value_or("NULL") + "|";
      out += "\n";
    }
  }
  return out;
}

TEST(STAGING_SUITE, HostileSqlFilesLeaveEveryUserTableAndSchemaAsTheyWere) {
  const std::string base = testing::server_url(kUrlVariable);
  ASSERT_NE(base, "");
  {
    auto admin = make_driver(parse_database_url(base))->connect();
    if (kPostgres) {
      if (admin->query("SELECT 1 FROM pg_database WHERE datname = '" + std::string(kDatabase) + "'")
              .rows.empty())
        admin->query("CREATE DATABASE " + std::string(kDatabase));
    } else {
      admin->query("CREATE DATABASE IF NOT EXISTS " + std::string(kDatabase));
    }
  }
  const std::string url = with_database(base, kDatabase);
  auto session = make_driver(parse_database_url(url))->connect();
  // The user's own tables, with the names the hostile files aim at.
  for (const char* table : {"victim", "victim_inv", "accounts", "entry", "escaped_entry",
                            "victim_copy", "victim2", "entry2"})
    session->query(std::string("DROP TABLE IF EXISTS ") + table);
  if (kPostgres) session->query("DROP SCHEMA IF EXISTS victim_schema CASCADE");
  session->query("CREATE TABLE victim (id int PRIMARY KEY, x int, note varchar(20))");
  session->query("INSERT INTO victim VALUES (1, 10, 'first'), (2, 20, 'it''s')");
  session->query("CREATE TABLE victim_inv (id int PRIMARY KEY)");
  session->query("INSERT INTO victim_inv VALUES (7)");
  session->query("CREATE TABLE accounts (id int PRIMARY KEY, balance int)");
  session->query("INSERT INTO accounts VALUES (1, 500), (2, 700)");
  session->query("CREATE TABLE entry (id int PRIMARY KEY, value int)");
  session->query("INSERT INTO entry VALUES (1, 1000)");
  if (kPostgres) {
    session->query("CREATE SCHEMA victim_schema");
    session->query("CREATE TABLE victim_schema.kept (id int PRIMARY KEY)");
    session->query("INSERT INTO victim_schema.kept VALUES (3)");
  }
  const std::string before = fingerprint(*session);
  if (kPostgres) {
    ASSERT_NE(before.find("table victim_schema.kept\n3|\n"), std::string::npos) << before;
  }

  std::vector<fs::path> files;
  for (const auto& entry :
       fs::directory_iterator(fs::path(CLOBBER_SOURCE_DIR) / "tests" / "hostile" / "inputs"))
    if (entry.path().filename().string().starts_with("sql_")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 35u);
  const fs::path tmp = fs::temp_directory_path() / ("clobber_staging_" + std::to_string(getpid()));
  fs::create_directories(tmp);
  int accepted = 0;
  for (const fs::path& file : files) {
    const bool scenario = testing::read_file(file).find("\nsteps:") != std::string::npos;
    std::vector<std::string> args =
        scenario ? std::vector<std::string>{"scenario", file.string(), "--db",
                                            url,        "--isolation", "read_committed"}
                 : std::vector<std::string>{"run",       file.string(), "--db",
                                            url,         "--isolation", "read_committed",
                                            "--locking", "none",        "--transactions",
                                            "10"};
    const testing::Ran ran = testing::run_clobber(args, tmp);
    const bool legit = file.filename().string().starts_with("sql_ok_");
    if (legit) {
      ++accepted;
      EXPECT_NE(ran.exit_code, 2) << file << "\n" << ran.err;
    } else {
      EXPECT_EQ(ran.exit_code, 2) << file << "\n" << ran.out << ran.err;
    }
    EXPECT_EQ(fingerprint(*session), before) << "after " << file;
  }
  EXPECT_GE(accepted, 2);
  // The fingerprint sees a one-row change (so the comparisons above can fail).
  session->query("UPDATE victim SET x = 11 WHERE id = 1");
  EXPECT_NE(fingerprint(*session), before);
  session->query("UPDATE victim SET x = 10 WHERE id = 1");
  const std::string leftovers_sql =
      kPostgres ? "SELECT table_name FROM information_schema.tables WHERE table_name LIKE "
                  "'clobber\\_%'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                  "DATABASE() AND table_name LIKE 'clobber\\_%'";
  for (const auto& row : session->query(leftovers_sql).rows) {
    const std::string table = row.at(0).value_or("NULL");
    if (table == "clobber_registry") {
      EXPECT_TRUE(session->query("SELECT table_name FROM clobber_registry").rows.empty());
    } else {
      ADD_FAILURE() << "left behind: " << table;
    }
  }
  std::error_code ignored;
  fs::remove_all(tmp, ignored);
}

}  // namespace
}  // namespace clobber
