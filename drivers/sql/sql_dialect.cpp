#include "drivers/sql/sql_dialect.h"

namespace clobber {

std::string_view SqlDialect::lock_clause(Locking mode) const {
  if (mode == Locking::for_update) return " FOR UPDATE";
  if (mode == Locking::for_share) return " FOR SHARE";
  return "";
}

std::string SqlDialect::quote_string(std::string_view text) const {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  quoted += '\'';
  return quoted;
}

std::string SqlDialect::lock_key_sql(const std::string&, const std::string&) const {
  return "";
}

}  // namespace clobber
