#include "harness/scenario/session_worker.h"

#include <exception>
#include <utility>

namespace clobber {

struct SessionWorker::Shared {
  explicit Shared(std::shared_ptr<Signal> s) : signal(std::move(s)) {}
  std::shared_ptr<Signal> signal;
  std::condition_variable wake;
  std::optional<Command> command;
  std::optional<Completion> completion;
  bool in_flight = false;
  bool stop = false;
};

SessionWorker::SessionWorker(Driver& driver, std::shared_ptr<Signal> signal)
    : shared_(std::make_shared<Shared>(std::move(signal))),
      thread_([shared = shared_, &driver] { loop(*shared, driver); }) {}

SessionWorker::~SessionWorker() {
  bool busy;
  {
    std::lock_guard lock(shared_->signal->mutex);
    shared_->stop = true;
    busy = shared_->in_flight;
  }
  shared_->wake.notify_all();
  if (busy)
    thread_.detach();
  else
    thread_.join();
}

void SessionWorker::send(Command command) {
  {
    std::lock_guard lock(shared_->signal->mutex);
    shared_->command = std::move(command);
    shared_->in_flight = true;
  }
  shared_->wake.notify_all();
}

bool SessionWorker::in_flight_locked() const {
  return shared_->in_flight;
}

bool SessionWorker::finished_locked() const {
  return shared_->completion.has_value();
}

std::optional<Completion> SessionWorker::take_locked() {
  if (!shared_->completion) return std::nullopt;
  std::optional<Completion> completion = std::move(shared_->completion);
  shared_->completion.reset();
  shared_->in_flight = false;
  return completion;
}

void SessionWorker::loop(Shared& shared, Driver& driver) {
  std::unique_ptr<Session> session;
  std::unique_lock lock(shared.signal->mutex);
  while (true) {
    shared.wake.wait(lock, [&] { return shared.stop || shared.command.has_value(); });
    if (!shared.command) break;
    Command command = std::move(*shared.command);
    shared.command.reset();
    lock.unlock();
    Completion completion = run(command, driver, session);
    lock.lock();
    shared.completion = std::move(completion);
    shared.signal->completed.notify_all();
  }
  lock.unlock();
  session.reset();  // closes the connection on its own thread
}

Completion SessionWorker::run(const Command& command, Driver& driver,
                              std::unique_ptr<Session>& session) {
  Completion completion;
  try {
    switch (command.kind) {
      case Command::Kind::connect:
        session = driver.connect();
        completion.backend_id = session->backend_id();
        return completion;
      case Command::Kind::begin:
        completion.outcome = session->begin(command.level);
        break;
      case Command::Kind::commit:
        completion.outcome = session->commit();
        break;
      case Command::Kind::rollback:
        completion.outcome = session->rollback();
        break;
      case Command::Kind::sql:
        completion.outcome = session->execute_text(command.sql, completion.result);
        break;
    }
    // Asked at once, before anything else runs on the session.
    completion.effect = session->effect_of(completion.outcome);
    if (command.kind == Command::Kind::sql &&
        completion.effect == TransactionEffect::statement_rolled_back)
      session->continue_transaction();
  } catch (const std::exception& error) {
    completion.harness_error = error.what();
  }
  return completion;
}

}  // namespace clobber
