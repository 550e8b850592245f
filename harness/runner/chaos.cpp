#include "harness/runner/chaos.h"

#include <charconv>
#include <chrono>
#include <random>

namespace clobber {
namespace {

constexpr std::chrono::milliseconds kStopPoll{20};  // how often the wait looks at done_

}  // namespace

bool kill_backend(Session& admin, DatabaseKind kind, int64_t backend_id) {
  const std::string id = std::to_string(backend_id);
  if (kind == DatabaseKind::postgresql) {
    const QueryRows rows =
        admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = " + id +
                    " AND usename = current_user AND datname = current_database()"
                    " AND application_name = current_setting('application_name')"
                    " AND pid <> pg_backend_pid()");
    return !rows.rows.empty() && rows.rows[0][0] && *rows.rows[0][0] == "t";
  }
  if (kind == DatabaseKind::mysql) {
    // Connection ids are never reused while the server runs; the check keeps a
    // stale id from ever reaching another user's or database's connection.
    const QueryRows rows =
        admin.query("SELECT COUNT(*) FROM information_schema.processlist WHERE id = " + id +
                    " AND db = DATABASE() AND user = SUBSTRING_INDEX(USER(), '@', 1)"
                    " AND id <> CONNECTION_ID()");
    if (rows.rows.empty() || !rows.rows[0][0] || *rows.rows[0][0] != "1") return false;
    try {
      admin.query("KILL CONNECTION " + id);
    } catch (const ConnectionLost&) {
      throw;
    } catch (const DatabaseError&) {
      return false;  // 1094: it ended on its own in between
    }
    return true;
  }
  throw DatabaseError("chaos: SQLite has no sessions to kill");
}

int64_t backend_number(Session& session) {
  const std::string id = session.backend_id();
  int64_t value = 0;
  std::from_chars(id.data(), id.data() + id.size(), value);
  return value;
}

Chaos::Chaos(Session& admin, DatabaseKind kind, double rate, BackendIds& ids, uint64_t seed)
    : admin_(admin), kind_(kind), rate_(rate), ids_(ids), thread_([this, seed] { loop(seed); }) {}

Chaos::~Chaos() {
  stop();
}

int64_t Chaos::stop() {
  done_.store(true);
  if (thread_.joinable()) thread_.join();
  return kills_;
}

void Chaos::loop(uint64_t seed) {
  std::mt19937_64 random(seed);
  std::exponential_distribution<double> gap(rate_);  // a Poisson process of kills
  std::uniform_int_distribution<size_t> pick(0, ids_.size() - 1);
  while (!done_.load()) {
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(gap(random)));
    while (!done_.load() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          until - std::chrono::steady_clock::now(), kStopPoll));
    if (done_.load()) return;
    std::atomic<int64_t>& slot = ids_[pick(random)];
    const int64_t id = slot.exchange(0);  // the worker stores its next one after reconnecting
    if (id == 0) continue;
    try {
      if (kill_backend(admin_, kind_, id)) ++kills_;
    } catch (const DatabaseError&) {
      // The admin connection itself is gone past its deadline: no more chaos;
      // the checks that follow report the failure.
      return;
    }
  }
}

}  // namespace clobber
