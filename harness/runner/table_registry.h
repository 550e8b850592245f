// The table registry: how clobber knows which tables are its own. Every run
// records each table in the database's registry (kRegistryTable: name, run
// id, host, pid, creation time; Session::registry_add) BEFORE it creates the
// table, and deletes the entry after dropping it. A run proves it is alive by a lock its registry
// session holds for the run's whole life (drivers/driver.h, Session::hold_run_lock), so a later run
// or `clobber clean` drops the tables of runs that died (SIGKILL, a crash, a lost machine) and
// never those of a run still going, nor any table that is not in the registry, whatever its name.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "drivers/driver.h"

namespace clobber {

/// A new run identity: a random id, this host and this process's pid. Each
/// TableRegistry is one run (a process using one database twice at once holds
/// two run locks, which never wait for each other).
RunOwner new_run_owner();

/// What cleaning did.
struct CleanReport {
  std::vector<RegisteredTable> dropped;    // tables of dead runs dropped (or, dry run, to drop)
  std::vector<RegisteredTable> forgotten;  // rows of dead runs whose table did not exist
  std::vector<std::string> failed;         // a table that could not be dropped, and why
  size_t live_tables = 0;                  // tables of runs still alive, left alone
};

/// The registry of one run on one database: a session of its own that holds
/// the run's lock, and the tables registered and not yet dropped. add() and
/// remove() belong to the thread that runs the cells; drop_registered_tables()
/// may read the list from the signal thread.
class TableRegistry {
 public:
  /// Connects to `driver`, creates the registry table when it is missing and
  /// takes this run's lock. Its session reconnects after a loss until
  /// `reconnect_timeout` (harness/runner/reconnect.h) and takes the lock again;
  /// `stop` cuts the wait short. Throws DatabaseError.
  TableRegistry(Driver& driver, std::chrono::microseconds reconnect_timeout,
                const std::atomic<bool>& stop);
  /// Closes the session (releasing the lock); unlists the registry.
  ~TableRegistry();
  TableRegistry(const TableRegistry&) = delete;
  TableRegistry& operator=(const TableRegistry&) = delete;

  /// Records `table` (a clobber_ name) as this run's; call before creating it.
  /// Throws DatabaseError.
  void add(const std::string& table);
  /// Notes that `table` now exists (its CREATE returned).
  void created(const std::string& table);
  /// Forgets `table` once it is dropped. Throws DatabaseError.
  void remove(const std::string& table);
  /// Drops the tables of dead runs (clean_dead_runs on this session).
  CleanReport clean_dead_runs();
  /// The run this registry records tables for.
  const RunOwner& owner() const { return owner_; }

 private:
  friend std::vector<std::string> drop_registered_tables(std::chrono::milliseconds limit);
  Driver& driver_;
  RunOwner owner_;
  std::unique_ptr<Session> session_;
  /// A table registered and not yet removed.
  struct Entry {
    std::string name;
    bool created = false;  // its CREATE returned
  };
  std::mutex mutex_;  // guards tables_
  std::vector<Entry> tables_;
};

/// Drops the tables of every dead run listed in the registry that `session`
/// reaches: only tables that are in the registry AND exist, only of runs whose
/// lock the session can claim; a row whose table does not exist is deleted.
/// `dry_run` changes nothing and reports what would be dropped. `self` (may be
/// null) is the run the session holds the lock of: its tables are live. Never
/// creates the registry. Throws DatabaseError when the registry cannot be read.
CleanReport clean_dead_runs(Session& session, bool dry_run, const RunOwner* self = nullptr);

/// The second Ctrl-C: drops the tables this process's registries still list,
/// over fresh connections, each DROP giving up on a lock after `limit`, and
/// deletes their rows (also of tables the run had created and dropped, whose
/// rows it had not deleted yet). Tables it cannot drop, and rows of tables
/// whose CREATE may still be in flight, stay registered (a later run drops
/// them, this run being dead by then). Returns one line per table that
/// stayed. Safe from the signal thread while the run goes on.
std::vector<std::string> drop_registered_tables(std::chrono::milliseconds limit);

}  // namespace clobber
