// SQL spelling per database family: placeholders, types, lock clauses, quoting.
// Pure and server-free, so the SQL clobber generates can be unit-tested.
#pragma once

#include <string>
#include <string_view>

#include "common/types.h"

namespace clobber {

/// What differs between the SQL of PostgreSQL, MySQL/MariaDB and SQLite.
class Dialect {
 public:
  /// The dialect of one database family.
  explicit Dialect(DatabaseKind kind) : kind_(kind) {}
  /// Which family.
  DatabaseKind kind() const { return kind_; }
  /// The index-th (1-based) statement parameter: $1, ?1 or ?.
  std::string placeholder(int index) const;
  /// Column type for 64-bit integers.
  std::string_view integer_type() const;
  /// Column type for texts.
  std::string_view text_type() const;
  /// Suffix of a locking SELECT (" FOR UPDATE", " LOCK IN SHARE MODE"); empty for other modes.
  std::string_view lock_suffix(Locking mode) const;
  /// True when UPDATE ... RETURNING is available.
  bool update_returning() const { return kind_ != DatabaseKind::mysql; }
  /// A string literal with the family's escaping.
  std::string quote_string(std::string_view text) const;
  /// Integer division operator (MySQL's `/` is decimal division).
  std::string_view integer_division() const {
    return kind_ == DatabaseKind::mysql ? " DIV " : " / ";
  }
  /// Scalar minimum / maximum function names.
  std::string_view least() const { return kind_ == DatabaseKind::sqlite ? "MIN" : "LEAST"; }
  std::string_view greatest() const { return kind_ == DatabaseKind::sqlite ? "MAX" : "GREATEST"; }

 private:
  DatabaseKind kind_;
};

}  // namespace clobber
