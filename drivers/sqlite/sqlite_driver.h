// The embedded SQLite driver: one database file in WAL mode, one connection per
// session. SQLite transactions are always serializable and it has no row or
// advisory locks; cells that need them are reported as unsupported.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "drivers/driver.h"
#include "drivers/sqlite/sqlite_dialect.h"

namespace clobber {

/// A SQLite database file named by a sqlite:PATH URL (option: ?busy_timeout=MS).
class SqliteDriver final : public Driver {
 public:
  /// Checks the URL options and switches the file to WAL mode. Throws InputError
  /// for a bad option, DatabaseError when the file cannot be opened.
  explicit SqliteDriver(DatabaseUrl url);
  /// Removes the database file and its -wal/-shm when the URL is temporary.
  /// Every session must be destroyed first.
  ~SqliteDriver() override;

  /// Always DatabaseKind::sqlite.
  DatabaseKind kind() const override { return DatabaseKind::sqlite; }
  /// sqlite_traits() (drivers/sqlite/sqlite_dialect.h).
  DriverTraits traits() const override { return sqlite_traits(); }
  /// The URL this driver opens.
  const DatabaseUrl& url() const override { return url_; }
  /// The SQLite library version, e.g. "3.40.1".
  std::string server_version() override;
  /// Opens a new connection to the file with the busy timeout set.
  std::unique_ptr<Session> connect() override;
  /// Only `none` and `serializable` are supported.
  std::optional<std::string> unsupported_isolation(Isolation level) const override;
  /// for_update, for_share and advisory are unsupported.
  std::optional<std::string> unsupported_locking(Locking mode) const override;

 private:
  DatabaseUrl url_;
  int busy_timeout_ms_ = 5000;
};

}  // namespace clobber
