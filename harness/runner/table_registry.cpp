#include "harness/runner/table_registry.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>

#include <fmt/format.h>

#include "harness/common/clock.h"
#include "harness/runner/reconnect.h"

namespace clobber {
namespace {

/// Every registry of this process, for the second Ctrl-C. Never destroyed:
/// the signal thread may still use it while the process exits.
struct Registries {
  std::mutex mutex;
  std::vector<TableRegistry*> list;
};
Registries& registries() {
  static Registries* const instance = new Registries;
  return *instance;
}

/// How long the cleaners wait for a lock on a table they drop.
constexpr std::chrono::seconds kDropLockWait{2};

/// Letters, digits and `_` only, 1 to 128 of them.
bool is_word(const std::string& text) {
  return !text.empty() && text.size() <= 128 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

/// A table clobber may create: `clobber_` and a plain identifier, never the registry.
bool is_clobber_table(const std::string& name) {
  return name.starts_with("clobber_") && is_word(name) && name != kRegistryTable;
}

/// `text` as an SQL string literal; callers pass only checked words, hex and
/// host names, so doubling a quote is all the escaping there is.
std::string literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

/// gethostname(), as the SQLite driver compares it (drivers/sqlite/sqlite_driver.cpp).
std::string host_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "unknown";
  return host;
}

void create_registry(Session& session) {
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

void delete_row(Session& session, const std::string& table) {
  session.query(
      fmt::format("DELETE FROM {} WHERE table_name = {}", kRegistryTable, literal(table)));
}

}  // namespace

RunOwner new_run_owner() {
  std::random_device device;
  const uint64_t id = (static_cast<uint64_t>(device()) << 32) | device();
  return RunOwner{fmt::format("{:016x}", id), host_name(), static_cast<int64_t>(getpid())};
}

TableRegistry::TableRegistry(Driver& driver, std::chrono::microseconds reconnect_timeout,
                             const std::atomic<bool>& stop)
    : driver_(driver), owner_(new_run_owner()) {
  // A lost registry connection loses the run's lock with it: the new one takes
  // it again (between the two, a cleaner could count this run as dead).
  auto session = std::make_unique<ResilientSession>(driver.connect(), reconnect_timeout, stop);
  session->on_reconnect([owner = owner_](Session& fresh) {
    fresh.hold_run_lock(owner);
    fresh.limit_lock_waits(kDropLockWait);
  });
  session_ = std::move(session);
  session_->hold_run_lock(owner_);
  create_registry(*session_);
  session_->limit_lock_waits(kDropLockWait);
  std::lock_guard lock(registries().mutex);
  registries().list.push_back(this);
}

TableRegistry::~TableRegistry() {
  std::vector<TableRegistry*>& list = registries().list;
  std::lock_guard lock(registries().mutex);
  list.erase(std::find(list.begin(), list.end(), this));
}

void TableRegistry::add(const std::string& table) {
  if (!is_clobber_table(table))
    throw DatabaseError("cannot register table '" + table + "': not a clobber_ name");
  {
    std::lock_guard lock(mutex_);
    tables_.push_back(Entry{table, false});
  }
  const RunOwner& owner = owner_;
  try {
    session_->query(fmt::format(
        "INSERT INTO {} (table_name, run_id, host, pid, created_at) VALUES ({}, {}, {}, {}, {})",
        kRegistryTable, literal(table), literal(owner.run_id), literal(owner.host), owner.pid,
        literal(utc_now())));
  } catch (const DatabaseError&) {
    // Sent again after a lost connection, the INSERT finds the row it had
    // already written: that row is this run's, which is all add() asks.
    const QueryRows rows = session_->query(
        fmt::format("SELECT run_id FROM {} WHERE table_name = {}", kRegistryTable, literal(table)));
    if (rows.rows.size() != 1 || rows.rows[0].empty() || rows.rows[0][0] != owner.run_id) throw;
  }
}

void TableRegistry::created(const std::string& table) {
  std::lock_guard lock(mutex_);
  for (Entry& entry : tables_)
    if (entry.name == table) entry.created = true;
}

void TableRegistry::remove(const std::string& table) {
  delete_row(*session_, table);
  std::lock_guard lock(mutex_);
  std::erase_if(tables_, [&table](const Entry& entry) { return entry.name == table; });
}

CleanReport TableRegistry::clean_dead_runs() {
  return clobber::clean_dead_runs(*session_, false, &owner_);
}

CleanReport clean_dead_runs(Session& session, bool dry_run, const RunOwner* self) {
  CleanReport report;
  if (!session.table_exists(kRegistryTable)) return report;
  const QueryRows rows = session.query(
      fmt::format("SELECT table_name, run_id, host, pid, created_at FROM {} ORDER BY run_id, "
                  "table_name",
                  kRegistryTable));
  std::vector<RegisteredTable> entries;
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
  for (size_t first = 0; first < entries.size();) {
    size_t end = first;
    while (end < entries.size() && entries[end].owner.run_id == entries[first].owner.run_id) ++end;
    const RunOwner& owner = entries[first].owner;
    const bool valid = owner.run_id.size() == 16 &&
                       std::all_of(owner.run_id.begin(), owner.run_id.end(), [](char c) {
                         return std::isxdigit(static_cast<unsigned char>(c));
                       });
    if (!valid) {
      for (size_t i = first; i < end; ++i)
        report.failed.push_back(entries[i].table + ": registry row has a bad run id '" +
                                owner.run_id + "'");
    } else if ((self && owner.run_id == self->run_id) || !session.claim_run_lock(owner)) {
      report.live_tables += end - first;
    } else {
      for (size_t i = first; i < end; ++i) {
        const RegisteredTable& entry = entries[i];
        if (!is_clobber_table(entry.table)) {
          report.failed.push_back(entry.table + ": not a clobber_ table name, left alone");
          continue;
        }
        try {
          if (!session.table_exists(entry.table)) {
            if (!dry_run) delete_row(session, entry.table);
            report.forgotten.push_back(entry);
            continue;
          }
          if (!dry_run) {
            session.query("DROP TABLE IF EXISTS " + entry.table);
            delete_row(session, entry.table);
          }
          report.dropped.push_back(entry);
        } catch (const DatabaseError& error) {
          report.failed.push_back(entry.table + ": " + error.what());
        }
      }
      session.release_run_lock(owner);
    }
    first = end;
  }
  return report;
}

std::vector<std::string> drop_registered_tables(std::chrono::milliseconds limit) {
  std::vector<std::string> left;
  std::lock_guard registries_lock(registries().mutex);
  for (TableRegistry* registry : registries().list) {
    std::vector<TableRegistry::Entry> tables;
    {
      std::lock_guard lock(registry->mutex_);
      tables = registry->tables_;
    }
    const DatabaseUrl& url = registry->driver_.url();
    if (url.temporary) {  // clobber's own file: no one else reads it
      for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        std::remove((url.database + suffix).c_str());
      continue;
    }
    if (tables.empty()) continue;
    try {
      std::unique_ptr<Session> session = registry->driver_.connect();
      session->limit_lock_waits(limit);
      for (auto table = tables.rbegin(); table != tables.rend(); ++table) {
        try {
          if (session->table_exists(table->name)) {
            session->query("DROP TABLE IF EXISTS " + table->name);
          } else if (!table->created) {
            continue;  // its CREATE may be in flight: the row stays for a later run
          }
          delete_row(*session, table->name);
        } catch (const DatabaseError& error) {
          left.push_back(table->name + ": " + error.what());
        }
      }
    } catch (const DatabaseError& error) {
      for (const auto& table : tables) left.push_back(table.name + ": " + error.what());
    }
  }
  return left;
}

}  // namespace clobber
