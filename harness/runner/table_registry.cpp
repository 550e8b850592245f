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

/// gethostname(), as the SQLite driver compares it (drivers/sqlite/sqlite_driver.cpp).
std::string host_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "unknown";
  return host;
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
  session_->registry_create();
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
  session_->registry_add(RegisteredTable{table, owner_, utc_now()});
}

void TableRegistry::created(const std::string& table) {
  std::lock_guard lock(mutex_);
  for (Entry& entry : tables_)
    if (entry.name == table) entry.created = true;
}

void TableRegistry::remove(const std::string& table) {
  session_->registry_remove(table);
  std::lock_guard lock(mutex_);
  std::erase_if(tables_, [&table](const Entry& entry) { return entry.name == table; });
}

CleanReport TableRegistry::clean_dead_runs() {
  return clobber::clean_dead_runs(*session_, false, &owner_);
}

CleanReport clean_dead_runs(Session& session, bool dry_run, const RunOwner* self) {
  CleanReport report;
  const std::vector<RegisteredTable> entries = session.registry_entries();
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
            if (!dry_run) session.registry_remove(entry.table);
            report.forgotten.push_back(entry);
            continue;
          }
          if (!dry_run) {
            session.drop_table(entry.table);
            session.registry_remove(entry.table);
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
            session->drop_table(table->name);
          } else if (!table->created) {
            continue;  // its CREATE may be in flight: the row stays for a later run
          }
          session->registry_remove(table->name);
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
