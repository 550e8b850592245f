#include "drivers/driver.h"
#include "drivers/mysql/mysql_driver.h"
#include "drivers/postgres/postgres_driver.h"
#include "drivers/sqlite/sqlite_driver.h"

namespace clobber {

std::unique_ptr<Driver> make_driver(const DatabaseUrl& url) {
  switch (url.kind) {
    case DatabaseKind::sqlite:
      return std::make_unique<SqliteDriver>(url);
    case DatabaseKind::postgresql:
      return std::make_unique<PostgresDriver>(url);
    case DatabaseKind::mysql:
      return std::make_unique<MysqlDriver>(url);
  }
  throw InputError("unknown database kind in URL '" + url.masked + "'");
}

}  // namespace clobber
