// Shared helpers of the fault tests (faults_test.cpp, restart_test.cpp): a
// database of the test's own on a server, the clobber binary run in the
// background, and the facts every faulted run must leave behind.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "drivers/url.h"
#include "harness/runner/reconnect.h"

namespace clobber::testing {

/// `url` with its database name replaced by `database` (any query kept).
inline std::string with_database(const std::string& url, const std::string& database) {
  const size_t query = url.find('?');
  const std::string base = url.substr(0, query);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base.substr(0, base.rfind('/') + 1) + database + rest;
}

/// A database of one test's own (named after the test process), created on
/// the server of `url` and dropped with everything in it at the end. Faults
/// are aimed only at connections to it, never at other clients of the server.
class OwnDatabase {
 public:
  OwnDatabase(const std::string& url, const std::string& prefix)
      : name_(prefix + "_" + std::to_string(getpid())),
        server_(make_driver(parse_database_url(url))),
        // The admin connection outlives a server restart the way clobber's does.
        admin_(std::make_unique<ResilientSession>(server_->connect(), std::chrono::seconds(30),
                                                  never_)),
        url_(with_database(url, name_)) {
    drop();
    admin_->query("CREATE DATABASE " + name_);
  }
  ~OwnDatabase() {
    try {
      drop();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "could not drop " << name_ << ": " << e.what();
    }
  }
  /// The URL of the test's database.
  const std::string& url() const { return url_; }

  /// Kills every connection to the test's database; returns how many.
  int kill_all() {
    int killed = 0;
    if (server_->kind() == DatabaseKind::postgresql) {
      const QueryRows rows =
          admin_->query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                        name_ + "' AND pid <> pg_backend_pid()");
      for (const auto& row : rows.rows) killed += row[0] && *row[0] == "t";
      return killed;
    }
    const QueryRows rows =
        admin_->query("SELECT id FROM information_schema.processlist WHERE db = '" + name_ +
                      "' AND id <> CONNECTION_ID()");
    for (const auto& row : rows.rows) {
      try {
        admin_->query("KILL CONNECTION " + *row[0]);
        ++killed;
      } catch (const DatabaseError&) {
        // it ended in between
      }
    }
    return killed;
  }

  /// PostgreSQL only: whether the test's database accepts new connections.
  void allow_connections(bool allow) {
    admin_->query("ALTER DATABASE " + name_ + " ALLOW_CONNECTIONS " + (allow ? "true" : "false"));
  }

  /// How many clobber_* tables the test's database holds, clobber's registry
  /// (kept by design, harness/runner/table_registry.h) not counted.
  int64_t clobber_tables() {
    QueryRows rows;
    if (server_->kind() == DatabaseKind::postgresql) {
      // pg_tables lists the current database's tables only: ask from inside it.
      ResilientSession inside(make_driver(parse_database_url(url_))->connect(),
                              std::chrono::seconds(30), never_);
      rows = inside.query(
          "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename LIKE 'clobber\\_%' "
          "AND tablename <> 'clobber_registry'");
    } else {
      rows = admin_->query(
          "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '" + name_ +
          "' AND table_name LIKE 'clobber\\_%' AND table_name <> 'clobber_registry'");
    }
    return std::stoll(*rows.rows.at(0).at(0));
  }

 private:
  void drop() {
    if (server_->kind() == DatabaseKind::postgresql) {
      if (!admin_->query("SELECT 1 FROM pg_database WHERE datname = '" + name_ + "'").rows.empty())
        allow_connections(true);
      admin_->query("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } else {
      admin_->query("DROP DATABASE IF EXISTS " + name_);
    }
  }

  static inline const std::atomic<bool> never_{false};  // nothing stops a reconnect here
  std::string name_;
  std::unique_ptr<Driver> server_;
  std::unique_ptr<Session> admin_;
  std::string url_;
};

/// The clobber binary run in the background with `args` (shell words),
/// stdout and stderr to `log`; wait() returns its exit code.
class Background {
 public:
  Background(const std::string& args, const std::string& log)
      : thread_([this, command = std::string("'") + CLOBBER_BINARY + "' " + args + " >'" + log +
                                 "' 2>&1"] {
          const int status = std::system(command.c_str());
          exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }) {}
  ~Background() {
    if (thread_.joinable()) thread_.join();
  }
  /// Waits for the run to end and returns its exit code.
  int wait() {
    thread_.join();
    return exit_code_;
  }

 private:
  int exit_code_ = -1;
  std::thread thread_;
};

/// A hot counter workload: `workers` workers add 1 to one row with a pause
/// between read and write, for `duration` per cell, over the given cells.
inline std::string write_counter_workload(const std::filesystem::path& path,
                                          const std::string& duration, const std::string& isolation,
                                          const std::string& locking, int workers = 4) {
  std::ofstream(path) << "name: faults\n"
                         "description: a hot counter whose connections are cut mid-run\n"
                         "tables:\n"
                         "  counters:\n"
                         "    columns: {id: int, hits: bigint}\n"
                         "    key: id\n"
                         "    rows:\n"
                         "      - {id: 1, hits: 0}\n"
                         "transactions:\n"
                         "  increment:\n"
                         "    steps:\n"
                         "      - read: {table: counters, key: 1, as: c}\n"
                         "      - sleep: 1ms\n"
                         "      - write: {row: c, set: {hits: c.hits + 1}}\n"
                         "run:\n"
                         "  workers: "
                      << workers << "\n  duration: " << duration
                      << "\n  retry: {max_tries: 1000, backoff: 100us, max_backoff: 5ms}\n"
                         "matrix:\n"
                         "  isolation: ["
                      << isolation << "]\n  locking: [" << locking << "]\n";
  return path.string();
}

/// The saved JSON result at `path`.
inline nlohmann::json read_report(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "no report at " << path;
  if (!in.good()) return nlohmann::json::object();
  return nlohmann::json::parse(in);
}

/// Facts of a run whose connections were cut: every cell is in the report and
/// ran to its checks, safe cells lost nothing, and connections came back.
inline void expect_survived(const nlohmann::json& report, size_t cells) {
  ASSERT_TRUE(report.contains("cells"));
  ASSERT_EQ(report["cells"].size(), cells);
  int64_t reconnects = 0;
  for (const nlohmann::json& cell : report["cells"]) {
    SCOPED_TRACE(cell["locking"].get<std::string>());
    EXPECT_EQ(cell["status"], "ran") << cell["reason"];
    EXPECT_EQ(cell["lost_updates"], 0);
    EXPECT_EQ(cell["anomalies_total"], 0);
    EXPECT_TRUE(cell["ledger"]["balanced"].get<bool>());
    EXPECT_GT(cell["transactions"]["committed"].get<int64_t>(), 0);
    reconnects += cell["chaos"]["reconnects"].get<int64_t>();
  }
  EXPECT_GT(reconnects, 0);
}

}  // namespace clobber::testing
