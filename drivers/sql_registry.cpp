#include "drivers/sql_registry.h"

#include <cstdlib>

#include <fmt/format.h>

namespace clobber {
namespace {

/// `text` as an SQL string literal; callers pass only checked words, hex and
/// host names, so doubling a quote is all the escaping there is.
std::string literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

void sql_registry_create(Session& session) {
  try {
    session.query(
        fmt::format("CREATE TABLE IF NOT EXISTS {} (table_name VARCHAR(128) NOT NULL PRIMARY KEY, "
                    "run_id VARCHAR(32) NOT NULL, host VARCHAR(255) NOT NULL, pid BIGINT NOT NULL, "
                    "created_at VARCHAR(32) NOT NULL)",
                    kRegistryTable));
  } catch (const DatabaseError&) {
    // Two runs creating it at once: PostgreSQL lets one of them fail.
    if (!session.table_exists(kRegistryTable)) throw;
  }
}

void sql_registry_add(Session& session, const RegisteredTable& entry) {
  const RunOwner& owner = entry.owner;
  try {
    session.query(fmt::format(
        "INSERT INTO {} (table_name, run_id, host, pid, created_at) VALUES ({}, {}, {}, {}, {})",
        kRegistryTable, literal(entry.table), literal(owner.run_id), literal(owner.host), owner.pid,
        literal(entry.created_at)));
  } catch (const DatabaseError&) {
    // Sent again after a lost connection, the INSERT finds the row it had
    // already written: that row is this run's, which is all add() asks.
    const QueryRows rows = session.query(fmt::format("SELECT run_id FROM {} WHERE table_name = {}",
                                                     kRegistryTable, literal(entry.table)));
    if (rows.rows.size() != 1 || rows.rows[0].empty() || rows.rows[0][0] != owner.run_id) throw;
  }
}

void sql_registry_remove(Session& session, const std::string& table) {
  session.query(
      fmt::format("DELETE FROM {} WHERE table_name = {}", kRegistryTable, literal(table)));
}

std::vector<RegisteredTable> sql_registry_entries(Session& session) {
  std::vector<RegisteredTable> entries;
  if (!session.table_exists(kRegistryTable)) return entries;
  const QueryRows rows = session.query(
      fmt::format("SELECT table_name, run_id, host, pid, created_at FROM {} ORDER BY run_id, "
                  "table_name",
                  kRegistryTable));
  for (const auto& row : rows.rows) {
    if (row.size() != 5 || !row[0] || !row[1] || !row[2] || !row[3] || !row[4]) continue;
    RegisteredTable entry;
    entry.table = *row[0];
    entry.owner.run_id = *row[1];
    entry.owner.host = *row[2];
    entry.owner.pid = std::atoll(row[3]->c_str());
    entry.created_at = *row[4];
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace clobber
