#include "harness/runner/worker.h"

#include "harness/runner/reconnect.h"

#include <algorithm>
#include <thread>

namespace clobber {
namespace {

constexpr size_t kMaxColumns = 256;

/// The longest a worker sleeps between two looks at the stop flag.
constexpr std::chrono::milliseconds kStopCheck{20};

/// The message of an attempt that failed to evaluate `what` ("check"): the
/// error (overflow, division by zero) and where the expression is.
std::string eval_failure(const char* what, EvalError error, const SourceLocation& where) {
  return std::string(what) + ": " + std::string(to_string(error)) + " at " + where.str();
}

}  // namespace

Worker::Worker(int index, uint64_t seed, const WorkerShared& shared, Session* session,
               std::vector<StatementHandle> statements, WorkerLog& log)
    : index_(index),
      rng_(seed),
      shared_(shared),
      session_(session),
      statements_(std::move(statements)),
      log_(log) {
  int frame = 0;
  size_t ops = 0;
  int params = 0;
  for (const TransactionPlan& tx : shared.plan->transactions) {
    frame = std::max(frame, tx.type->frame_size);
    ops = std::max(ops, tx.ops.size());
  }
  for (const Operation& operation : shared.plan->operations)
    params = std::max(params, parameter_count(operation));
  frame_.assign(static_cast<size_t>(frame), 0);
  params_.assign(static_cast<size_t>(params), 0);
  row_.assign(kMaxColumns, 0);
  values_.assign(kMaxColumns, 0);
  reads_.assign(ops, ReadState{});
  log_.worker = index;
}

int64_t Worker::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              shared_.origin)
      .count();
}

bool Worker::finished(int64_t done, int64_t quota) const {
  if (shared_.stop->load(std::memory_order_relaxed)) return true;
  if (quota >= 0) return done >= quota;
  return std::chrono::steady_clock::now() >= shared_.deadline;
}

void Worker::run(int64_t quota) {
  const uint64_t total_weight = shared_.cumulative_weights.back();
  for (int64_t done = 0; !finished(done, quota) && log_.error.empty(); ++done) {
    const uint64_t pick =
        static_cast<uint64_t>(rng_.uniform(0, static_cast<int64_t>(total_weight) - 1));
    const auto it = std::upper_bound(shared_.cumulative_weights.begin(),
                                     shared_.cumulative_weights.end(), pick);
    const auto type = static_cast<uint32_t>(it - shared_.cumulative_weights.begin());
    const auto& generators = shared_.generators[type];
    for (size_t p = 0; p < generators.size(); ++p) frame_[p] = generators[p].draw(rng_);
    const int64_t start = now_ns();
    bool committed = false;
    if (shared_.single_writer) {
      SingleWriterQueue::Request request;
      request.type = type;
      request.params = std::span<const int64_t>(frame_.data(), generators.size());
      shared_.single_writer->submit(request);
      committed = request.committed;
    } else {
      committed = run_transaction(type);
    }
    if (committed) log_.latency.record(static_cast<uint64_t>((now_ns() - start) / 1000));
  }
}

void Worker::lead(SingleWriterQueue& queue) {
  while (SingleWriterQueue::Request* request = queue.next()) {
    std::copy(request->params.begin(), request->params.end(), frame_.begin());
    request->committed = log_.error.empty() && run_transaction(request->type);
    request->done.release();
  }
}

void Worker::backoff(int attempt) {
  const RetryPolicy& retry = *shared_.retry;
  int64_t cap = retry.backoff_base.count();
  for (int i = 1; i < attempt && cap < retry.backoff_max.count(); ++i) cap *= 2;
  cap = std::min<int64_t>(cap, retry.backoff_max.count());
  if (cap > 0) pause(std::chrono::microseconds(rng_.uniform(0, cap)));
}

bool Worker::pause(std::chrono::microseconds length) const {
  const auto until = std::chrono::steady_clock::now() + length;
  while (!shared_.stop->load(std::memory_order_relaxed)) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(until - now, kStopCheck));
  }
  return false;
}

bool Worker::run_transaction(uint32_t type) {
  const TransactionPlan& tx = shared_.plan->transactions[type];
  WorkerCounters& counters = log_.counters;
  ++counters.attempted;
  for (int attempt = 1;; ++attempt) {
    const uint64_t id = make_txn_id(index_, attempts_started_++);
    AttemptRecord done;
    done.id = id;
    done.type = type;
    done.attempt = static_cast<uint16_t>(std::min(attempt, 65535));
    done.start_ns = now_ns();
    done.first_read = static_cast<uint32_t>(log_.reads.size());
    done.first_write = static_cast<uint32_t>(log_.writes.size());
    last_cause_ = AbortCause::none;
    last_code_ = -1;
    commit_ns_ = -1;
    const Result result = run_attempt(tx, id);
    if (shared_.plan->release_statement >= 0) release_locks();
    done.end_ns = now_ns();
    done.commit_ns = commit_ns_;
    done.cause = last_cause_;
    done.code = last_code_;
    done.read_count = static_cast<uint32_t>(log_.reads.size()) - done.first_read;
    done.write_count = static_cast<uint32_t>(log_.writes.size()) - done.first_write;
    done.outcome = result == Result::committed       ? AttemptOutcome::committed
                   : result == Result::rejected      ? AttemptOutcome::rejected
                   : result == Result::indeterminate ? AttemptOutcome::indeterminate
                                                     : AttemptOutcome::aborted;
    if (shared_.record_history) log_.end_attempt(done);
    switch (result) {
      case Result::committed:
        ++counters.committed;
        if (shared_.live)
          shared_.live[index_].committed.store(counters.committed, std::memory_order_relaxed);
        return true;
      case Result::rejected:
        ++counters.rejected;
        return false;
      case Result::indeterminate:
        ++counters.indeterminate;
        return false;
      case Result::aborted:
        ++counters.aborts[static_cast<int>(last_cause_)];
        if (shared_.live) {
          std::atomic<int64_t>& aborts = shared_.live[index_].aborts;
          aborts.store(aborts.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        }
        break;
    }
    const bool retry = shared_.retry->retries(last_cause_) && attempt < shared_.retry->max_tries &&
                       !shared_.stop->load(std::memory_order_relaxed) && log_.error.empty();
    if (!retry) {
      ++counters.failed;
      if (last_cause_ == AbortCause::other) ++counters.failed_by_error;
      return false;
    }
    ++counters.retries;
    backoff(attempt);
  }
}

void Worker::release_locks() {
  StatementResult result;
  const Outcome outcome = session_->execute(statements_[shared_.plan->release_statement], {},
                                            std::span(row_.data(), 1), result);
  if (outcome.cause == AbortCause::connection) {
    reconnect();
  }
}

void Worker::reconnect() {
  const Outcome again = reconnect_until(*session_, shared_.reconnect_timeout, *shared_.stop);
  if (again.ok()) {
    ++log_.counters.reconnects;
    if (shared_.backend_ids) {
      try {
        (*shared_.backend_ids)[static_cast<size_t>(index_)].store(backend_number(*session_));
      } catch (const DatabaseError&) {
        // Lost again at once: the next statement finds out and reconnects.
      }
    }
  } else if (!shared_.stop->load(std::memory_order_relaxed)) {
    log_.error = "lost the connection and could not reconnect within " +
                 std::to_string(shared_.reconnect_timeout.count() / 1000000) +
                 " s: " + again.message;
  }
}

void Worker::tally_error(const Outcome& outcome) {
  for (ErrorTally& tally : log_.errors) {
    if (tally.code == outcome.code) {
      ++tally.count;
      return;
    }
  }
  log_.errors.push_back(ErrorTally{outcome.code, outcome.message, 1});
}

Worker::Result Worker::abort(const Outcome& outcome) {
  if (outcome.cause == AbortCause::other) tally_error(outcome);
  last_cause_ = outcome.cause;
  last_code_ = code_index(outcome.code);
  if (outcome.cause == AbortCause::connection) {
    // The server rolled the transaction back; statements already autocommitted
    // at isolation none may or may not have been applied.
    settle_writes(shared_.plan->isolation == Isolation::none ? Durability::maybe
                                                             : Durability::discarded);
    reconnect();
  } else {
    session_->rollback();
    settle_writes(Durability::discarded);
  }
  return Result::aborted;
}

Worker::Result Worker::fail(const char* code, std::string message) {
  return abort(Outcome::failure(AbortCause::other, code, std::move(message)));
}

int32_t Worker::code_index(const std::string& code) {
  for (size_t i = 0; i < log_.codes.size(); ++i)
    if (log_.codes[i] == code) return static_cast<int32_t>(i);
  log_.codes.push_back(code);
  return static_cast<int32_t>(log_.codes.size()) - 1;
}

void Worker::settle_writes(Durability durability) {
  for (size_t w = pending_writes_; w < log_.writes.size(); ++w)
    if (log_.writes[w].durability == Durability::pending) log_.writes[w].durability = durability;
}

Worker::Result Worker::run_attempt(const TransactionPlan& tx, uint64_t id) {
  pending_writes_ = log_.writes.size();
  const Isolation isolation = shared_.plan->isolation;
  Outcome outcome = session_->begin(isolation);
  if (!outcome.ok()) return abort(outcome);
  StatementResult result;
  for (size_t i = 0; i < tx.ops.size(); ++i) {
    const PlannedOp& op = tx.ops[i];
    switch (op.kind) {
      case PlannedOp::Kind::read: {
        int64_t key = 0;
        if (const EvalError error = evaluate(op.expr, frame_, key); error != EvalError::none)
          return fail("EVAL", eval_failure("key expression", error, op.where));
        params_[0] = key;
        const size_t width = static_cast<size_t>(op.column_count) + 2;
        outcome = session_->execute(statements_[op.statement], std::span(params_.data(), 1),
                                    std::span(row_.data(), width), result);
        if (!outcome.ok()) return abort(outcome);
        if (!result.has_row)
          return fail("NOTFOUND",
                      "no row with key " + std::to_string(key) + " (" + op.where.str() + ")");
        std::copy_n(row_.begin(), op.column_count, frame_.begin() + op.first_slot);
        reads_[i] =
            ReadState{key, static_cast<uint64_t>(row_[op.column_count]), row_[op.column_count + 1]};
        if (!shared_.record_history) break;
        ReadRecord& record = log_.reads.emplace_back();
        record.table = static_cast<uint32_t>(op.table);
        record.key = key;
        record.version = reads_[i].txn;
        record.version_number = reads_[i].version;
        record.first_value = static_cast<uint32_t>(log_.values.size());
        record.value_count = static_cast<uint16_t>(op.column_count);
        log_.values.insert(log_.values.end(), row_.begin(), row_.begin() + op.column_count);
        break;
      }
      case PlannedOp::Kind::lock: {
        int64_t key = 0;
        if (const EvalError error = evaluate(op.expr, frame_, key); error != EvalError::none)
          return fail("EVAL", eval_failure("key expression", error, op.where));
        params_[0] = key;
        outcome = session_->execute(statements_[op.statement], std::span(params_.data(), 1),
                                    std::span(row_.data(), 1), result);
        if (!outcome.ok()) return abort(outcome);
        if (!result.has_row || row_[0] != 1)
          return abort(Outcome::failure(
              AbortCause::lock_timeout, "GET_LOCK",
              "the named lock on key " + std::to_string(key) + " was not granted in time"));
        break;
      }
      case PlannedOp::Kind::check: {
        int64_t holds = 0;
        if (const EvalError error = evaluate(op.expr, frame_, holds); error != EvalError::none)
          return fail("EVAL", eval_failure("check", error, op.where));
        if (!holds) {
          session_->rollback();
          settle_writes(Durability::discarded);
          return Result::rejected;
        }
        break;
      }
      case PlannedOp::Kind::sleep:
        if (!pause(op.sleep)) return fail("STOPPED", "stopped by Ctrl-C during a sleep step");
        break;
      case PlannedOp::Kind::sql: {
        for (size_t a = 0; a < op.args.size(); ++a) params_[a] = frame_[op.args[a].index];
        outcome =
            session_->execute(statements_[op.statement], std::span(params_.data(), op.args.size()),
                              std::span<int64_t>(), result);
        if (!outcome.ok()) return abort(outcome);
        break;
      }
      case PlannedOp::Kind::write: {
        bool rejected = false;
        const bool with_commit = tx.commit_with_last_write && i + 1 == tx.ops.size() &&
                                 session_->commits_with_statement();
        Outcome commit;
        const bool written =
            execute_write(op, id, outcome, rejected, with_commit ? &commit : nullptr);
        if (with_commit && outcome.cause == AbortCause::connection)
          return commit_lost(outcome);  // COMMIT may have reached the server
        if (with_commit && written) return committed(commit);
        if (!written) {
          if (rejected) {
            session_->rollback();
            settle_writes(Durability::discarded);
            return Result::rejected;
          }
          return abort(outcome);
        }
        break;
      }
    }
  }
  // At isolation none there is no COMMIT: each write committed by itself.
  if (isolation != Isolation::none) commit_ns_ = now_ns();
  return committed(session_->commit());
}

Worker::Result Worker::committed(const Outcome& commit) {
  if (commit.ok()) {
    settle_writes(Durability::durable);
    return Result::committed;
  }
  if (commit.cause == AbortCause::connection) return commit_lost(commit);
  return abort(commit);
}

Worker::Result Worker::commit_lost(const Outcome& outcome) {
  last_cause_ = AbortCause::connection;
  last_code_ = code_index(outcome.code);
  settle_writes(Durability::maybe);
  reconnect();
  return Result::indeterminate;
}

bool Worker::execute_write(const PlannedOp& op, uint64_t id, Outcome& outcome, bool& rejected,
                           Outcome* commit) {
  const size_t n = op.assignments.size();
  for (size_t a = 0; a < n; ++a) {
    if (const EvalError error = evaluate(op.assignments[a].value, frame_, values_[a]);
        error != EvalError::none) {
      outcome = Outcome::failure(AbortCause::other, "EVAL",
                                 eval_failure("write expression", error, op.where));
      return false;
    }
  }
  int64_t key = 0;
  const ReadState* read = op.read_op >= 0 ? &reads_[static_cast<size_t>(op.read_op)] : nullptr;
  if (read) {
    key = read->key;
  } else if (const EvalError error = evaluate(op.expr, frame_, key); error != EvalError::none) {
    outcome = Outcome::failure(AbortCause::other, "EVAL",
                               eval_failure("key expression", error, op.where));
    return false;
  }
  for (size_t a = 0; a < op.args.size(); ++a) {
    const Arg& arg = op.args[a];
    switch (arg.source) {
      case Arg::Source::slot:
        params_[a] = frame_[arg.index];
        break;
      case Arg::Source::value:
        params_[a] = values_[arg.index];
        break;
      case Arg::Source::txn_id:
        params_[a] = static_cast<int64_t>(id);
        break;
      case Arg::Source::key:
        params_[a] = key;
        break;
      case Arg::Source::version_read:
        params_[a] = read ? read->version : 0;
        break;
      case Arg::Source::old_value:
        params_[a] = frame_[op.assignments[arg.index].old_slot];
        break;
    }
  }
  StatementResult result;
  const size_t returned = (op.atomic ? n : 0) + (op.returns_versions ? 2 : 0);
  const int64_t sent = now_ns();
  if (commit) commit_ns_ = sent;  // COMMIT goes with the write
  const std::span<const int64_t> params(params_.data(), op.args.size());
  const std::span<int64_t> row(row_.data(), returned);
  outcome = commit ? session_->execute_then_commit(statements_[op.statement], params, row, result,
                                                   *commit)
                   : session_->execute(statements_[op.statement], params, row, result);
  const int64_t done = now_ns();
  const bool autocommit = shared_.plan->isolation == Isolation::none;
  // Lost with its COMMIT (autocommit, or sent together): it may have committed.
  bool lost_in_flight =
      !outcome.ok() && outcome.cause == AbortCause::connection && (autocommit || commit);
  if (!outcome.ok() && !lost_in_flight) return false;
  if (outcome.ok() && result.rows_affected == 0) {
    switch (op.zero_rows) {
      case ZeroRows::rejected:
        rejected = true;
        break;
      case ZeroRows::conflict:
        outcome = Outcome::failure(AbortCause::conflict, "CONFLICT",
                                   op.read_op >= 0 && shared_.plan->locking == Locking::optimistic
                                       ? "version changed since it was read"
                                       : "value changed since it was read");
        break;
      case ZeroRows::missing:
        outcome = Outcome::failure(AbortCause::other, "NOTFOUND",
                                   "no row with key " + std::to_string(key) + " to update");
        break;
    }
    return false;
  }
  if (!shared_.record_history) return !lost_in_flight;
  // Record the write: the version it replaced and each column's old and new value.
  WriteRecord& record = log_.writes.emplace_back();
  record.table = static_cast<uint32_t>(op.table);
  record.key = key;
  record.txn = id;
  record.sent_ns = sent;
  record.done_ns = done;
  record.first_change = static_cast<uint32_t>(log_.changes.size());
  record.change_count = static_cast<uint16_t>(n);
  for (size_t a = 0; a < n; ++a) {
    const PlannedOp::Assignment& assignment = op.assignments[a];
    ColumnChange& change = log_.changes.emplace_back();
    change.column = static_cast<uint32_t>(assignment.column);
    if (op.atomic) {
      const int64_t delta = assignment.sign * values_[a];
      // In flight at a broken connection: only the delta is known.
      change.new_value = lost_in_flight ? delta : row_[a];
      change.old_value = lost_in_flight ? 0 : row_[a] - delta;
    } else {
      change.old_value = frame_[assignment.old_slot];
      change.new_value = values_[a];
    }
  }
  // An atomic write read what it replaced; other writes read their SELECT's version.
  const size_t versions = op.atomic ? n : 0;
  if (op.returns_versions && !lost_in_flight) {
    record.overwrote = static_cast<uint64_t>(row_[versions]);
    record.version_number = row_[versions + 1];
  }
  record.version_read = read ? read->txn : record.overwrote;
  if (lost_in_flight) {
    record.durability = Durability::maybe;
    return false;
  }
  if (autocommit) record.durability = Durability::durable;
  return true;
}

}  // namespace clobber
