#include "harness/plan/dialect.h"

namespace clobber {

std::string Dialect::placeholder(int index) const {
  switch (kind_) {
    case DatabaseKind::postgresql:
      return "$" + std::to_string(index);
    case DatabaseKind::sqlite:
      return "?" + std::to_string(index);
    case DatabaseKind::mysql:
      return "?";
  }
  return "?";
}

std::string_view Dialect::integer_type() const {
  return kind_ == DatabaseKind::sqlite ? "INTEGER" : "BIGINT";
}

std::string_view Dialect::text_type() const {
  return kind_ == DatabaseKind::mysql ? "VARCHAR(255)" : "TEXT";
}

std::string_view Dialect::lock_suffix(Locking mode) const {
  if (mode == Locking::for_update) return " FOR UPDATE";
  if (mode == Locking::for_share)
    return kind_ == DatabaseKind::mysql ? " LOCK IN SHARE MODE" : " FOR SHARE";
  return "";
}

std::string Dialect::quote_string(std::string_view text) const {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    if (c == '\\' && kind_ == DatabaseKind::mysql) quoted += '\\';
    quoted += c;
  }
  quoted += '\'';
  return quoted;
}

}  // namespace clobber
