#include "drivers/sqlite/sqlite_dialect.h"

namespace clobber {
namespace {

class SqliteDialect final : public SqlDialect {
 public:
  std::string placeholder(int index) const override { return "?" + std::to_string(index); }
  std::string_view integer_type() const override { return "INTEGER"; }
  std::string_view least() const override { return "MIN"; }
  std::string_view greatest() const override { return "MAX"; }
};

}  // namespace

const SqlDialect& sqlite_dialect() {
  static const SqliteDialect dialect;
  return dialect;
}

DriverTraits sqlite_traits() {
  return DriverTraits{.name = "sqlite"};
}

}  // namespace clobber
