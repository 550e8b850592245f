// The single_writer locking mode: workers hand their transactions to one
// leader connection, which executes them one at a time in arrival order
// (README.md, "What each database runs": single_writer). The only lock in the runner, by design:
// the queue is the serialization the mode stands for.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <semaphore>
#include <span>

namespace clobber {

/// The hand-over between the workers and the leader.
class SingleWriterQueue {
 public:
  /// One transaction handed to the leader.
  struct Request {
    uint32_t type = 0;                // index into Workload::transactions
    std::span<const int64_t> params;  // the parameters the worker drew
    bool committed = false;           // set by the leader
    std::binary_semaphore done{0};    // released by the leader when finished
  };

  /// Worker side: queues `request` and waits until the leader has run it.
  void submit(Request& request);
  /// Leader side: the next request in arrival order, or nullptr once the queue
  /// is closed and drained.
  Request* next();
  /// No more requests will come: the leader stops when the queue is empty.
  void close();

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Request*> queue_;
  bool closed_ = false;
};

}  // namespace clobber
