// PostgreSQL's lock wait probe (drivers/lock_wait_probe.h).
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "drivers/postgres/postgres_driver.h"

namespace clobber {
namespace {

/// A backend waits for a heavyweight lock (row, transaction id, relation,
/// advisory) that another backend holds, or, in a SERIALIZABLE READ ONLY
/// DEFERRABLE transaction, for a safe snapshot until the serializable
/// read-write transactions that may make it unsafe end (as PostgreSQL's own
/// isolation tester, src/test/isolation, checks both). pg_blocking_pids() and
/// pg_safe_snapshot_blocking_pids() are empty as soon as the holder ends, even
/// before the waiter wakes up and clears its wait_event, so a released
/// statement is never reported waiting.
class PostgresLockWaitProbe final : public LockWaitProbe {
 public:
  explicit PostgresLockWaitProbe(std::unique_ptr<Session> monitor) : monitor_(std::move(monitor)) {}

  BlockDetection detection() const override { return BlockDetection::pg_stat_activity; }

  LockWaits waiting(const std::vector<std::string>& backend_ids) override {
    LockWaits waits;
    if (backend_ids.empty()) return waits;
    // A safe-snapshot wait is wait_event_type 'IPC' (SafeSnapshot), so the
    // second function is asked of every listed backend; it is empty for one
    // that does not wait for a safe snapshot.
    const QueryRows rows = monitor_->query(
        "SELECT pid, array_to_string(holders, ',') FROM (SELECT pid, CASE WHEN "
        "wait_event_type = 'Lock' THEN pg_blocking_pids(pid) ELSE "
        "pg_safe_snapshot_blocking_pids(pid) END AS holders FROM pg_stat_activity WHERE pid IN (" +
        id_list(backend_ids) + ")) AS waits WHERE cardinality(holders) > 0");
    for (const auto& row : rows.rows) {
      std::vector<std::string>& holders = waits[not_null(row.at(0))];
      const std::string& list = not_null(row.at(1));
      for (size_t start = 0; start < list.size();) {
        const size_t end = std::min(list.find(',', start), list.size());
        holders.push_back(list.substr(start, end - start));
        start = end + 1;
      }
    }
    return waits;
  }

  void cancel(const std::string& backend_id) override {
    monitor_->query("SELECT pg_cancel_backend(" + id_list({backend_id}) + ")");
  }

  std::chrono::milliseconds min_interval() const override { return std::chrono::milliseconds(2); }

  bool knows_holders() const override { return true; }

 private:
  std::unique_ptr<Session> monitor_;
};

}  // namespace

std::unique_ptr<LockWaitProbe> PostgresDriver::make_lock_wait_probe() {
  return std::make_unique<PostgresLockWaitProbe>(connect());
}

}  // namespace clobber
