// Ctrl-C, SIGTERM, SIGKILL and the table registry (harness/runner/table_registry.h)
// through the real clobber binary (CLOBBER_BINARY) and real signals. Built once
// per database: CLOBBER_CLEANUP_POSTGRES, CLOBBER_CLEANUP_MYSQL (a database of
// each test's own on the server named by CLOBBER_TEST_PG_URL / _MYSQL_URL, so
// concurrent tests never see each other's tables), CLOBBER_CLEANUP_REDIS (a
// database number of each test's own on CLOBBER_TEST_REDIS_URL's server, its
// tables and user data made with Session's table calls) or
// CLOBBER_CLEANUP_SQLITE (a file). Every test checks at its end that the user's tables (one of them
// named clobber_fake_accounts, not in the registry) and, where there are schemas, a user schema are
// byte-identical to what they were, and that no clobber table of its runs is left, nor a registry
// row.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#if defined(CLOBBER_CLEANUP_REDIS)
#include <hiredis/hiredis.h>
#endif

#include "drivers/driver.h"
#include "drivers/url.h"
#include "tests/common/clobber_binary.h"

extern char** environ;

namespace clobber {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

#if defined(CLOBBER_CLEANUP_POSTGRES)
constexpr const char* kUrlVariable = "CLOBBER_TEST_PG_URL";
#elif defined(CLOBBER_CLEANUP_MYSQL)
constexpr const char* kUrlVariable = "CLOBBER_TEST_MYSQL_URL";
#elif defined(CLOBBER_CLEANUP_REDIS)
constexpr const char* kUrlVariable = "CLOBBER_TEST_REDIS_URL";
#endif

#if defined(CLOBBER_CLEANUP_REDIS)
/// Redis runs isolation none only.
constexpr const char* kIsolation = "none";
#else
constexpr const char* kIsolation = "serializable";
#endif

/// The longest a stopped run may take to exit, from the signal being sent.
constexpr milliseconds kExitLimit{1000};

/// A run whose one transaction sleeps for an hour between its read and its
/// write (holding no write lock, so SQLite's other writers can go on).
const std::string kSleepyWorkload = std::string(R"(name: sleepy
description: Each transaction reads its row, sleeps for an hour, then writes it.
tables:
  accounts:
    columns: {id: int, balance: bigint}
    key: id
    rows:
      - {id: 1, balance: 100}
      - {id: 2, balance: 100}
transactions:
  slow:
    params: {k: {choice: [1, 2]}}
    steps:
      - read: {table: accounts, key: k, as: a}
      - sleep: 60m
      - write: {row: a, set: {balance: a.balance - 1}}
matrix:
  isolation: [)") + kIsolation + R"(]
  locking: [none]
run:
  workers: 2
  duration: 60m
)";

/// A run whose workers all wait for one row: the first to lock it (FOR UPDATE)
/// sleeps an hour holding it, and the three others wait for its lock.
constexpr const char* kBlockedWorkload = R"(name: blocked
description: One transaction holds the row lock for an hour; the others wait for it.
tables:
  accounts:
    columns: {id: int, balance: bigint}
    key: id
    rows:
      - {id: 1, balance: 100}
transactions:
  touch:
    steps:
      - read: {table: accounts, key: 1, as: a}
      - sleep: 60m
      - write: {row: a, set: {balance: a.balance - 1}}
matrix:
  isolation: [read_committed]
  locking: [for_update]
run:
  workers: 4
  duration: 60m
)";

/// A short run; `equals` decides whether its check holds (exit 0) or not (exit
/// 1): on Redis, which runs no SQL invariant, the check is an expectation on
/// the number of rows seen.
std::string short_workload(int equals) {
#if defined(CLOBBER_CLEANUP_REDIS)
  return R"(name: short
description: A few atomic debits, checked.
tables:
  accounts:
    columns: {id: int, balance: bigint}
    key: id
    rows:
      - {id: 1, balance: 100}
      - {id: 2, balance: 100}
transactions:
  move:
    params: {from: {choice: [1, 2]}}
    steps:
      - read: {table: accounts, key: from, as: a}
      - write: {row: a, set: {balance: a.balance - 1}}
matrix:
  isolation: [none]
  locking: [atomic]
expect:
  - committed: {min: )" +
         std::to_string(equals == 2 ? 20 : 21) + R"(}
run:
  workers: 2
  transactions: 20
)";
#endif
  return R"(name: short
description: A few transfers, checked.
tables:
  accounts:
    columns: {id: int, balance: bigint}
    key: id
    rows:
      - {id: 1, balance: 100}
      - {id: 2, balance: 100}
transactions:
  move:
    params: {from: {choice: [1, 2]}}
    steps:
      - read: {table: accounts, key: from, as: a}
      - write: {row: a, set: {balance: a.balance - 1}}
invariants:
  - name: two rows
    sql: SELECT COUNT(*) FROM accounts
    equals: )" +
         std::to_string(equals) + R"(
matrix:
  isolation: [serializable]
  locking: [none]
run:
  workers: 2
  transactions: 20
)";
}

/// A clobber process, its stdout and stderr in files; killed if still running
/// when the test ends.
class Child {
 public:
  Child(const std::vector<std::string>& args, const fs::path& dir, const std::string& name)
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    std::vector<std::string> words{CLOBBER_BINARY};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, CLOBBER_BINARY, &actions, nullptr, argv.data(), environ) != 0) pid_ = 0;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Child() {
    if (running()) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }
  /// Sends `signal` and notes when.
  void signal(int signal) {
    signalled_ = Clock::now();
    kill(pid_, signal);
  }
  /// The exit code (128 + signal when a signal killed it), or nullopt when
  /// it has not exited within `limit`.
  std::optional<int> wait(milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!status_) {
      int status = 0;
      const pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        exited_ = Clock::now();
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (Clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(milliseconds(2));
    }
    return status_;
  }
  /// From the last signal sent to the exit.
  milliseconds exit_delay() const {
    return std::chrono::duration_cast<milliseconds>(exited_ - signalled_);
  }
  std::string out() const { return testing::read_file(out_); }
  std::string err() const { return testing::read_file(err_); }

 private:
  fs::path out_;
  fs::path err_;
  pid_t pid_ = 0;
  std::optional<int> status_;
  Clock::time_point signalled_;
  Clock::time_point exited_;
};

class CleanupTest : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(CLOBBER_CLEANUP_SQLITE)
    url_ = "sqlite:" + (dir_ / "staging.db").string();
#elif defined(CLOBBER_CLEANUP_REDIS)
    const std::string base = testing::server_url(kUrlVariable);
    ASSERT_NE(base, "");
    const DatabaseUrl server = parse_database_url(base);
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    database_ = std::to_string(redis_database(name));
    url_ = "redis://" + server.host + ":" + std::to_string(server.port) + "/" + database_;
    raw_.reset(redisConnect(server.host.c_str(), server.port));
    ASSERT_TRUE(raw_ && !raw_->err) << "cannot reach Redis at " << base;
    raw({"SELECT", database_});
    raw({"FLUSHDB"});  // this test's own database number
#else
    const std::string base = testing::server_url(kUrlVariable);
    ASSERT_NE(base, "");
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    database_ = "clobber_cleanup_";
    for (char c : name.substr(0, 40))
      database_ += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    admin_driver_ = make_driver(parse_database_url(base));
    std::unique_ptr<Session> admin = admin_driver_->connect();
    drop_databases(*admin);
    admin->query("CREATE DATABASE " + database_);
#if defined(CLOBBER_CLEANUP_MYSQL)
    admin->query("CREATE DATABASE " + database_ + "_staging");
#endif
    std::string text = base;
    text = text.substr(0, text.find('?'));
    url_ = text.substr(0, text.rfind('/') + 1) + database_;
#endif
    driver_ = make_driver(parse_database_url(url_));
    session_ = driver_->connect();
#if defined(CLOBBER_CLEANUP_REDIS)
    make_redis_user_data();
#else
    for (const std::string& sql : user_data()) session_->query(sql);
#endif
    before_ = snapshot();
  }

  void TearDown() override {
    if (session_) {
      EXPECT_EQ(snapshot(), before_) << "user data changed";
      EXPECT_EQ(leftovers(), "") << "clobber tables left behind";
      EXPECT_EQ(registry_rows(), 0) << "registry rows left behind";
    }
    session_.reset();
    driver_.reset();
#if defined(CLOBBER_CLEANUP_REDIS)
    if (raw_) raw({"FLUSHDB"});
#elif !defined(CLOBBER_CLEANUP_SQLITE)
    if (admin_driver_) {
      std::unique_ptr<Session> admin = admin_driver_->connect();
      drop_databases(*admin);
    }
#endif
  }

  /// Drops this test's databases (FORCE: only connections to them, all this test's).
  void drop_databases(Session& admin) const {
#if defined(CLOBBER_CLEANUP_POSTGRES)
    admin.query("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
#elif defined(CLOBBER_CLEANUP_MYSQL)
    admin.query("DROP DATABASE IF EXISTS " + database_);
    admin.query("DROP DATABASE IF EXISTS " + database_ + "_staging");
#else
    (void)admin;
#endif
  }

  /// The user's own data: tables, one named like clobber's but not in its
  /// registry, and a user schema (a second database on MySQL).
  std::vector<std::string> user_data() const {
    std::vector<std::string> sql{
        "CREATE TABLE staging_accounts (id INT PRIMARY KEY, owner VARCHAR(20), balance BIGINT)",
        "INSERT INTO staging_accounts VALUES (1, 'John', 100000), (2, 'Jane', 100), (3, 'Jake', "
        "-7)",
        "CREATE TABLE clobber_fake_accounts (id INT PRIMARY KEY, balance BIGINT)",
        "INSERT INTO clobber_fake_accounts VALUES (1, 5), (2, 6)",
        "CREATE TABLE staging_lock (id INT PRIMARY KEY, n BIGINT)",
        "INSERT INTO staging_lock VALUES (1, 0)"};
#if defined(CLOBBER_CLEANUP_POSTGRES)
    sql.push_back("CREATE SCHEMA staging");
    sql.push_back("CREATE TABLE staging.ledger (id INT PRIMARY KEY, note TEXT)");
    sql.push_back("INSERT INTO staging.ledger VALUES (1, 'opening'), (2, 'closing')");
#elif defined(CLOBBER_CLEANUP_MYSQL)
    sql.push_back("CREATE TABLE " + database_ + "_staging.ledger (id INT PRIMARY KEY, note TEXT)");
    sql.push_back("INSERT INTO " + database_ +
                  "_staging.ledger VALUES (1, 'opening'), (2, 'closing')");
#endif
    return sql;
  }

  /// Every table name (schema-qualified where there are schemas), sorted.
  std::vector<std::string> tables() {
#if defined(CLOBBER_CLEANUP_REDIS)
    std::vector<std::string> redis_tables;
    for (const std::string& key : raw({"KEYS", "*:table"}))
      redis_tables.push_back(key.substr(0, key.size() - std::string(":table").size()));
    std::sort(redis_tables.begin(), redis_tables.end());
    return redis_tables;
#endif
#if defined(CLOBBER_CLEANUP_POSTGRES)
    const std::string sql =
        "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN "
        "('pg_catalog', 'information_schema') ORDER BY 1";
#elif defined(CLOBBER_CLEANUP_MYSQL)
    const std::string sql =
        "SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables WHERE "
        "table_schema IN ('" +
        database_ + "', '" + database_ + "_staging') ORDER BY 1";
#else
    const std::string sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1";
#endif
    std::vector<std::string> names;
    for (const auto& row : session_->query(sql).rows) names.push_back(row.at(0).value_or("NULL"));
    return names;
  }

  /// The table list without the registry, then every user table's rows in order.
  std::string snapshot() {
#if defined(CLOBBER_CLEANUP_REDIS)
    return redis_snapshot();
#endif
    std::string text;
    for (const std::string& table : tables())
      if (table.find("clobber_registry") == std::string::npos) text += table + "\n";
    std::vector<std::string> user{"staging_accounts", "clobber_fake_accounts", "staging_lock"};
#if defined(CLOBBER_CLEANUP_POSTGRES)
    user.push_back("staging.ledger");
#elif defined(CLOBBER_CLEANUP_MYSQL)
    user.push_back(database_ + "_staging.ledger");
#endif
    for (const std::string& table : user) {
      text += "-- " + table + "\n";
      for (const auto& row : session_->query("SELECT * FROM " + table + " ORDER BY 1").rows) {
        for (const auto& field : row) text += field.value_or("NULL") + "|";
        text += "\n";
      }
    }
    return text;
  }

  /// Tables named clobber_ that are neither the registry nor the user's fake one.
  std::string leftovers() {
    std::string left;
    for (const std::string& table : tables()) {
      const std::string name = table.substr(table.find('.') + 1);
      if (name.starts_with("clobber_") && name != "clobber_registry" &&
          name != "clobber_fake_accounts")
        left += table + " ";
    }
    return left;
  }

  /// Registry rows, all runs (0 when there is no registry yet); `pid` > 0
  /// counts that process's only.
  int registry_rows(pid_t pid = 0) {
#if defined(CLOBBER_CLEANUP_REDIS)
    int rows = 0;
    for (const RegisteredTable& entry : session_->registry_entries())
      if (pid <= 0 || entry.owner.pid == pid) ++rows;
    return rows;
#endif
    try {
      const std::string where = pid > 0 ? " WHERE pid = " + std::to_string(pid) : "";
      return std::stoi(session_->query("SELECT COUNT(*) FROM clobber_registry" + where)
                           .rows.at(0)
                           .at(0)
                           .value());
    } catch (const DatabaseError&) {
      return 0;
    }
  }

  /// Tables in the registry that process `pid` owns.
  std::vector<std::string> registered_tables(pid_t pid) {
    std::vector<std::string> names;
#if defined(CLOBBER_CLEANUP_REDIS)
    for (const RegisteredTable& entry : session_->registry_entries())
      if (entry.owner.pid == pid) names.push_back(entry.table);
    return names;
#endif
    try {
      for (const auto& row : session_
                                 ->query("SELECT table_name FROM clobber_registry WHERE pid = " +
                                         std::to_string(pid) + " ORDER BY 1")
                                 .rows)
        names.push_back(row.at(0).value());
    } catch (const DatabaseError&) {
    }
    return names;
  }

  bool table_exists(const std::string& name) {
    return session_->table_exists(name);
  }

  /// Waits until `child` has registered its tables and then `settle` more
  /// (its workers reach their sleep or their lock wait).
  void await_tables(Child& child, milliseconds settle = milliseconds(800)) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (registry_rows(child.pid()) == 0) {
      ASSERT_TRUE(child.running() && !child.wait(milliseconds(0)))
          << "clobber ended before creating its tables:\n"
          << child.err();
      ASSERT_LT(Clock::now(), deadline) << "clobber registered no table in 30 s";
      std::this_thread::sleep_for(milliseconds(20));
    }
    std::this_thread::sleep_for(settle);
  }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  /// `clobber run WORKLOAD --db URL ARGS...` in the background.
  std::unique_ptr<Child> start_run(const std::string& workload, const std::string& name,
                                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"run", workload, "--db", url_, "--no-color"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Child>(args, dir_, name);
  }

  /// Sends `signal`, expects an exit with `code` within kExitLimit, and says how long it took.
  void expect_quick_exit(Child& child, int signal, int code) {
    child.signal(signal);
    const std::optional<int> status = child.wait(std::chrono::seconds(30));
    ASSERT_TRUE(status.has_value()) << "clobber did not exit 30 s after the signal";
    EXPECT_EQ(*status, code) << child.err();
    std::cout << "[ measured ] exit " << child.exit_delay().count() << " ms after signal " << signal
              << "\n";
    EXPECT_LE(child.exit_delay(), kExitLimit) << child.err();
  }

#if defined(CLOBBER_CLEANUP_REDIS)
  /// This test's Redis database number: its index among the tests here, so
  /// that tests running at once never share one (database 0 is the other
  /// suites').
  static int redis_database(const std::string& test) {
    static const char* const kTests[] = {
        "SigintDuringAnHourLongSleepExitsAtOnceWithAPartialReport",
        "SigtermDuringASleepExits143",
        "SecondSigintDropsTheTablesAndExits130",
        "KilledRunIsCleanedButNeitherALiveRunNorUnregisteredTables",
        "NextRunDropsTheTablesOfAKilledRun",
        "PassingAndFailingRunsLeaveOnlyUserData"};
    for (size_t i = 0; i < std::size(kTests); ++i)
      if (test == kTests[i]) return static_cast<int>(i) + 1;
    return 15;
  }

  struct RawFree {
    void operator()(redisContext* context) const { redisFree(context); }
  };

  /// A command on the test's own connection; its reply as texts (an array
  /// flattened, an integer as its decimal).
  std::vector<std::string> raw(const std::vector<std::string>& command) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& word : command) {
      argv.push_back(word.data());
      lengths.push_back(word.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(raw_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()));
    std::vector<std::string> out;
    if (!reply) {
      ADD_FAILURE() << "lost the test's Redis connection";
      return out;
    }
    const auto add = [&out](const redisReply* r) {
      if (r->type == REDIS_REPLY_INTEGER)
        out.push_back(std::to_string(r->integer));
      else if (r->str)
        out.emplace_back(r->str, r->len);
    };
    if (reply->type == REDIS_REPLY_ARRAY)
      for (size_t i = 0; i < reply->elements; ++i) add(reply->element[i]);
    else
      add(reply);
    freeReplyObject(reply);
    return out;
  }

  /// The user's own data: tables made as clobber makes them (one named like
  /// clobber's but not in its registry), and a key that is no table.
  void make_redis_user_data() {
    const auto table = [this](const std::string& name, std::vector<ColumnShape> columns,
                              const std::vector<std::vector<CellValue>>& rows) {
      const TableShape shape{name, std::move(columns), 0};
      session_->create_table(shape);
      session_->insert_rows(shape, rows);
    };
    table("staging_accounts",
          {{"id", true},
           {"owner", false},
           { "balance",
             true }},
          {{int64_t{1}, std::string("John"),
            int64_t {
              100000
            }},
           {int64_t{2}, std::string("Jane"),
            int64_t {
              100
            }},
           { int64_t{3},
             std::string("Jake"),
             int64_t {
               -7
             } }});
    table("clobber_fake_accounts",
          {{"id", true},
           { "balance",
             true }},
          {{int64_t{1},
            int64_t {
              5
            }},
           { int64_t{2},
             int64_t {
               6
             } }});
    table("staging_lock", {{"id", true}, { "n", true }}, {{ int64_t{1}, int64_t { 0 } }});
    raw({"SET", "staging_note", "opening"});
  }

  /// Every key but the registry and the run locks, sorted, with its content.
  std::string redis_snapshot() {
    std::vector<std::string> keys = raw({"KEYS", "*"});
    std::sort(keys.begin(), keys.end());
    std::string text;
    for (const std::string& key : keys) {
      if (key == kRegistryTable || key.starts_with("clobber_run:")) continue;
      const std::string type = raw({"TYPE", key}).at(0);
      std::vector<std::string> content = type == "hash"  ? raw({"HGETALL", key})
                                         : type == "set" ? raw({"SMEMBERS", key})
                                                         : raw({"GET", key});
      if (type == "set") std::sort(content.begin(), content.end());
      text += key + " (" + type + "):";
      for (const std::string& item : content) text += " " + item;
      text += "\n";
    }
    return text;
  }

  std::unique_ptr<redisContext, RawFree> raw_;
#endif

  testing::TempDir dir_{"clobber_cleanup_"};
  std::string url_;
  std::string database_;
  std::unique_ptr<Driver> admin_driver_;
  std::unique_ptr<Driver> driver_;
  std::unique_ptr<Session> session_;
  std::string before_;
};

// One fixture name per database: ctest names the tests of all three binaries.
#if defined(CLOBBER_CLEANUP_POSTGRES)
class PostgresCleanupTest : public CleanupTest {};
#define CLEANUP_TEST(name) TEST_F(PostgresCleanupTest, name)
#elif defined(CLOBBER_CLEANUP_MYSQL)
class MysqlCleanupTest : public CleanupTest {};
#define CLEANUP_TEST(name) TEST_F(MysqlCleanupTest, name)
#elif defined(CLOBBER_CLEANUP_REDIS)
class RedisCleanupTest : public CleanupTest {};
#define CLEANUP_TEST(name) TEST_F(RedisCleanupTest, name)
#else
class SqliteCleanupTest : public CleanupTest {};
#define CLEANUP_TEST(name) TEST_F(SqliteCleanupTest, name)
#endif

CLEANUP_TEST(SigintDuringAnHourLongSleepExitsAtOnceWithAPartialReport) {
  const std::string workload = write("sleepy.yaml", kSleepyWorkload);
  const std::string json = (dir_ / "partial.json").string();
  auto run = start_run(workload, "sleepy", {"--json", json});
  await_tables(*run);
  const std::vector<std::string> created = registered_tables(run->pid());
  ASSERT_EQ(created.size(), 1u);
  EXPECT_TRUE(table_exists(created[0]));
  expect_quick_exit(*run, SIGINT, 130);
  EXPECT_NE(run->err().find("stopping"), std::string::npos) << run->err();
  EXPECT_NE(run->out().find("interrupted: partial report"), std::string::npos) << run->out();
  std::ifstream in(json);
  std::stringstream report;
  report << in.rdbuf();
  EXPECT_NE(report.str().find("\"interrupted\": true"), std::string::npos) << report.str();
  EXPECT_FALSE(table_exists(created[0]));
}

CLEANUP_TEST(SigtermDuringASleepExits143) {
  auto run = start_run(write("sleepy.yaml", kSleepyWorkload), "sleepy");
  await_tables(*run);
  expect_quick_exit(*run, SIGTERM, 143);
}

CLEANUP_TEST(SecondSigintDropsTheTablesAndExits130) {
  auto run = start_run(write("sleepy.yaml", kSleepyWorkload), "sleepy");
  await_tables(*run);
  const std::vector<std::string> created = registered_tables(run->pid());
  ASSERT_EQ(created.size(), 1u);
  run->signal(SIGINT);
  std::this_thread::sleep_for(milliseconds(5));
  expect_quick_exit(*run, SIGINT, 130);
  EXPECT_FALSE(table_exists(created[0]));
}

#if !defined(CLOBBER_CLEANUP_SQLITE) && !defined(CLOBBER_CLEANUP_REDIS)
CLEANUP_TEST(SigintWhileWorkersWaitForARowLockCancelsTheirStatements) {
  // One worker sleeps holding the row lock; the three others wait for it.
  auto run = start_run(write("blocked.yaml", kBlockedWorkload), "blocked");
  await_tables(*run);
#if defined(CLOBBER_CLEANUP_POSTGRES)
  const std::string waiting =
      "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND "
      "wait_event_type = 'Lock'";
#else
  const std::string waiting =
      "SELECT COUNT(*) FROM information_schema.innodb_trx t JOIN information_schema.processlist "
      "p ON p.id = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND p.db = '" +
      database_ + "'";
#endif
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (session_->query(waiting).rows.at(0).at(0) != "3" && Clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(20));
  ASSERT_EQ(session_->query(waiting).rows.at(0).at(0), "3") << "the workers never waited";
  expect_quick_exit(*run, SIGINT, 130);
  EXPECT_EQ(session_->query(waiting).rows.at(0).at(0), "0");
}

CLEANUP_TEST(SigintDuringAScenarioStopsItsBlockedAndRunningStatements) {
  // t2 waits for t1's row lock while t1 runs a minute-long statement.
#if defined(CLOBBER_CLEANUP_POSTGRES)
  const std::string long_statement = "select pg_sleep(60)";
#else
  const std::string long_statement = "select sleep(60)";
#endif
  const std::string scenario = write("stuck.yaml", R"(name: stuck
description: t2 waits for the row t1 holds while t1 runs a long statement.
tables: [test]
setup:
  - create table test (id int primary key, value int)
  - insert into test (id, value) values (1, 10)
sessions: [t1, t2]
steps:
  - t1: begin
  - t1: update test set value = 11 where id = 1
  - t2: begin
  - t2: update test set value = 12 where id = 1
  - t1: )" + long_statement + R"(
  - t1: commit
  - t2: commit
anomaly_if:
  sql: select value from test order by id
  equals: [12]
)");
  Child run({"scenario", scenario, "--db", url_, "--isolation", "read_committed", "--no-color"},
            dir_, "scenario");
  await_tables(run, milliseconds(3000));  // past the block timeout: t1's statement runs
  const std::vector<std::string> created = registered_tables(run.pid());
  ASSERT_EQ(created.size(), 1u);
  expect_quick_exit(run, SIGINT, 130);
  EXPECT_NE(run.out().find("interrupted"), std::string::npos) << run.out();
  EXPECT_FALSE(table_exists(created[0]));
}
#endif

CLEANUP_TEST(KilledRunIsCleanedButNeitherALiveRunNorUnregisteredTables) {
  const std::string workload = write("sleepy.yaml", kSleepyWorkload);
  auto live = start_run(workload, "live");
  auto victim = start_run(workload, "victim");
  await_tables(*live, milliseconds(0));
  await_tables(*victim);
  const std::vector<std::string> live_tables = registered_tables(live->pid());
  const std::vector<std::string> victim_tables = registered_tables(victim->pid());
  ASSERT_EQ(live_tables.size(), 1u);
  ASSERT_EQ(victim_tables.size(), 1u);
  victim->signal(SIGKILL);
  ASSERT_EQ(victim->wait(std::chrono::seconds(10)), 128 + SIGKILL);
  EXPECT_TRUE(table_exists(victim_tables[0]));

  Child dry({"clean", "--db", url_, "--dry-run"}, dir_, "dry");
  ASSERT_EQ(dry.wait(std::chrono::seconds(60)), 0) << dry.err();
  EXPECT_NE(dry.out().find("would drop " + victim_tables[0]), std::string::npos) << dry.out();
  EXPECT_TRUE(table_exists(victim_tables[0]));

  Child clean({"clean", "--db", url_}, dir_, "clean");
  ASSERT_EQ(clean.wait(std::chrono::seconds(60)), 0) << clean.err();
  EXPECT_NE(clean.out().find("dropped " + victim_tables[0]), std::string::npos) << clean.out();
  EXPECT_NE(clean.out().find("left 1 of live runs alone"), std::string::npos) << clean.out();
  EXPECT_EQ(clean.out().find("clobber_fake_accounts"), std::string::npos) << clean.out();
  EXPECT_FALSE(table_exists(victim_tables[0]));
  EXPECT_TRUE(table_exists(live_tables[0]));
  EXPECT_TRUE(table_exists("clobber_fake_accounts"));
  EXPECT_EQ(registry_rows(victim->pid()), 0);
  EXPECT_EQ(registry_rows(live->pid()), 1);

  expect_quick_exit(*live, SIGINT, 130);
}

CLEANUP_TEST(NextRunDropsTheTablesOfAKilledRun) {
  auto victim = start_run(write("sleepy.yaml", kSleepyWorkload), "victim");
  await_tables(*victim);
  const std::vector<std::string> victim_tables = registered_tables(victim->pid());
  ASSERT_EQ(victim_tables.size(), 1u);
  victim->signal(SIGKILL);
  ASSERT_EQ(victim->wait(std::chrono::seconds(10)), 128 + SIGKILL);

  auto next = start_run(write("short.yaml", short_workload(2)), "next");
  ASSERT_EQ(next->wait(std::chrono::seconds(60)), 0) << next->err();
  EXPECT_NE(next->err().find("dropped " + victim_tables[0] + ", left by dead run"),
            std::string::npos)
      << next->err();
  EXPECT_FALSE(table_exists(victim_tables[0]));
}

CLEANUP_TEST(PassingAndFailingRunsLeaveOnlyUserData) {
  auto pass = start_run(write("pass.yaml", short_workload(2)), "pass");
  EXPECT_EQ(pass->wait(std::chrono::seconds(60)), 0) << pass->err();
  auto fail = start_run(write("fail.yaml", short_workload(5)), "fail");
  EXPECT_EQ(fail->wait(std::chrono::seconds(60)), 1) << fail->err();
}

}  // namespace
}  // namespace clobber
