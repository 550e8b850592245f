// Lock wait probes: which of a scenario's sessions are waiting for a lock, as
// the server itself sees it, through a monitor connection of the probe's own.
// One small class per database kind; the scenario runner asks it instead of
// guessing from how long a statement takes.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "harness/scenario/scenario_result.h"

namespace clobber {

/// Backends waiting for a lock, each with the backends it waits for (empty when
/// the probe does not know them).
using LockWaits = std::map<std::string, std::vector<std::string>>;

/// Asks the server which connections wait for a lock another transaction holds.
class LockWaitProbe {
 public:
  virtual ~LockWaitProbe() = default;
  /// How the trace names what this probe saw.
  virtual BlockDetection detection() const = 0;
  /// The ids among `backend_ids` (Session::backend_id()) whose statement waits
  /// for a lock, with the ids of the lock holders they wait for. Throws
  /// DatabaseError when the monitor query fails.
  virtual LockWaits waiting(const std::vector<std::string>& backend_ids) = 0;
  /// True when waiting() names the holders. When false, the server resolves a
  /// wait cycle as soon as it forms, so a wait that lasts is never a deadlock.
  virtual bool knows_holders() const = 0;
  /// Asks the server to cancel the statement running on `backend_id` (cleaning
  /// up a script that got stuck). Throws DatabaseError when it cannot.
  virtual void cancel(const std::string& backend_id) = 0;
  /// The shortest time between two queries that each see fresh data.
  virtual std::chrono::milliseconds min_interval() const = 0;
};

/// The probe for `driver`'s database through a new monitor session: PostgreSQL
/// asks pg_stat_activity (wait_event_type 'Lock') and pg_blocking_pids();
/// MySQL/MariaDB reads the transactions in LOCK WAIT from SHOW ENGINE INNODB
/// STATUS (live, unlike the information_schema.innodb_trx cache). SQLite has no
/// such view and gets nullptr: a scenario's SQLite statement never waits (the
/// runner sets busy_timeout=0), it fails with SQLITE_BUSY at once. Throws
/// DatabaseError when the monitor cannot connect.
std::unique_ptr<LockWaitProbe> make_lock_wait_probe(Driver& driver);

}  // namespace clobber
