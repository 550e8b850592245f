#include "harness/runner/progress.h"

#include <algorithm>

namespace clobber {

ProgressSampler::ProgressSampler(const LiveCounters* counters, size_t count, CellProgress heading,
                                 std::chrono::steady_clock::time_point origin,
                                 std::optional<std::chrono::steady_clock::time_point> deadline,
                                 std::optional<int64_t> quota, std::chrono::milliseconds interval,
                                 ProgressCallback callback)
    : counters_(counters),
      count_(count),
      progress_(std::move(heading)),
      origin_(origin),
      deadline_(deadline),
      quota_(quota),
      interval_(interval),
      callback_(std::move(callback)),
      thread_([this] { loop(); }) {}

ProgressSampler::~ProgressSampler() {
  {
    const std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void ProgressSampler::loop() {
  using Seconds = std::chrono::duration<double>;
  auto previous_at = origin_;
  int64_t previous_committed = 0;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return done_; })) {
    const auto now = std::chrono::steady_clock::now();
    int64_t committed = 0, aborts = 0;
    for (size_t i = 0; i < count_; ++i) {
      committed += counters_[i].committed.load(std::memory_order_relaxed);
      aborts += counters_[i].aborts.load(std::memory_order_relaxed);
    }
    progress_.elapsed_s = Seconds(now - origin_).count();
    progress_.committed = committed;
    progress_.aborts = aborts;
    const double since = Seconds(now - previous_at).count();
    progress_.tps = since > 0 ? static_cast<double>(committed - previous_committed) / since : 0;
    if (deadline_) {
      progress_.remaining_s = std::max(0.0, Seconds(*deadline_ - now).count());
    } else if (quota_ && committed > 0) {
      const double rate = static_cast<double>(committed) / progress_.elapsed_s;
      progress_.remaining_s = static_cast<double>(std::max<int64_t>(0, *quota_ - committed)) / rate;
    }
    previous_at = now;
    previous_committed = committed;
    callback_(progress_);
  }
}

}  // namespace clobber
