// Lock wait probes: which of a set of sessions are waiting for another
// transaction, as the server itself sees it, through a monitor connection of
// the probe's own. Each driver that has such a view makes its probe
// (Driver::make_lock_wait_probe); `clobber scenario` asks it instead of
// guessing from how long a statement takes (docs/architecture.md, "Thread rules").
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clobber {

/// How a statement was found to be blocked.
enum class BlockDetection {
  none,
  pg_stat_activity,  // PostgreSQL: its backend waits for a lock or a safe snapshot
  innodb_status,     // MySQL/MariaDB: its transaction is in LOCK WAIT (SHOW ENGINE INNODB STATUS)
  timeout,           // no server view said so: it had not returned after the block timeout
};

/// Every way of detecting a block, in declaration order.
inline constexpr BlockDetection kAllBlockDetections[] = {
    BlockDetection::none, BlockDetection::pg_stat_activity, BlockDetection::innodb_status,
    BlockDetection::timeout};

/// Name used in JSON and the trace ("pg_stat_activity", "innodb_status", "timeout").
std::string_view to_string(BlockDetection detection);

/// Backends waiting, each with the backends it waits for (empty when the probe
/// does not know them).
using LockWaits = std::map<std::string, std::vector<std::string>>;

/// Asks the server which connections wait for a lock another transaction holds.
/// Used by one thread at a time (the scenario runner's).
class LockWaitProbe {
 public:
  virtual ~LockWaitProbe() = default;
  /// How the trace names what this probe saw.
  virtual BlockDetection detection() const = 0;
  /// The ids among `backend_ids` (Session::backend_id()) whose statement waits
  /// for another transaction, with the ids of those it waits for. Throws
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

 protected:
  /// "1, 2, 3" from numeric ids; throws DatabaseError for anything else, since
  /// ids are written into SQL.
  static std::string id_list(const std::vector<std::string>& ids);
  /// The value of a column that must not be NULL; throws DatabaseError for NULL.
  static const std::string& not_null(const std::optional<std::string>& value);
};

}  // namespace clobber
