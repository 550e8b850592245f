// Vocabulary shared by every subsystem: isolation levels, locking modes, abort
// causes, database kinds, and their names as they appear in YAML, flags and JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clobber {

/// Transaction isolation level a cell runs at; `none` means autocommit per statement.
enum class Isolation { none, read_uncommitted, read_committed, repeatable_read, serializable };

/// How a transaction protects its read-modify-write cycle (README.md, "What each database runs").
enum class Locking {
  none,
  for_update,
  for_share,
  optimistic,
  compare_and_set,
  atomic,
  advisory,
  single_writer
};

/// Why an attempt ended without committing; `none` on success.
enum class AbortCause {
  none,
  serialization,  // SQLSTATE 40001, MariaDB 1020, SQLITE_BUSY_SNAPSHOT
  deadlock,       // 40P01, 1213
  lock_timeout,   // 55P03, 1205, SQLITE_BUSY after the busy timeout
  conflict,       // optimistic or compare-and-set write matched no row
  connection,     // the connection broke (class 08, 2006/2013)
  other           // anything else the server reported
};

/// Database family a URL names.
enum class DatabaseKind { sqlite, postgresql, mysql, redis };

/// Every isolation level, in the order reports list them.
inline constexpr Isolation kAllIsolations[] = {Isolation::none, Isolation::read_uncommitted,
                                               Isolation::read_committed,
                                               Isolation::repeatable_read, Isolation::serializable};

/// Every locking mode, in the order reports list them.
inline constexpr Locking kAllLockings[] = {
    Locking::none,       Locking::for_update,      Locking::for_share,
    Locking::optimistic, Locking::compare_and_set, Locking::atomic,
    Locking::advisory,   Locking::single_writer};

/// Every abort cause except `none`, in the order reports list them.
inline constexpr AbortCause kAllAbortCauses[] = {AbortCause::serialization, AbortCause::deadlock,
                                                 AbortCause::lock_timeout,  AbortCause::conflict,
                                                 AbortCause::connection,    AbortCause::other};

/// Name used in YAML, flags and JSON ("read_committed").
std::string_view to_string(Isolation level);
/// Name used in YAML, flags and JSON ("for_update").
std::string_view to_string(Locking mode);
/// Name used in YAML and JSON ("serialization").
std::string_view to_string(AbortCause cause);
/// Name used in JSON and URLs ("postgresql").
std::string_view to_string(DatabaseKind kind);

/// Parses an isolation level name; nullopt when unknown.
std::optional<Isolation> parse_isolation(std::string_view name);
/// Parses a locking mode name; nullopt when unknown.
std::optional<Locking> parse_locking(std::string_view name);
/// Parses an abort cause name (as used in retry policies); nullopt when unknown.
std::optional<AbortCause> parse_abort_cause(std::string_view name);
/// Parses a database kind name ("postgresql", "mysql", "mariadb", "sqlite", "redis"); nullopt when
/// unknown.
std::optional<DatabaseKind> parse_database_kind(std::string_view name);

}  // namespace clobber
