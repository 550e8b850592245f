// The PostgreSQL driver (libpqxx 6.4): one libpq connection per session, every
// isolation level but READ UNCOMMITTED (which PostgreSQL runs as READ COMMITTED),
// every locking mode.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "drivers/driver.h"
#include "drivers/postgres/postgres_dialect.h"

namespace clobber {

/// A PostgreSQL server named by a postgresql:// (or postgres://) URL. The fields
/// libpq parsed from it (drivers/url.cpp) go back to libpq as a conninfo string,
/// plus application_name=clobber and connect_timeout=10 unless the URL sets them.
class PostgresDriver final : public Driver {
 public:
  /// Keeps the URL; nothing is connected until connect() or server_version().
  explicit PostgresDriver(DatabaseUrl url);

  /// Always DatabaseKind::postgresql.
  DatabaseKind kind() const override { return DatabaseKind::postgresql; }
  /// postgres_traits() (drivers/postgres/postgres_dialect.h).
  DriverTraits traits() const override { return postgres_traits(); }
  /// The URL this driver connects to.
  const DatabaseUrl& url() const override { return url_; }
  /// `SHOW server_version`, e.g. "15.20 (Debian 15.20-0+deb12u1)"; asked once.
  std::string server_version() override;
  /// Opens a new connection. Throws DatabaseError when the server cannot be reached.
  std::unique_ptr<Session> connect() override;
  /// Only read_uncommitted is unsupported.
  std::optional<std::string> unsupported_isolation(Isolation level) const override;
  /// Every locking mode is supported.
  std::optional<std::string> unsupported_locking(Locking mode) const override;

 private:
  DatabaseUrl url_;
  std::string conninfo_;  // url_'s fields plus clobber's default options
  std::optional<std::string> server_version_;
};

}  // namespace clobber
