#include "harness/runner/single_writer.h"

namespace clobber {

void SingleWriterQueue::submit(Request& request) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(&request);
  }
  ready_.notify_one();
  request.done.acquire();
}

SingleWriterQueue::Request* SingleWriterQueue::next() {
  std::unique_lock lock(mutex_);
  ready_.wait(lock, [this] { return closed_ || !queue_.empty(); });
  if (queue_.empty()) return nullptr;
  Request* request = queue_.front();
  queue_.pop_front();
  return request;
}

void SingleWriterQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  ready_.notify_all();
}

}  // namespace clobber
