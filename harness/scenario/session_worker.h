// One scenario session: its own connection and thread, running one command at
// a time (connect, begin, commit, rollback, a statement) and reporting each
// completion on the cell's Signal. The cell's runner (scenario_runner.cpp)
// decides what to send and when; the worker only drives its session. After a
// failed statement it asks the driver what the failure did to the open
// transaction (Session::effect_of) and, when only the statement was undone,
// goes on with the transaction as the server does (Session::continue_transaction).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "drivers/driver.h"

namespace clobber {

/// What a session thread is asked to do.
struct Command {
  enum class Kind { connect, begin, commit, rollback, sql };
  Kind kind = Kind::sql;
  Isolation level = Isolation::none;  // begin
  std::string sql;                    // sql
};

/// What a session thread's command produced.
struct Completion {
  Outcome outcome;
  /// What a failure did to the open transaction (Session::effect_of); none on success.
  TransactionEffect effect = TransactionEffect::none;
  TextResult result;
  std::string backend_id;     // connect
  std::string harness_error;  // the session threw: a harness failure, not an outcome
};

/// The lock and condition a cell's session threads report completions on.
struct Signal {
  std::mutex mutex;
  std::condition_variable completed;
};

/// A session's thread and the one command it runs at a time. Its state is
/// shared with the thread, so a thread stuck in a statement that could not be
/// cancelled can be left behind (detached) without dangling. Every call but
/// the destructor is made with the signal's mutex held where its name says so.
class SessionWorker {
 public:
  /// Starts the thread; it connects when sent Command::Kind::connect.
  /// `driver` must outlive every command the worker runs.
  SessionWorker(Driver& driver, std::shared_ptr<Signal> signal);
  /// Ends the thread: joins it when idle, leaves it behind when still busy.
  ~SessionWorker();

  SessionWorker(const SessionWorker&) = delete;
  SessionWorker& operator=(const SessionWorker&) = delete;

  /// Hands the thread its next command; it must be idle (the mutex not held).
  void send(Command command);

  /// True while a command has not been taken back; the signal's mutex is held.
  bool in_flight_locked() const;

  /// True when the command has finished and not been taken; the signal's mutex is held.
  bool finished_locked() const;

  /// The finished command's completion, once; the signal's mutex is held.
  std::optional<Completion> take_locked();

 private:
  struct Shared;
  static void loop(Shared& shared, Driver& driver);
  static Completion run(const Command& command, Driver& driver, std::unique_ptr<Session>& session);

  std::shared_ptr<Shared> shared_;
  std::thread thread_;
};

}  // namespace clobber
