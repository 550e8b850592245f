// Fault injection (`run --chaos kill=RATE`): while a cell runs, a thread kills
// random sessions of the cell's own workers from the admin connection
// (pg_terminate_backend on PostgreSQL, KILL CONNECTION on MySQL/MariaDB), at
// RATE kills per second on average. Workers reconnect and go on; the checks
// must still hold for the safe cells.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drivers/driver.h"

namespace clobber {

/// The server's id of each worker's current connection (0: none known). The
/// worker stores it after connecting and after each reconnect.
using BackendIds = std::vector<std::atomic<int64_t>>;

/// The backend id a session reports, as a number (0 when it reports none).
int64_t backend_number(Session& session);

/// The chaos thread of one cell.
class Chaos {
 public:
  /// Starts killing sessions listed in `ids` through `admin`, which nobody else
  /// uses until stop() returns. `rate` is in kills per second.
  Chaos(Session& admin, double rate, BackendIds& ids, uint64_t seed);
  Chaos(const Chaos&) = delete;
  Chaos& operator=(const Chaos&) = delete;
  /// Stops the thread (joins it).
  ~Chaos();
  /// Stops the thread and returns how many sessions it killed.
  int64_t stop();

 private:
  void loop(uint64_t seed);

  Session& admin_;
  double rate_;
  BackendIds& ids_;
  std::atomic<bool> done_{false};
  int64_t kills_ = 0;
  std::thread thread_;
};

}  // namespace clobber
