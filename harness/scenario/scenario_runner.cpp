#include "harness/scenario/scenario_runner.h"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "drivers/url.h"
#include "harness/common/clock.h"
#include "harness/runner/reconnect.h"
#include "harness/runner/run.h"
#include "harness/scenario/scenario_verdict.h"
#include "harness/scenario/session_worker.h"

namespace clobber {
namespace {

using Clock = std::chrono::steady_clock;

/// How long after sending a statement the first probe is taken: most
/// statements return sooner, and then no probe is needed.
constexpr std::chrono::milliseconds kFirstProbeDelay{2};

/// The longest the runner waits between two looks at the stop flag (Ctrl-C).
constexpr std::chrono::milliseconds kStopCheck{50};

/// `deadline`, or sooner, so that a wait notices a stop.
Clock::time_point stop_aware(Clock::time_point deadline) {
  return std::min(deadline, Clock::now() + kStopCheck);
}

/// A failure that ends a cell as an error (the script cannot go on).
class CellError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string random_prefix() {
  std::random_device device;
  return fmt::format("clobber_s{:08x}_", device());
}

/// `text` with every occurrence of `prefix` removed: server messages then name
/// tables as the scenario does, and stay the same from run to run.
std::string without_prefix(std::string text, const std::string& prefix) {
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at))
    text.erase(at, prefix.size());
  return text;
}

/// One cell's run: the script, its trace and its verdict.
class CellRun {
 public:
  CellRun(const Scenario& scenario, Driver& driver, Isolation isolation,
          const ScenarioTiming& timing, ScenarioCell& cell, TableRegistry& registry)
      : scenario_(scenario),
        driver_(driver),
        registry_(registry),
        isolation_(isolation),
        timing_(timing),
        cell_(cell),
        prefix_(random_prefix()),
        signal_(std::make_shared<Signal>()) {
    cell_.table_prefix = prefix_;
  }

  void run() {
    const int end_step = static_cast<int>(scenario_.steps.size()) + 1;
    bool stuck = false;
    try {
      start();
      for (size_t i = 0; i < scenario_.steps.size(); ++i) {
        if (stop_requested()) throw CellError("stopped by Ctrl-C");
        run_step(static_cast<int>(i) + 1);
      }
    } catch (const CellError& error) {
      fail(error.what());
    } catch (const DatabaseError& error) {
      fail(error.what());
    }
    try {
      stuck = !finish(end_step);
    } catch (const CellError& error) {
      fail(error.what());
    } catch (const DatabaseError& error) {
      fail(error.what());
    }
    for (size_t s = 0; s < sessions_.size(); ++s)
      if (sessions_[s].clean) cell_.committed.push_back(scenario_.sessions[s]);
    sessions_.clear();  // closes every connection (a stuck one is left behind)
    try {
      if (cell_.status == CellStatus::ran) decide();
    } catch (const DatabaseError& error) {
      fail(error.what());
    }
    drop_tables(stuck);
  }

 private:
  /// A session's connection, thread and place in the script.
  struct SessionState {
    std::unique_ptr<SessionWorker> worker;
    std::string backend_id;
    int in_flight_step = 0;           // step of the statement in flight; 0: idle or clobber's own
    bool own_command = false;         // the command in flight is clobber's (connect, cleanup)
    bool commit_as_rollback = false;  // the step in flight is a commit sent as a rollback
    Clock::time_point sent_at;
    BlockDetection recorded_blocked = BlockDetection::none;  // how its block was recorded
    std::deque<int> deferred;     // steps waiting for the statement in flight, in order
    bool in_transaction = false;  // between the script's begin and commit/rollback, at a level
    int failed_at = 0;            // the step whose failure aborted the open transaction
    bool clean = true;            // nothing failed, rolled back or left unsent
  };

  /// The statement whose completion a settle records as its own.
  struct Own {
    size_t session = 0;
    int step = 0;
  };

  void fail(const std::string& reason) {
    if (cell_.status == CellStatus::error) return;  // keep the first reason
    cell_.status = CellStatus::error;
    cell_.verdict = ScenarioVerdict::error;
    cell_.how = "error";
    cell_.reason = without_prefix(reason, prefix_);
  }

  // ---- Setup ------------------------------------------------------------------

  void start() {
    monitor_ = driver_.connect();
    for (const std::string& table : scenario_.tables) {
      registry_.add(prefix_ + table);  // before the setup creates it
      registered_.push_back(prefix_ + table);
    }
    probe_ = driver_.make_lock_wait_probe();
    for (const std::string& sql : scenario_.setup) {
      try {
        monitor_->query(rename_tables(sql, scenario_.tables, prefix_));
      } catch (const DatabaseError& error) {
        throw CellError("setup failed: " + std::string(error.what()));
      }
    }
    for (const std::string& table : registered_) registry_.created(table);
    for (size_t s = 0; s < scenario_.sessions.size(); ++s) {
      SessionState& session = sessions_.emplace_back();
      session.worker = std::make_unique<SessionWorker>(driver_, signal_);
      session.backend_id =
          run_own(s, Command{Command::Kind::connect, Isolation::none, {}}).backend_id;
    }
  }

  /// Runs clobber's own command on idle session `s` (connect, a cleanup
  /// rollback: never blocked) and returns its completion. Statements that
  /// return meanwhile are recorded at `at_step` in `released`.
  Completion run_own(size_t s, Command command, int at_step = 0,
                     std::vector<TraceEvent>* released = nullptr) {
    SessionState& session = sessions_[s];
    session.own_command = true;
    session.worker->send(std::move(command));
    std::unique_lock lock(signal_->mutex);
    const auto deadline = Clock::now() + timing_.stuck_timeout;
    while (true) {
      if (session.worker->finished_locked()) {
        Completion completion = std::move(*session.worker->take_locked());
        session.own_command = false;
        if (!completion.harness_error.empty())
          throw CellError(scenario_.sessions[s] + ": " + completion.harness_error);
        return completion;
      }
      if (released) {
        std::vector<TraceEvent> own;
        harvest_locked(at_step, std::nullopt, own, *released);
      }
      if (Clock::now() >= deadline)
        throw CellError(scenario_.sessions[s] + ": no answer from the database after " +
                        std::to_string(timing_.stuck_timeout.count()) + " ms");
      signal_->completed.wait_until(lock, deadline);
    }
  }

  // ---- The script -------------------------------------------------------------

  void run_step(int number) {
    const ScenarioStep& step = scenario_.steps[static_cast<size_t>(number) - 1];
    SessionState& session = sessions_[step.session];
    std::vector<TraceEvent> before;  // returned before this step's statement was sent
    if (session.deferred.empty() && session.in_flight_step != 0 && must_wait(step.session)) {
      await_statement(step.session, number, before, true);
      std::vector<TraceEvent> own;
      settle(number, std::nullopt, own, before);
    }
    append_released(before);
    drain(number);  // deferred steps of sessions released meanwhile come first
    if (!session.deferred.empty() || session.in_flight_step != 0) {
      TraceEvent event = make_event(number, number);
      event.status = StepStatus::deferred;
      event.blocked_at_step = session.in_flight_step;
      cell_.trace.push_back(std::move(event));
      session.deferred.push_back(number);
      return;
    }
    execute(step.session, number, number);
    drain(number);
  }

  /// Sends step `step`'s statement on `s` (idle) during step `at_step`, and
  /// settles; a statement of a failed transaction is skipped instead.
  void execute(size_t s, int step_number, int at_step) {
    const ScenarioStep& step = scenario_.steps[static_cast<size_t>(step_number) - 1];
    SessionState& session = sessions_[s];
    if (step.action == StepAction::sql && session.failed_at != 0) {
      TraceEvent event = make_event(at_step, step_number);
      event.status = StepStatus::skipped;
      event.failed_at_step = session.failed_at;
      cell_.trace.push_back(std::move(event));
      return;
    }
    Command command;
    switch (step.action) {
      case StepAction::begin:
        command.kind = Command::Kind::begin;
        command.level = isolation_;
        // At level none each statement commits by itself: a failure ends nothing.
        session.in_transaction = isolation_ != Isolation::none;
        session.failed_at = 0;
        break;
      case StepAction::commit:
        command.kind = session.failed_at != 0 ? Command::Kind::rollback : Command::Kind::commit;
        session.commit_as_rollback = session.failed_at != 0;
        session.in_transaction = false;
        break;
      case StepAction::rollback:
        command.kind = Command::Kind::rollback;
        session.in_transaction = false;
        session.clean = false;
        break;
      case StepAction::sql:
        command.kind = Command::Kind::sql;
        command.sql = rename_tables(step.statement, scenario_.tables, prefix_);
        break;
    }
    session.in_flight_step = step_number;
    session.sent_at = Clock::now();
    session.recorded_blocked = BlockDetection::none;
    session.worker->send(std::move(command));

    std::vector<TraceEvent> own;
    std::vector<TraceEvent> after;
    settle(at_step, Own{s, step_number}, own, after);
    for (TraceEvent& e : own) cell_.trace.push_back(std::move(e));
    append_released(after);
  }

  /// Sends deferred steps whose session is idle again, the earliest first,
  /// until no idle session has one.
  void drain(int at_step) {
    while (true) {
      size_t next = sessions_.size();
      for (size_t s = 0; s < sessions_.size(); ++s)
        if (!sessions_[s].deferred.empty() && sessions_[s].in_flight_step == 0 &&
            (next == sessions_.size() ||
             sessions_[s].deferred.front() < sessions_[next].deferred.front()))
          next = s;
      if (next == sessions_.size()) return;
      const int step = sessions_[next].deferred.front();
      sessions_[next].deferred.pop_front();
      execute(next, step, at_step);
    }
  }

  /// Whether a step of `s`, whose statement from an earlier step is still in
  /// flight, waits for it rather than being deferred: when the statement is not
  /// waiting for a lock (it returns by itself), or when the server itself will
  /// end the wait (a deadlock PostgreSQL detects after deadlock_timeout, a lock
  /// held outside the scenario). A wait on idle sessions needs a later step.
  bool must_wait(size_t s) {
    if (!probe_ || left_to_server(s)) return true;
    std::vector<std::string> ids;
    {
      std::lock_guard lock(signal_->mutex);
      for (size_t busy : in_flight_locked()) ids.push_back(sessions_[busy].backend_id);
    }
    const LockWaits waits = probe_now(ids);
    if (!waits.count(sessions_[s].backend_id)) return true;
    if (!probe_->knows_holders()) return false;  // cycles end at once: this one needs a step
    const auto session_of = [&](const std::string& id) {
      for (size_t other = 0; other < sessions_.size(); ++other)
        if (sessions_[other].backend_id == id) return other;
      return sessions_.size();
    };
    std::vector<size_t> path{s};
    std::vector<bool> seen(sessions_.size(), false);
    while (!path.empty()) {
      const size_t at = path.back();
      path.pop_back();
      if (seen[at]) return true;  // a cycle: a deadlock the server resolves
      seen[at] = true;
      const auto wait = waits.find(sessions_[at].backend_id);
      if (wait == waits.end()) return sessions_[at].in_flight_step != 0;  // running: it returns
      for (const std::string& holder : wait->second) {
        const size_t other = session_of(holder);
        if (other == sessions_.size()) return true;  // held outside the scenario
        if (sessions_[other].in_flight_step != 0) path.push_back(other);
      }
    }
    return false;  // every holder is idle: only a later step can release it
  }

  /// True when session `s`'s statement in flight is a `wait: server` step: the
  /// server ends its wait (a timeout, or a later step as usual), never clobber.
  bool left_to_server(size_t s) const {
    const int step = sessions_[s].in_flight_step;
    return step != 0 && scenario_.steps[static_cast<size_t>(step) - 1].wait_for_server;
  }

  /// A trace event for the statement of step `step`, recorded at `at_step`.
  TraceEvent make_event(int at_step, int step) const {
    const ScenarioStep& source = scenario_.steps[static_cast<size_t>(step) - 1];
    TraceEvent event;
    event.at_step = at_step;
    event.step = step;
    event.session = scenario_.sessions[source.session];
    event.statement = source.statement;
    event.deferred = at_step != step;
    return event;
  }

  /// Appends releases in step order, whatever order they arrived in.
  void append_released(std::vector<TraceEvent>& released) {
    std::stable_sort(released.begin(), released.end(),
                     [](const TraceEvent& a, const TraceEvent& b) { return a.step < b.step; });
    for (TraceEvent& e : released) cell_.trace.push_back(std::move(e));
    released.clear();
  }

  /// Records every finished statement; the signal's mutex is held. The
  /// statement `own` goes to `own_events`, every other one to `released`.
  /// Returns true when anything finished.
  bool harvest_locked(int at_step, std::optional<Own> own, std::vector<TraceEvent>& own_events,
                      std::vector<TraceEvent>& released) {
    bool any = false;
    for (size_t s = 0; s < sessions_.size(); ++s) {
      SessionState& session = sessions_[s];
      if (session.own_command || !session.worker->finished_locked()) continue;
      any = true;
      Completion completion = std::move(*session.worker->take_locked());
      if (!completion.harness_error.empty())
        throw CellError(scenario_.sessions[s] + ": " + completion.harness_error);
      const int step = session.in_flight_step;
      session.in_flight_step = 0;
      const bool is_own = own && own->session == s && own->step == step;
      TraceEvent event = make_event(at_step, step);
      if (!is_own) {
        event.released = true;
        event.deferred = false;
      }
      record_outcome(session, step, std::move(completion), event);
      (is_own ? own_events : released).push_back(std::move(event));
    }
    return any;
  }

  /// Fills `event` from a statement's completion and updates its session.
  void record_outcome(SessionState& session, int step, Completion completion, TraceEvent& event) {
    const StepAction action = scenario_.steps[static_cast<size_t>(step) - 1].action;
    if (session.commit_as_rollback && action == StepAction::commit) {
      session.commit_as_rollback = false;
      session.clean = false;
      event.status = StepStatus::rolled_back;
      event.failed_at_step = session.failed_at;
      event.outcome = completion.outcome;
      session.failed_at = 0;
      return;
    }
    if (completion.outcome.ok()) {
      event.status = StepStatus::ok;
      event.rows = std::move(completion.result.rows);
      event.rows_affected = completion.result.rows_affected;
      return;
    }
    event.status = StepStatus::failed;
    event.outcome = std::move(completion.outcome);
    event.outcome.message = without_prefix(event.outcome.message, prefix_);
    session.clean = false;
    // The transaction goes on after a statement the server undid alone
    // (Session::effect_of); any other failure ends it.
    const bool goes_on =
        action == StepAction::sql && completion.effect == TransactionEffect::statement_rolled_back;
    if (session.in_transaction && session.failed_at == 0 && !goes_on) session.failed_at = step;
    if (action == StepAction::commit) session.failed_at = 0;
  }

  /// Sessions with a statement (or clobber's own command) in flight; mutex held.
  std::vector<size_t> in_flight_locked() const {
    std::vector<size_t> busy;
    for (size_t s = 0; s < sessions_.size(); ++s)
      if (sessions_[s].worker->in_flight_locked()) busy.push_back(s);
    return busy;
  }

  /// Asks the probe now, or as soon as its minimum interval allows.
  LockWaits probe_now(const std::vector<std::string>& ids) {
    std::this_thread::sleep_until(last_probe_ + probe_->min_interval());
    LockWaits waits = probe_->waiting(ids);
    last_probe_ = Clock::now();
    return waits;
  }

  /// Waits for session `s`'s statement from an earlier step to return; a
  /// `stoppable` wait ends the cell when a stop is requested.
  void await_statement(size_t s, int at_step, std::vector<TraceEvent>& released, bool stoppable) {
    std::vector<TraceEvent> own;
    std::unique_lock lock(signal_->mutex);
    const auto deadline = Clock::now() + timing_.stuck_timeout;
    while (true) {
      harvest_locked(at_step, std::nullopt, own, released);
      if (!sessions_[s].worker->in_flight_locked()) return;
      if (stoppable && stop_requested()) throw CellError("stopped by Ctrl-C");
      if (Clock::now() >= deadline)
        throw CellError(fmt::format(
            "step {}: {} is still blocked at step {} after {} ms, and the server has not "
            "resolved the wait",
            at_step, scenario_.sessions[s], sessions_[s].in_flight_step,
            timing_.stuck_timeout.count()));
      signal_->completed.wait_until(lock, stop_aware(deadline));
    }
  }

  /// Waits until every statement in flight has returned or waits for a lock
  /// (seen in one probe snapshot, or after the block timeout). Statements that
  /// return are recorded at `at_step`: `own`'s in `own_events`, others in `released`.
  void settle(int at_step, std::optional<Own> own, std::vector<TraceEvent>& own_events,
              std::vector<TraceEvent>& released) {
    const auto start = Clock::now();
    // Blocked in the latest probe taken after the last completion, or by timeout.
    std::map<size_t, BlockDetection> blocked;
    const auto forget_probe = [&blocked] {
      std::erase_if(blocked,
                    [](const auto& entry) { return entry.second != BlockDetection::timeout; });
    };
    // Records what returned. A statement that returned may have released
    // others: an earlier snapshot no longer tells who waits.
    const auto harvest = [&] {
      if (!harvest_locked(at_step, own, own_events, released)) return false;
      forget_probe();
      return true;
    };
    std::unique_lock lock(signal_->mutex);
    while (true) {
      harvest();
      if (stop_requested()) return;  // the caller ends the cell and cancels what runs
      std::vector<size_t> busy = in_flight_locked();
      // clobber's own commands (a connect that never answered) are not statements.
      std::erase_if(busy, [&](size_t s) { return sessions_[s].own_command; });
      const bool all_blocked =
          std::all_of(busy.begin(), busy.end(), [&](size_t s) { return blocked.count(s) > 0; });
      if (all_blocked) {
        if (own && sessions_[own->session].in_flight_step == own->step &&
            sessions_[own->session].recorded_blocked == BlockDetection::none) {
          TraceEvent event = make_event(at_step, own->step);
          event.status = StepStatus::blocked;
          event.detected_by = blocked.at(own->session);
          sessions_[own->session].recorded_blocked = event.detected_by;
          own_events.push_back(std::move(event));
        }
        return;
      }

      // Sleep until the next probe or timeout, or until something returns.
      auto wake = Clock::time_point::max();
      if (probe_) wake = std::max(start + kFirstProbeDelay, last_probe_ + probe_->min_interval());
      for (size_t s : busy)
        if (!blocked.count(s)) wake = std::min(wake, timeout_of(s, start));
      signal_->completed.wait_until(lock, stop_aware(wake), [&] {
        for (size_t s : busy)
          if (sessions_[s].worker->finished_locked()) return true;
        return false;
      });
      if (harvest()) continue;

      const auto now = Clock::now();
      if (probe_ && now >= start + kFirstProbeDelay &&
          now >= last_probe_ + probe_->min_interval()) {
        std::vector<std::string> ids;
        for (size_t s : busy) ids.push_back(sessions_[s].backend_id);
        lock.unlock();
        const LockWaits waits = probe_now(ids);
        lock.lock();
        forget_probe();
        // Something that returned while the probe ran makes the snapshot stale.
        if (harvest()) continue;
        for (size_t s = 0; s < sessions_.size(); ++s)
          if (waits.count(sessions_[s].backend_id)) blocked[s] = probe_->detection();
      }
      for (size_t s : busy)
        if (sessions_[s].worker->in_flight_locked() && !blocked.count(s) &&
            Clock::now() >= timeout_of(s, start))
          blocked[s] = BlockDetection::timeout;
    }
  }

  /// When session `s`'s statement counts as blocked without a probe's word.
  Clock::time_point timeout_of(size_t s, Clock::time_point settle_start) const {
    const SessionState& session = sessions_[s];
    if (session.recorded_blocked == BlockDetection::timeout)
      return settle_start + timing_.release_grace;
    if (session.recorded_blocked == BlockDetection::none)
      return session.sent_at + timing_.block_timeout;
    return settle_start + timing_.block_timeout;
  }

  // ---- The end ------------------------------------------------------------------

  /// Ends every session's transaction: rolls back the idle ones (releasing what
  /// still waits), then cancels statements still waiting; deferred steps that
  /// never ran are recorded as skipped. Everything is recorded at `end_step`.
  /// False when a statement could not be ended.
  bool finish(int end_step) {
    if (sessions_.empty()) return true;
    std::vector<TraceEvent> own;
    std::vector<TraceEvent> released;
    for (size_t s = 0; s < sessions_.size(); ++s) {
      for (int step : sessions_[s].deferred) {
        TraceEvent event = make_event(end_step, step);
        event.status = StepStatus::skipped;
        event.deferred = false;
        event.blocked_at_step = sessions_[s].in_flight_step;
        released.push_back(std::move(event));
        sessions_[s].clean = false;
      }
      sessions_[s].deferred.clear();
    }
    // `wait: server` statements end by themselves before anything is rolled back.
    for (size_t s = 0; s < sessions_.size(); ++s) {
      if (!left_to_server(s)) continue;
      try {
        await_statement(s, end_step, released, true);
      } catch (const CellError& error) {
        fail(error.what());  // then cancelled below, as any statement still waiting
      }
    }
    roll_back_idle(end_step, released);
    settle(end_step, std::nullopt, own, released);
    std::vector<size_t> busy;
    {
      std::lock_guard lock(signal_->mutex);
      busy = in_flight_locked();
    }
    if (!busy.empty() && probe_) {
      for (size_t s : busy) probe_->cancel(sessions_[s].backend_id);
      for (size_t s : busy) {
        try {
          await_statement(s, end_step, released, false);
        } catch (const CellError&) {
          // reported by the caller: the statement is left behind
        }
      }
      roll_back_idle(end_step, released);
    }
    append_released(released);
    std::lock_guard lock(signal_->mutex);
    return in_flight_locked().empty();
  }

  /// Rolls back every idle session (harmless without a transaction).
  void roll_back_idle(int end_step, std::vector<TraceEvent>& released) {
    for (size_t s = 0; s < sessions_.size(); ++s) {
      {
        std::lock_guard lock(signal_->mutex);
        if (sessions_[s].worker->in_flight_locked()) continue;
      }
      run_own(s, Command{Command::Kind::rollback, Isolation::none, {}}, end_step, &released);
    }
  }

  /// The verdict, on the committed state (anomaly_if.sql runs on the monitor).
  void decide() {
    std::optional<QueryRows> final_rows;
    if (!scenario_.anomaly_if.sql.empty())
      final_rows = monitor_->read_only_query(
          rename_tables(scenario_.anomaly_if.sql, scenario_.tables, prefix_));
    decide_verdict(scenario_, final_rows, cell_);
  }

  void drop_tables(bool stuck) {
    if (stuck) {
      fail("a statement could not be cancelled; tables left behind: " + real_tables());
      return;
    }
    try {
      if (!monitor_) monitor_ = driver_.connect();
      for (auto table = registered_.rbegin(); table != registered_.rend(); ++table) {
        monitor_->query("DROP TABLE IF EXISTS " + *table);
        registry_.remove(*table);
      }
    } catch (const DatabaseError& error) {
      cell_.status = CellStatus::error;
      cell_.verdict = ScenarioVerdict::error;
      cell_.how = "error";
      cell_.reason = "cannot drop the scenario's tables (" + real_tables() + "): " + error.what();
    }
  }

  std::string real_tables() const {
    std::string names;
    for (const std::string& table : scenario_.tables)
      names += (names.empty() ? "" : ", ") + prefix_ + table;
    return names;
  }

  const Scenario& scenario_;
  Driver& driver_;
  TableRegistry& registry_;
  std::vector<std::string> registered_;  // real names recorded in the registry
  Isolation isolation_;
  ScenarioTiming timing_;
  ScenarioCell& cell_;
  std::string prefix_;
  std::shared_ptr<Signal> signal_;
  std::unique_ptr<Session> monitor_;
  std::unique_ptr<LockWaitProbe> probe_;
  Clock::time_point last_probe_{};
  std::vector<SessionState> sessions_;
};

}  // namespace

ScenarioCell run_scenario_cell(const Scenario& scenario, Driver& driver,
                               const DatabaseInfo& database, Isolation isolation,
                               const ScenarioTiming& timing, TableRegistry& registry) {
  ScenarioCell cell;
  cell.database = database;
  cell.isolation = isolation;
  if (auto reason = driver.unsupported_isolation(isolation)) {
    cell.status = CellStatus::unsupported;
    cell.verdict = ScenarioVerdict::unsupported;
    cell.how = "unsupported";
    cell.reason = *reason;
    return cell;
  }
  const auto start = Clock::now();
  CellRun(scenario, driver, isolation, timing, cell, registry).run();
  cell.duration_s = std::chrono::duration<double>(Clock::now() - start).count();
  return cell;
}

ScenarioRunResult run_scenarios(const std::vector<Scenario>& scenarios,
                                const ScenarioOptions& options) {
  ScenarioRunResult result;
  result.version = CLOBBER_VERSION;
  result.started_at = utc_now();
  if (options.isolation)
    result.isolations = *options.isolation;
  else
    result.isolations.assign(std::begin(kAllIsolations), std::end(kAllIsolations));

  std::vector<DatabaseUrl> urls = options.databases;
  if (urls.empty()) urls.push_back(default_database_url());
  std::vector<std::unique_ptr<Driver>> drivers;
  std::vector<std::unique_ptr<TableRegistry>> registries;
  for (const DatabaseUrl& url : urls) {
    std::unique_ptr<Driver> driver = make_driver(url);
    driver->use_for_scenarios();
    DatabaseInfo info;
    info.kind = driver->kind();
    info.server_version = driver->server_version();
    info.url = driver->url().masked;
    info.settings = driver->reported_settings();
    result.databases.push_back(std::move(info));
    registries.push_back(
        std::make_unique<TableRegistry>(*driver, kDefaultReconnectTimeout, stop_flag()));
    report_cleaning(registries.back()->clean_dead_runs(), driver->url().masked);
    drivers.push_back(std::move(driver));
  }

  for (const Scenario& scenario : scenarios) {
    ScenarioResult& out = result.scenarios.emplace_back();
    out.name = scenario.name;
    out.id = scenario.id;
    out.description = scenario.description;
    out.file = scenario.file;
    out.sessions = scenario.sessions;
    for (const ScenarioStep& step : scenario.steps)
      out.steps.push_back(
          ScenarioStepInfo{scenario.sessions[step.session], step.statement, step.name});
    out.anomaly_if = describe_condition(scenario.anomaly_if, scenario);
    for (size_t d = 0; d < drivers.size(); ++d) {
      if (!scenario.databases.empty() &&
          std::find(scenario.databases.begin(), scenario.databases.end(),
                    result.databases[d].kind) == scenario.databases.end())
        continue;
      for (Isolation isolation : result.isolations) {
        if (!scenario.isolation.empty() &&
            std::find(scenario.isolation.begin(), scenario.isolation.end(), isolation) ==
                scenario.isolation.end())
          continue;
        if (stop_requested()) {
          result.interrupted = true;
          return result;
        }
        out.cells.push_back(run_scenario_cell(scenario, *drivers[d], result.databases[d], isolation,
                                              options.timing, *registries[d]));
        apply_scenario_expectations(scenario, out.cells.back());
        if (options.on_cell) options.on_cell(out, out.cells.back());
      }
    }
  }
  result.interrupted = stop_requested();
  return result;
}

}  // namespace clobber
