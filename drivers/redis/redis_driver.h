// Redis over hiredis: the fourth backend, and the one that runs no SQL. A row
// of table T with key k is the hash `T:k` holding its columns and the hidden
// fields of drivers/operation.h; the set `T:keys` lists a table's keys and the
// hash `T:table` says it exists. Typed operations become commands and Lua
// scripts (drivers/redis/redis_lua.h); docs/redis.md describes the layout, what
// each locking mode runs, the URL options and the run lock.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "drivers/driver.h"

namespace clobber {

/// What a redis:// URL's options set (docs/redis.md, "URL").
struct RedisOptions {
  /// How long an advisory lock (SET NX PX) lives unless released: `lock_ttl`.
  std::chrono::milliseconds lock_ttl{5000};
  /// How long LockKey keeps trying before it reports the lock not granted: `lock_wait`.
  std::chrono::milliseconds lock_wait{10000};
};

/// Reads the options of a redis:// URL; throws InputError (bad_database_url)
/// for an unknown option or a bad duration.
RedisOptions parse_redis_options(const DatabaseUrl& url);

/// A Redis server at a redis:// URL (drivers/url.h).
class RedisDriver final : public Driver {
 public:
  /// Checks the URL's options; throws InputError. Connects to nothing yet.
  explicit RedisDriver(DatabaseUrl url);
  DatabaseKind kind() const override { return DatabaseKind::redis; }
  /// runs_sql false; every write returns the writer it replaced; locks are
  /// released after the transaction (ReleaseLocks).
  DriverTraits traits() const override;
  const DatabaseUrl& url() const override { return url_; }
  /// redis_version of INFO server, e.g. "7.0.15".
  std::string server_version() override;
  std::unique_ptr<Session> connect() override;
  /// Only Isolation::none: Redis has no isolation levels.
  std::optional<std::string> unsupported_isolation(Isolation level) const override;
  /// for_update and for_share: Redis has no row locks.
  std::optional<std::string> unsupported_locking(Locking mode) const override;
  /// advisory: a lock that expires while its holder still writes protects nothing.
  std::vector<std::string> cell_notes(Isolation level, Locking mode) const override;
  /// lock_ttl and lock_wait, as given or by default.
  std::vector<std::pair<std::string, std::string>> reported_settings() override;

 private:
  DatabaseUrl url_;
  RedisOptions options_;
};

}  // namespace clobber
