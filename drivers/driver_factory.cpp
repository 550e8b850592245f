#include "drivers/driver.h"
#include "drivers/mysql/mysql_driver.h"
#include "drivers/postgres/postgres_driver.h"
#include "drivers/redis/redis_driver.h"
#include "drivers/secrets.h"
#include "drivers/sqlite/sqlite_driver.h"

namespace clobber {
namespace {

/// The driver for the URL's kind, unwrapped.
std::unique_ptr<Driver> make_plain_driver(const DatabaseUrl& url) {
  switch (url.kind) {
    case DatabaseKind::sqlite:
      return std::make_unique<SqliteDriver>(url);
    case DatabaseKind::postgresql:
      return std::make_unique<PostgresDriver>(url);
    case DatabaseKind::mysql:
      return std::make_unique<MysqlDriver>(url);
    case DatabaseKind::redis:
      return std::make_unique<RedisDriver>(url);
  }
  throw InputError("unknown database kind in URL '" + url.masked + "'");
}

}  // namespace

std::unique_ptr<Driver> make_driver(const DatabaseUrl& url) {
  std::unique_ptr<Driver> driver;
  try {
    driver = make_plain_driver(url);
  } catch (const InputError& error) {
    throw InputError(error.where(), scrub_secrets(error.message(), url.secrets));
  } catch (const DatabaseError& error) {
    throw DatabaseError(scrub_secrets(error.what(), url.secrets));
  }
  return scrub_driver_messages(std::move(driver));
}

}  // namespace clobber
