#include "harness/scenario/lock_wait_probe.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace clobber {
namespace {

/// "1, 2, 3" from numeric ids; throws DatabaseError for anything else, since
/// ids are written into SQL.
std::string id_list(const std::vector<std::string>& ids) {
  std::string list;
  for (const std::string& id : ids) {
    if (id.empty() || !std::all_of(id.begin(), id.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        }))
      throw DatabaseError("bad backend id '" + id + "' for the lock wait probe");
    list += (list.empty() ? "" : ", ") + id;
  }
  return list;
}

/// The value of a column that must not be NULL.
const std::string& value_of(const std::optional<std::string>& value) {
  if (!value) throw DatabaseError("the lock wait probe got NULL where an id belongs");
  return *value;
}

/// PostgreSQL: a backend waits for a heavyweight lock (row, transaction id,
/// relation, advisory) that another backend holds. pg_blocking_pids() is empty
/// as soon as the holder releases it, even before the waiter wakes up and
/// clears its wait_event, so a released statement is never reported waiting.
class PostgresProbe final : public LockWaitProbe {
 public:
  explicit PostgresProbe(std::unique_ptr<Session> monitor) : monitor_(std::move(monitor)) {}

  BlockDetection detection() const override { return BlockDetection::pg_stat_activity; }

  LockWaits waiting(const std::vector<std::string>& backend_ids) override {
    LockWaits waits;
    if (backend_ids.empty()) return waits;
    const QueryRows rows = monitor_->query(
        "SELECT pid, array_to_string(pg_blocking_pids(pid), ',') FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND cardinality(pg_blocking_pids(pid)) > 0 AND pid IN (" +
        id_list(backend_ids) + ")");
    for (const auto& row : rows.rows) {
      std::vector<std::string>& holders = waits[value_of(row.at(0))];
      const std::string& list = value_of(row.at(1));
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

/// MySQL/MariaDB: the connection's InnoDB transaction is in LOCK WAIT (row,
/// gap and table locks; an autocommit statement has a transaction too), as
/// SHOW ENGINE INNODB STATUS lists it. information_schema.innodb_trx has the
/// same state, but the server refreshes that cache only after 100 ms without a
/// reader: two clients polling it (two scenario runs on one server) freeze it.
/// The status is read live. InnoDB grants a released lock to its waiter at
/// once, and detects a deadlock when the wait that closes the cycle begins.
class MysqlProbe final : public LockWaitProbe {
 public:
  explicit MysqlProbe(std::unique_ptr<Session> monitor) : monitor_(std::move(monitor)) {}

  BlockDetection detection() const override { return BlockDetection::innodb_status; }

  bool knows_holders() const override { return false; }

  LockWaits waiting(const std::vector<std::string>& backend_ids) override {
    LockWaits waits;
    if (backend_ids.empty()) return waits;
    const QueryRows rows = monitor_->query("SHOW ENGINE INNODB STATUS");
    if (rows.rows.empty() || rows.rows[0].size() < 3)
      throw DatabaseError("SHOW ENGINE INNODB STATUS returned no status");
    for (const std::string& id : waiting_threads(value_of(rows.rows[0][2])))
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

std::unique_ptr<LockWaitProbe> make_lock_wait_probe(Driver& driver) {
  switch (driver.kind()) {
    case DatabaseKind::postgresql:
      return std::make_unique<PostgresProbe>(driver.connect());
    case DatabaseKind::mysql:
      return std::make_unique<MysqlProbe>(driver.connect());
    default:  // no lock views to probe
      break;
  }
  return nullptr;
}

}  // namespace clobber
