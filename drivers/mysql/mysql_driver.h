// The MySQL/MariaDB driver (MySQL Connector/C++ 1.1, classic cppconn API): one
// connection per session, every isolation level and every locking mode. Tested
// against MariaDB 10.11; the same code serves MySQL 8.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "drivers/driver.h"
#include "drivers/mysql/mysql_dialect.h"

namespace clobber {

/// How a MySQL session connects: the server, the account and the session
/// settings every new connection applies (`SET SESSION name = value`, from the URL).
struct MysqlConnectConfig {
  std::string host;  // as in the URL (an IPv6 address without brackets)
  int port = 3306;
  std::string user;
  std::string password;
  std::string database;
  std::vector<std::string> session_sql;  // one SET SESSION statement per URL option
};

/// A MySQL or MariaDB server named by a mysql:// or mariadb:// URL. Every URL
/// query option but `password` is a session variable set on each connection.
/// Connections count matched (not changed) rows as affected (CLIENT_FOUND_ROWS),
/// never reconnect by themselves, and give up connecting after 10 s.
class MysqlDriver final : public Driver {
 public:
  /// Keeps the URL and builds the session settings; nothing is connected until
  /// connect(). Throws InputError for an option that is not a variable name or
  /// that clobber controls itself (autocommit).
  explicit MysqlDriver(DatabaseUrl url);

  /// Always DatabaseKind::mysql.
  DatabaseKind kind() const override { return DatabaseKind::mysql; }
  /// mysql_traits() (drivers/mysql/mysql_dialect.h).
  DriverTraits traits() const override { return mysql_traits(); }
  /// The URL this driver connects to.
  const DatabaseUrl& url() const override { return url_; }
  /// `SELECT VERSION()`, e.g. "10.11.19-MariaDB-0+deb12u1"; asked once.
  std::string server_version() override;
  /// Opens a new connection with the URL's session settings applied. Throws
  /// DatabaseError when the server cannot be reached or rejects a setting.
  std::unique_ptr<Session> connect() override;
  /// Every isolation level is supported (READ UNCOMMITTED included).
  std::optional<std::string> unsupported_isolation(Isolation level) const override;
  /// Every locking mode is supported (advisory locks are GET_LOCK).
  std::optional<std::string> unsupported_locking(Locking mode) const override;
  /// The URL's session settings, then the server's transaction_isolation and,
  /// on MariaDB, innodb_snapshot_isolation (unless the URL names them); asked once.
  std::vector<std::pair<std::string, std::string>> reported_settings() override;

 private:
  DatabaseUrl url_;
  MysqlConnectConfig config_;
  std::optional<std::string> server_version_;
  std::optional<std::vector<std::pair<std::string, std::string>>> reported_settings_;
};

}  // namespace clobber
