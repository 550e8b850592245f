// MySQL/MariaDB's lock wait probe (drivers/lock_wait_probe.h).
#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "drivers/mysql/mysql_driver.h"

namespace clobber {
namespace {

/// The connection's InnoDB transaction is in LOCK WAIT (row, gap and table
/// locks; an autocommit statement has a transaction too), as SHOW ENGINE
/// INNODB STATUS lists it. information_schema.innodb_trx has the same state,
/// but the server refreshes that cache only after 100 ms without a reader: two
/// clients polling it (two scenario runs on one server) freeze it. The status
/// is read live. InnoDB grants a released lock to its waiter at once, and
/// detects a deadlock when the wait that closes the cycle begins.
class MysqlLockWaitProbe final : public LockWaitProbe {
 public:
  explicit MysqlLockWaitProbe(std::unique_ptr<Session> monitor) : monitor_(std::move(monitor)) {}

  BlockDetection detection() const override { return BlockDetection::innodb_status; }

  bool knows_holders() const override { return false; }

  LockWaits waiting(const std::vector<std::string>& backend_ids) override {
    LockWaits waits;
    if (backend_ids.empty()) return waits;
    const QueryRows rows = monitor_->query("SHOW ENGINE INNODB STATUS");
    if (rows.rows.empty() || rows.rows[0].size() < 3)
      throw DatabaseError("SHOW ENGINE INNODB STATUS returned no status");
    for (const std::string& id : waiting_threads(not_null(rows.rows[0][2])))
      if (std::find(backend_ids.begin(), backend_ids.end(), id) != backend_ids.end())
        waits[id] = {};
    return waits;
  }

  void cancel(const std::string& backend_id) override {
    monitor_->query("KILL QUERY " + id_list({backend_id}));
  }

  std::chrono::milliseconds min_interval() const override { return std::chrono::milliseconds(5); }

 private:
  /// The thread ids of the transactions in LOCK WAIT in the status's
  /// "LIST OF TRANSACTIONS FOR EACH SESSION" (each block starts with
  /// "---TRANSACTION"; "LOCK WAIT" and "MySQL thread id N" / "MariaDB thread
  /// id N" lines follow). The deadlock section, which looks alike, comes
  /// before the list and is not read.
  static std::vector<std::string> waiting_threads(const std::string& status) {
    std::vector<std::string> threads;
    const size_t list = status.find("LIST OF TRANSACTIONS FOR EACH SESSION:");
    if (list == std::string::npos) return threads;
    bool waiting = false;
    std::string thread;
    const auto end_block = [&] {
      if (waiting && !thread.empty()) threads.push_back(thread);
      waiting = false;
      thread.clear();
    };
    size_t at = list;
    while (at < status.size()) {
      const size_t end = std::min(status.find('\n', at), status.size());
      const std::string_view line(status.data() + at, end - at);
      at = end + 1;
      if (line == "FILE I/O") break;  // the next section
      if (line.starts_with("---TRANSACTION ")) {
        end_block();
      } else if (line.starts_with("LOCK WAIT")) {
        waiting = true;
      } else if (thread.empty()) {
        constexpr std::string_view kThreadId = " thread id ";
        const size_t found = line.find(kThreadId);
        if (found != std::string_view::npos &&
            (line.starts_with("MySQL") || line.starts_with("MariaDB"))) {
          size_t digits = found + kThreadId.size();
          while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits])))
            thread += line[digits++];
        }
      }
    }
    end_block();
    return threads;
  }

  std::unique_ptr<Session> monitor_;
};

}  // namespace

std::unique_ptr<LockWaitProbe> MysqlDriver::make_lock_wait_probe() {
  return std::make_unique<MysqlLockWaitProbe>(connect());
}

}  // namespace clobber
