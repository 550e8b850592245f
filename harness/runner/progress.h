// Live progress of a running cell: what each worker publishes as it goes, and
// the sampler thread that turns it into a CellProgress every interval for the
// progress line (harness/cli/main.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/types.h"

namespace clobber {

/// What one worker publishes while it runs: its committed transactions and
/// aborted attempts so far. Written by its worker alone (relaxed stores, one
/// cache line per worker, so the hot path pays a plain store), read by the
/// sampler.
struct alignas(64) LiveCounters {
  std::atomic<int64_t> committed{0};
  std::atomic<int64_t> aborts{0};
};

/// A snapshot of the running cell, for one progress line.
struct CellProgress {
  int cell = 0;   // 1-based, in run order
  int cells = 0;  // in the whole run
  DatabaseKind kind{};
  std::string server_version;
  Isolation isolation = Isolation::none;
  Locking locking = Locking::none;
  double elapsed_s = 0;
  std::optional<double> remaining_s;  // of this cell; nullopt when not known yet
  int64_t committed = 0;
  int64_t aborts = 0;
  double tps = 0;  // committed per second since the previous snapshot
};

/// Called with each snapshot, on the sampler's thread.
using ProgressCallback = std::function<void(const CellProgress&)>;

/// Samples `counters[0..count)` every `interval` on its own thread and calls
/// `callback` with the sum, until destroyed. `heading` gives the fields that do
/// not change; `deadline` (when the cell runs for a duration) or `quota` (a
/// number of transactions) gives the time left.
class ProgressSampler {
 public:
  ProgressSampler(const LiveCounters* counters, size_t count, CellProgress heading,
                  std::chrono::steady_clock::time_point origin,
                  std::optional<std::chrono::steady_clock::time_point> deadline,
                  std::optional<int64_t> quota, std::chrono::milliseconds interval,
                  ProgressCallback callback);
  /// Stops and joins the thread (no call after it returns).
  ~ProgressSampler();
  ProgressSampler(const ProgressSampler&) = delete;
  ProgressSampler& operator=(const ProgressSampler&) = delete;

 private:
  void loop();

  const LiveCounters* counters_;
  size_t count_;
  CellProgress progress_;
  std::chrono::steady_clock::time_point origin_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::optional<int64_t> quota_;
  std::chrono::milliseconds interval_;
  ProgressCallback callback_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;  // last: started once everything above is set
};

}  // namespace clobber
