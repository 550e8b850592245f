// How one SQL database spells what clobber asks of it: placeholders, types,
// lock clauses, named locks, integer arithmetic. Each SQL driver owns one
// (drivers/postgres/postgres_dialect.h, ...); drivers/sql/sql_lowering.h turns
// typed operations into SQL with it. Pure and server-free, so the SQL a driver
// sends can be unit-tested.
#pragma once

#include <string>
#include <string_view>

#include "common/types.h"

namespace clobber {

/// The spelling of one SQL database family.
class SqlDialect {
 public:
  virtual ~SqlDialect() = default;
  /// The index-th (1-based) statement parameter: $1, ?1 or ?.
  virtual std::string placeholder(int index) const = 0;
  /// True when placeholders are positional (`?`): parameters must then appear
  /// in the text in their own order.
  virtual bool positional_placeholders() const { return false; }
  /// The index-th parameter where the server must take it as a 64-bit integer
  /// in arithmetic (PostgreSQL infers no type for `$1 + c` otherwise).
  virtual std::string integer_parameter(int index) const { return placeholder(index); }
  /// Column type for 64-bit integers.
  virtual std::string_view integer_type() const { return "BIGINT"; }
  /// Column type for texts.
  virtual std::string_view text_type() const { return "TEXT"; }
  /// What follows CREATE TABLE's column list (" ENGINE=InnoDB"), or nothing.
  virtual std::string_view table_options() const { return ""; }
  /// Suffix of a locking SELECT (" FOR UPDATE", " LOCK IN SHARE MODE"); empty for other modes.
  virtual std::string_view lock_clause(Locking mode) const;
  /// True when UPDATE ... RETURNING is available.
  virtual bool update_returning() const { return true; }
  /// A string literal with the family's escaping.
  virtual std::string quote_string(std::string_view text) const;
  /// Integer division operator, spaces around it (MySQL's `/` is decimal division).
  virtual std::string_view integer_division() const { return " / "; }
  /// Scalar minimum function name.
  virtual std::string_view least() const { return "LEAST"; }
  /// Scalar maximum function name.
  virtual std::string_view greatest() const { return "GREATEST"; }
  /// A query taking the named lock `name` || the key (parameter `key`) that
  /// returns one row, 1 when granted and 0 when not in time; empty when the
  /// database has no named locks.
  virtual std::string lock_key_sql(const std::string& name, const std::string& key) const;
  /// A statement releasing every named lock the session holds; empty when
  /// named locks end with the transaction.
  virtual std::string release_locks_sql() const { return ""; }
};

}  // namespace clobber
