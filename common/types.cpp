#include "common/types.h"

namespace clobber {

std::string_view to_string(Isolation level) {
  switch (level) {
    case Isolation::none:
      return "none";
    case Isolation::read_uncommitted:
      return "read_uncommitted";
    case Isolation::read_committed:
      return "read_committed";
    case Isolation::repeatable_read:
      return "repeatable_read";
    case Isolation::serializable:
      return "serializable";
  }
  return "?";
}

std::string_view to_string(Locking mode) {
  switch (mode) {
    case Locking::none:
      return "none";
    case Locking::for_update:
      return "for_update";
    case Locking::for_share:
      return "for_share";
    case Locking::optimistic:
      return "optimistic";
    case Locking::compare_and_set:
      return "compare_and_set";
    case Locking::atomic:
      return "atomic";
    case Locking::advisory:
      return "advisory";
    case Locking::single_writer:
      return "single_writer";
  }
  return "?";
}

std::string_view to_string(AbortCause cause) {
  switch (cause) {
    case AbortCause::none:
      return "none";
    case AbortCause::serialization:
      return "serialization";
    case AbortCause::deadlock:
      return "deadlock";
    case AbortCause::lock_timeout:
      return "lock_timeout";
    case AbortCause::conflict:
      return "conflict";
    case AbortCause::connection:
      return "connection";
    case AbortCause::other:
      return "other";
  }
  return "?";
}

std::string_view to_string(DatabaseKind kind) {
  switch (kind) {
    case DatabaseKind::sqlite:
      return "sqlite";
    case DatabaseKind::postgresql:
      return "postgresql";
    case DatabaseKind::mysql:
      return "mysql";
    case DatabaseKind::redis:
      return "redis";
  }
  return "?";
}

std::optional<Isolation> parse_isolation(std::string_view name) {
  for (Isolation level : kAllIsolations)
    if (to_string(level) == name) return level;
  return std::nullopt;
}

std::optional<Locking> parse_locking(std::string_view name) {
  for (Locking mode : kAllLockings)
    if (to_string(mode) == name) return mode;
  return std::nullopt;
}

std::optional<AbortCause> parse_abort_cause(std::string_view name) {
  for (AbortCause cause : kAllAbortCauses)
    if (to_string(cause) == name) return cause;
  return std::nullopt;
}

std::optional<DatabaseKind> parse_database_kind(std::string_view name) {
  if (name == "sqlite") return DatabaseKind::sqlite;
  if (name == "postgresql" || name == "postgres") return DatabaseKind::postgresql;
  if (name == "mysql" || name == "mariadb") return DatabaseKind::mysql;
  if (name == "redis") return DatabaseKind::redis;
  return std::nullopt;
}

}  // namespace clobber
