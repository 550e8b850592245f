#include "harness/scenario/lock_wait_probe.h"

#include <algorithm>
#include <cctype>

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

 private:
  std::unique_ptr<Session> monitor_;
};

/// MySQL/MariaDB: the connection's InnoDB transaction is in LOCK WAIT (row,
/// gap and table locks; an autocommit statement has a transaction too). InnoDB
/// grants a released lock to its waiter at once, so the state is exact.
/// information_schema.innodb_trx is a cache that the server refreshes only when
/// it was last read over 100 ms ago, so the probe asks at most every 110 ms.
class MysqlProbe final : public LockWaitProbe {
 public:
  /// `mariadb`: the server has information_schema.innodb_lock_waits.
  MysqlProbe(std::unique_ptr<Session> monitor, bool mariadb)
      : monitor_(std::move(monitor)), mariadb_(mariadb) {}

  BlockDetection detection() const override { return BlockDetection::innodb_trx; }

  LockWaits waiting(const std::vector<std::string>& backend_ids) override {
    LockWaits waits;
    if (backend_ids.empty()) return waits;
    const std::string ids = id_list(backend_ids);
    const QueryRows rows = monitor_->query(
        mariadb_
            ? "SELECT r.trx_mysql_thread_id, b.trx_mysql_thread_id "
              "FROM information_schema.innodb_trx r "
              "LEFT JOIN information_schema.innodb_lock_waits w ON w.requesting_trx_id = r.trx_id "
              "LEFT JOIN information_schema.innodb_trx b ON b.trx_id = w.blocking_trx_id "
              "WHERE r.trx_state = 'LOCK WAIT' AND r.trx_mysql_thread_id IN (" +
                  ids + ")"
            : "SELECT trx_mysql_thread_id, NULL FROM information_schema.innodb_trx "
              "WHERE trx_state = 'LOCK WAIT' AND trx_mysql_thread_id IN (" +
                  ids + ")");
    for (const auto& row : rows.rows) {
      std::vector<std::string>& holders = waits[value_of(row.at(0))];
      if (row.at(1)) holders.push_back(*row.at(1));
    }
    return waits;
  }

  void cancel(const std::string& backend_id) override {
    monitor_->query("KILL QUERY " + id_list({backend_id}));
  }

  std::chrono::milliseconds min_interval() const override { return std::chrono::milliseconds(110); }

 private:
  std::unique_ptr<Session> monitor_;
  bool mariadb_;
};

}  // namespace

std::unique_ptr<LockWaitProbe> make_lock_wait_probe(Driver& driver) {
  switch (driver.kind()) {
    case DatabaseKind::postgresql:
      return std::make_unique<PostgresProbe>(driver.connect());
    case DatabaseKind::mysql: {
      const bool mariadb = driver.server_version().find("MariaDB") != std::string::npos;
      return std::make_unique<MysqlProbe>(driver.connect(), mariadb);
    }
    case DatabaseKind::sqlite:
      break;
  }
  return nullptr;
}

}  // namespace clobber
