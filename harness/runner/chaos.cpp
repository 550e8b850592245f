#include "harness/runner/chaos.h"

#include <charconv>
#include <chrono>
#include <random>

namespace clobber {
namespace {

constexpr std::chrono::milliseconds kStopPoll{20};  // how often the wait looks at done_

}  // namespace

int64_t backend_number(Session& session) {
  const std::string id = session.backend_id();
  int64_t value = 0;
  std::from_chars(id.data(), id.data() + id.size(), value);
  return value;
}

Chaos::Chaos(Session& admin, double rate, BackendIds& ids, uint64_t seed)
    : admin_(admin), rate_(rate), ids_(ids), thread_([this, seed] { loop(seed); }) {}

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
      // Only a session of the admin's own kind: same user and database (and on
      // PostgreSQL application_name); Session::kill_session.
      if (admin_.kill_session(std::to_string(id))) ++kills_;
    } catch (const DatabaseError&) {
      // The admin connection itself is gone past its deadline: no more chaos;
      // the checks that follow report the failure.
      return;
    }
  }
}

}  // namespace clobber
