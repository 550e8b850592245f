#include "harness/runner/interrupt.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace clobber {
namespace {

/// The registered sessions; the mutex is held while they are cancelled, so a
/// session is never cancelled after its scope ended. Never destroyed: the
/// signal thread may still use it while the process exits.
struct Registered {
  std::mutex mutex;
  std::vector<Session*> sessions;
};
Registered& registered() {
  static Registered* const instance = new Registered;
  return *instance;
}

}  // namespace

CancelScope::CancelScope(Session* session) : session_(session) {
  if (session_ == nullptr) return;
  std::lock_guard lock(registered().mutex);
  registered().sessions.push_back(session_);
}

CancelScope::~CancelScope() {
  if (session_ == nullptr) return;
  std::vector<Session*>& sessions = registered().sessions;
  std::lock_guard lock(registered().mutex);
  sessions.erase(std::find(sessions.begin(), sessions.end(), session_));
}

void cancel_registered_sessions() {
  std::lock_guard lock(registered().mutex);
  for (Session* session : registered().sessions) session->cancel();
}

}  // namespace clobber
