#include "harness/runner/interrupt.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace clobber {
namespace {

/// The registered sessions; the mutex is held while they are cancelled, so a
/// session is never cancelled after its scope ended.
std::mutex g_mutex;
std::vector<Session*> g_sessions;

}  // namespace

CancelScope::CancelScope(Session* session) : session_(session) {
  if (session_ == nullptr) return;
  std::lock_guard lock(g_mutex);
  g_sessions.push_back(session_);
}

CancelScope::~CancelScope() {
  if (session_ == nullptr) return;
  std::lock_guard lock(g_mutex);
  g_sessions.erase(std::find(g_sessions.begin(), g_sessions.end(), session_));
}

void cancel_registered_sessions() {
  std::lock_guard lock(g_mutex);
  for (Session* session : g_sessions) session->cancel();
}

}  // namespace clobber
