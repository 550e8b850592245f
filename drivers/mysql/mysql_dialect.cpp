#include "drivers/mysql/mysql_dialect.h"

namespace clobber {
namespace {

/// How long GET_LOCK waits before the attempt aborts as a lock timeout.
constexpr int kNamedLockTimeoutSeconds = 10;

class MysqlDialect final : public SqlDialect {
 public:
  std::string placeholder(int) const override { return "?"; }
  bool positional_placeholders() const override { return true; }
  std::string_view text_type() const override { return "VARCHAR(255)"; }
  std::string_view table_options() const override { return " ENGINE=InnoDB"; }
  std::string_view lock_clause(Locking mode) const override {
    return mode == Locking::for_share ? " LOCK IN SHARE MODE" : SqlDialect::lock_clause(mode);
  }
  bool update_returning() const override { return false; }
  std::string quote_string(std::string_view text) const override {
    std::string quoted = "'";
    for (char c : text) {
      if (c == '\'' || c == '\\') quoted += c;
      quoted += c;
    }
    quoted += '\'';
    return quoted;
  }
  std::string_view integer_division() const override { return " DIV "; }
  std::string lock_key_sql(const std::string& name, const std::string& key) const override {
    return "SELECT GET_LOCK(CONCAT('" + name + "', " + key + "), " +
           std::to_string(kNamedLockTimeoutSeconds) + ")";
  }
  std::string release_locks_sql() const override { return "SELECT RELEASE_ALL_LOCKS()"; }
};

}  // namespace

const SqlDialect& mysql_dialect() {
  static const MysqlDialect dialect;
  return dialect;
}

DriverTraits mysql_traits() {
  return DriverTraits{.name = "mysql",
                      .runs_sql = true,
                      .plain_writes_return_versions = false,
                      .locks_outlive_transaction = true};
}

}  // namespace clobber
