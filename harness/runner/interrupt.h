// Ctrl-C while statements run: the sessions whose statements a stop cancels.
// The signal thread (harness/cli/main.cpp) cancels them again and again after
// the first Ctrl-C until they are gone, so a statement sent just after one
// cancel is caught by the next.
#pragma once

#include <stdexcept>

#include "drivers/driver.h"

namespace clobber {

/// Thrown when a stop ends a cell before its workers start (while its tables
/// are seeded): the cell is not reported, its tables are still dropped.
class StopRequested : public std::runtime_error {
 public:
  StopRequested() : std::runtime_error("stopped by Ctrl-C") {}
};

/// Makes `session`'s statements cancellable by a stop for the scope's life; a
/// null session is ignored. Declare it after the session (it must end first).
class CancelScope {
 public:
  /// Registers `session` (may be null).
  explicit CancelScope(Session* session);
  /// Unregisters it; waits for a cancel of it in progress.
  ~CancelScope();
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;

 private:
  Session* session_;
};

/// Cancels the statement of every registered session (Session::cancel). Safe
/// from any thread; never throws.
void cancel_registered_sessions();

}  // namespace clobber
