#include "drivers/postgres/postgres_dialect.h"

namespace clobber {
namespace {

class PostgresDialect final : public SqlDialect {
 public:
  std::string placeholder(int index) const override { return "$" + std::to_string(index); }
  std::string integer_parameter(int index) const override {
    return "CAST($" + std::to_string(index) + " AS BIGINT)";
  }
  // Held to the end of the transaction; waits as long as lock_timeout allows.
  std::string lock_key_sql(const std::string& name, const std::string& key) const override {
    return "SELECT 1 FROM pg_advisory_xact_lock(hashtextextended('" + name + "' || CAST(" + key +
           " AS BIGINT), 0))";
  }
};

}  // namespace

const SqlDialect& postgres_dialect() {
  static const PostgresDialect dialect;
  return dialect;
}

DriverTraits postgres_traits() {
  return DriverTraits{.name = "postgresql"};
}

}  // namespace clobber
