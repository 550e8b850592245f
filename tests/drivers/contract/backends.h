// What the driver contract suite (tests/drivers/contract/driver_contract_test.cpp)
// needs to know about one backend. The source is built once per backend with
// one of CLOBBER_CONTRACT_SQLITE, CLOBBER_CONTRACT_POSTGRES, CLOBBER_CONTRACT_MYSQL,
// CLOBBER_CONTRACT_REDIS defined (tests/drivers/CMakeLists.txt); the_backend()
// returns that one. A new driver adds its Backend here and one clobber_add_test line.
#pragma once

#include <cctype>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "drivers/driver.h"
#include "drivers/url.h"
#include "tests/common/clobber_binary.h"

namespace clobber::contract {

/// An error as the backend reports it.
struct ExpectedError {
  std::string code;           // SQLSTATE, MySQL error number or SQLite code name
  std::string message;        // the whole message, or its start
  bool whole_message = true;  // false: `message` is only the start
};

/// Two transactions at `level` read a row; the first updates it and commits,
/// then the second updates it.
struct ConflictCase {
  Isolation level = Isolation::serializable;
  std::string url_option;  // added to the test URL, "" for none
  std::optional<ExpectedError>
      error;  // the second writer's serialization failure; none: it commits
};

/// One backend: how to reach it and what it does.
struct Backend {
  std::string name;      // test name suffix: sqlite, postgres, mysql, redis
  DatabaseKind kind;     // what the driver reports
  bool runs_sql = true;  // DriverTraits::runs_sql: the SQL tests run
  /// A driver for the test database with URL option `option` ("" for none) added;
  /// fails the test (testing::server_url) and returns null when the URL is unset.
  std::function<std::unique_ptr<Driver>(const std::string& option)> make_driver;
  /// Placeholder number n (1-based) in the dialect's style: $1, ?, ?1.
  std::function<std::string(int n)> placeholder;
  std::string table_options;     // after CREATE TABLE t (...)
  bool update_returning = true;  // UPDATE ... RETURNING exists
  bool row_locks = true;         // false: a writer locks the whole database
  /// Transaction levels begin() runs, weakest first (Isolation::none aside).
  std::vector<Isolation> levels;
  /// A fragment of the reason the driver gives for an unsupported level or
  /// mode, nullopt for a supported one.
  std::function<std::optional<std::string>(Isolation)> unsupported_isolation;
  std::function<std::optional<std::string>(Locking)> unsupported_locking;
  /// The level of the transaction open on `session` as level_name() shows it,
  /// or "none"; unset when the backend cannot show it (a single level).
  std::function<std::string(Session& session)> open_level;
  std::function<std::string(Isolation)> level_name;
  bool commits_with_statement = false;  // Session::commits_with_statement()
  /// The error of inserting an existing id into `table`.
  std::function<ExpectedError(const std::string& table)> duplicate_key;
  /// The code of a statement run after a failed one in the same transaction;
  /// empty when the transaction goes on.
  std::string aborted_transaction_code;
  std::string commit_after_error;  // a fragment of COMMIT's message after a failed statement
  std::string unknown_column;      // a fragment of query()'s error for an unknown column
  std::vector<ConflictCase> conflicts;
  std::optional<ExpectedError> deadlock;  // none: two transactions cannot deadlock
  Isolation deadlock_level = Isolation::serializable;
  std::string no_deadlock_reason;  // why, when deadlock is none
  std::string
      lock_wait_option;  // URL option making lock waits short; "" when limit_lock_waits does
  ExpectedError lock_timeout;
  /// What each error does to the open transaction (Session::effect_of): a
  /// duplicate key, `lock_timeout`, the serialization failure of `conflicts`,
  /// `deadlock`.
  TransactionEffect duplicate_key_effect = TransactionEffect::transaction_rolled_back;
  TransactionEffect lock_timeout_effect = TransactionEffect::transaction_rolled_back;
  TransactionEffect conflict_effect = TransactionEffect::transaction_rolled_back;
  TransactionEffect deadlock_effect = TransactionEffect::transaction_rolled_back;
  /// Ends the connection whose backend_id() is `id` from `admin`; unset when
  /// the backend has no server connection.
  std::function<void(Session& admin, const std::string& id)> kill;
  std::string connection_code;  // regex the code of a broken connection matches
  std::string version;          // regex server_version() contains
  /// Ends the connection whose backend_id() is `id` through the driver
  /// (Session::kill_session from `admin`); unset when there is none to end.
  bool kills_sessions = true;
  std::string unreachable_url;  // a URL with password "topsecret" that cannot connect
  std::vector<std::string> unreachable_fragments;  // in its DatabaseError
};

/// Shows a backend by its name in gtest's messages.
inline void PrintTo(const Backend& backend, std::ostream* out) {
  *out << backend.name;
}

/// `url` with query option `option` appended ("" leaves it).
inline std::string with_option(const std::string& url, const std::string& option) {
  if (option.empty()) return url;
  return url + (url.find('?') == std::string::npos ? '?' : '&') + option;
}

/// `level` as words: read_committed is "read committed", or "READ COMMITTED" when `upper`.
inline std::string words(Isolation level, bool upper) {
  std::string text(to_string(level));
  for (char& c : text) {
    if (c == '_') c = ' ';
    if (upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

#if defined(CLOBBER_CONTRACT_SQLITE)
/// A fresh temporary SQLite file per driver.
inline Backend the_backend() {
  Backend b;
  b.name = "sqlite";
  b.kind = DatabaseKind::sqlite;
  b.make_driver = [](const std::string& option) {
    DatabaseUrl url = temporary_sqlite_url();
    if (!option.empty()) {
      url = parse_database_url(with_option(url.text, option));
      url.temporary = true;
    }
    return make_driver(url);
  };
  b.placeholder = [](int n) { return "?" + std::to_string(n); };
  b.row_locks = false;
  b.levels = {Isolation::serializable};
  b.unsupported_isolation = [](Isolation level) -> std::optional<std::string> {
    if (level == Isolation::none || level == Isolation::serializable) return std::nullopt;
    return "always serializable";
  };
  b.unsupported_locking = [](Locking mode) -> std::optional<std::string> {
    if (mode == Locking::for_update || mode == Locking::for_share) return "no row locks";
    if (mode == Locking::advisory) return "advisory";
    return std::nullopt;
  };
  b.duplicate_key = [](const std::string& table) {
    return ExpectedError{"SQLITE_CONSTRAINT_PRIMARYKEY",
                         "UNIQUE constraint failed: " + table + ".id"};
  };
  b.commit_after_error = "UNIQUE constraint failed";
  b.unknown_column = "no such column: nope";
  b.conflicts = {
      {Isolation::serializable, "", ExpectedError{"SQLITE_BUSY_SNAPSHOT", "database is locked"}}};
  b.no_deadlock_reason =
      "SQLite locks the whole database: two transactions never each hold a row, so they cannot "
      "deadlock (a reader upgrading to a writer gets SQLITE_BUSY at once, sqlite_driver_test.cpp)";
  b.lock_wait_option = "busy_timeout=50";
  b.lock_timeout = {"SQLITE_BUSY", "database is locked"};
  // SQLite undoes the statement and keeps the transaction open
  // (sqlite3_get_autocommit() stays 0); the stale snapshot stays too.
  b.duplicate_key_effect = TransactionEffect::statement_rolled_back;
  b.lock_timeout_effect = TransactionEffect::statement_rolled_back;
  b.conflict_effect = TransactionEffect::statement_rolled_back;
  b.kills_sessions = false;
  b.version = "^3\\.";
  b.unreachable_url = "sqlite:/nonexistent-dir/x/y.db";
  b.unreachable_fragments = {"/nonexistent-dir/x/y.db"};
  return b;
}
#elif defined(CLOBBER_CONTRACT_POSTGRES)
/// The server in CLOBBER_TEST_PG_URL.
inline Backend the_backend() {
  Backend b;
  b.name = "postgres";
  b.kind = DatabaseKind::postgresql;
  b.make_driver = [](const std::string& option) -> std::unique_ptr<Driver> {
    const std::string url = testing::server_url("CLOBBER_TEST_PG_URL");
    if (url.empty()) return nullptr;
    return make_driver(parse_database_url(with_option(url, option)));
  };
  b.placeholder = [](int n) { return "$" + std::to_string(n); };
  b.levels = {Isolation::read_committed, Isolation::repeatable_read, Isolation::serializable};
  b.unsupported_isolation = [](Isolation level) -> std::optional<std::string> {
    if (level == Isolation::read_uncommitted) return "does not relabel";
    return std::nullopt;
  };
  b.unsupported_locking = [](Locking) -> std::optional<std::string> { return std::nullopt; };
  // Asked after a write: an open transaction that wrote has a transaction id.
  b.open_level = [](Session& session) {
    return session
        .query(
            "SELECT CASE WHEN pg_current_xact_id_if_assigned() IS NULL THEN 'none' "
            "ELSE current_setting('transaction_isolation') END")
        .rows.at(0)
        .at(0)
        .value_or("NULL");
  };
  b.level_name = [](Isolation level) { return words(level, false); };
  b.commits_with_statement = true;
  b.duplicate_key = [](const std::string&) {
    return ExpectedError{"23505", "duplicate key value violates unique constraint \"", false};
  };
  b.aborted_transaction_code = "25P02";
  b.commit_after_error = "duplicate key value violates unique constraint";
  b.unknown_column = "column \"nope\" does not exist";
  const ExpectedError concurrent{"40001", "could not serialize access due to concurrent update"};
  b.conflicts = {{Isolation::read_committed, "", std::nullopt},
                 {Isolation::repeatable_read, "", concurrent},
                 {Isolation::serializable, "", concurrent}};
  b.deadlock = ExpectedError{"40P01", "deadlock detected"};
  b.deadlock_level = Isolation::read_committed;
  b.lock_timeout = {"55P03", "canceling statement due to lock timeout"};
  b.kill = [](Session& admin, const std::string& id) {
    EXPECT_EQ(admin.query("SELECT pg_terminate_backend(" + id + ", 5000)").rows.at(0).at(0), "t");
  };
  b.connection_code = "57P01|08006";  // terminated, or the socket closed first
  b.version = "^[0-9]+\\.[0-9]+";
  b.unreachable_url = "postgresql://someone:topsecret@127.0.0.1:1/db";
  b.unreachable_fragments = {"postgresql://someone:***@127.0.0.1:1/db"};
  return b;
}
#elif defined(CLOBBER_CONTRACT_MYSQL)
/// The server in CLOBBER_TEST_MYSQL_URL (MariaDB 10.11).
inline Backend the_backend() {
  Backend b;
  b.name = "mysql";
  b.kind = DatabaseKind::mysql;
  b.make_driver = [](const std::string& option) -> std::unique_ptr<Driver> {
    const std::string url = testing::server_url("CLOBBER_TEST_MYSQL_URL");
    if (url.empty()) return nullptr;
    return make_driver(parse_database_url(with_option(url, option)));
  };
  b.placeholder = [](int) { return std::string("?"); };
  b.table_options = " ENGINE=InnoDB";
  b.update_returning = false;
  b.levels = {Isolation::read_uncommitted, Isolation::read_committed, Isolation::repeatable_read,
              Isolation::serializable};
  b.unsupported_isolation = [](Isolation) -> std::optional<std::string> { return std::nullopt; };
  b.unsupported_locking = [](Locking) -> std::optional<std::string> { return std::nullopt; };
  // InnoDB refreshes information_schema.innodb_trx at most every 100 ms.
  b.open_level = [](Session& session) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    QueryRows rows = session.query(
        "SELECT trx_isolation_level FROM information_schema.innodb_trx "
        "WHERE trx_mysql_thread_id = CONNECTION_ID()");
    return rows.rows.empty() ? std::string("none") : rows.rows.at(0).at(0).value_or("NULL");
  };
  b.level_name = [](Isolation level) { return words(level, true); };
  b.duplicate_key = [](const std::string&) {
    return ExpectedError{"1062", "Duplicate entry '2' for key 'PRIMARY'"};
  };
  b.commit_after_error = "transaction rolled back at COMMIT after: Duplicate entry";
  b.unknown_column = "1054: Unknown column 'nope'";
  b.conflicts = {{Isolation::read_committed, "", std::nullopt},
                 {Isolation::repeatable_read, "", std::nullopt},  // MariaDB's default
                 {Isolation::repeatable_read, "innodb_snapshot_isolation=ON",
                  ExpectedError{"1020", "Record has changed since last read", false}}};
  b.deadlock =
      ExpectedError{"1213", "Deadlock found when trying to get lock; try restarting transaction"};
  b.deadlock_level = Isolation::serializable;
  b.lock_timeout = {"1205", "Lock wait timeout exceeded; try restarting transaction"};
  // InnoDB undoes the statement on a duplicate key and a lock wait timeout
  // (innodb_rollback_on_timeout=OFF, the default), the whole transaction on a
  // deadlock and on 1020.
  b.duplicate_key_effect = TransactionEffect::statement_rolled_back;
  b.lock_timeout_effect = TransactionEffect::statement_rolled_back;
  b.kill = [](Session& admin, const std::string& id) { admin.query("KILL " + id); };
  b.connection_code = "2006|2013|1927";
  b.version = "^10\\.11\\..*MariaDB";
  b.unreachable_url = "mysql://someone:topsecret@127.0.0.1:1/db";
  b.unreachable_fragments = {"mysql://someone:***@127.0.0.1:1/db", "(2002)"};
  return b;
}
#elif defined(CLOBBER_CONTRACT_REDIS)
/// The server in CLOBBER_TEST_REDIS_URL: no SQL, isolation none only.
inline Backend the_backend() {
  Backend b;
  b.name = "redis";
  b.kind = DatabaseKind::redis;
  b.runs_sql = false;
  b.make_driver = [](const std::string& option) -> std::unique_ptr<Driver> {
    const std::string url = testing::server_url("CLOBBER_TEST_REDIS_URL");
    if (url.empty()) return nullptr;
    return make_driver(parse_database_url(with_option(url, option)));
  };
  b.unsupported_isolation = [](Isolation level) -> std::optional<std::string> {
    if (level == Isolation::none) return std::nullopt;
    return "Redis has no isolation levels";
  };
  b.unsupported_locking = [](Locking mode) -> std::optional<std::string> {
    if (mode == Locking::for_update || mode == Locking::for_share) return "no row locks";
    return std::nullopt;
  };
  b.connection_code = "CONNECTION";
  b.version = "^[0-9]+\\.[0-9]+\\.[0-9]+$";
  b.unreachable_url = "redis://someone:topsecret@127.0.0.1:1/0";
  b.unreachable_fragments = {"redis://someone:***@127.0.0.1:1/0"};
  return b;
}
#else
#error \
    "define one of CLOBBER_CONTRACT_SQLITE, CLOBBER_CONTRACT_POSTGRES, CLOBBER_CONTRACT_MYSQL, CLOBBER_CONTRACT_REDIS"
#endif

}  // namespace clobber::contract
