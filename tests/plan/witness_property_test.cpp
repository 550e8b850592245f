// Property test of the lost-update witnesses over generated histories. A small
// simulated database (rows with committed versions, row locks held to commit)
// runs random interleavings of several workers' read-modify-write attempts,
// with aborts, broken connections and preempted threads, and records the
// history exactly as harness/runner/worker.cpp does: the version each read saw,
// the version each write replaced where the driver reports it (RETURNING on
// PostgreSQL and SQLite, session variables on MySQL's atomic writes) or not
// (MySQL's plain writes), and the client's clock around every statement. The
// simulator also keeps the truth the client cannot see: when each statement
// ran in the database and which version it replaced. Every witness sentence
// find_lost_updates writes must agree with that truth and with the recorded times.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <optional>
#include <random>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "harness/check/checks.h"
#include "harness/check/dependency_graph.h"
#include "harness/workload/workload_loader.h"

namespace clobber {
namespace {

const char* kCounters = R"(
name: counters
description: read-modify-write counters
tables:
  t:
    columns: {id: int, v: bigint}
    key: id
    rows: [{id: 1, v: 0}, {id: 2, v: 0}, {id: 3, v: 0}]
transactions:
  inc:
    steps:
      - read: {table: t, key: 1, as: r}
      - write: {row: r, set: {v: r.v + 1}}
)";

/// How one generated history runs.
struct Config {
  bool autocommit = true;      // isolation none; else transactions with row locks (read committed)
  bool versions_known = true;  // the write reports the version it replaced (RETURNING)
  int workers = 3;
  int rows = 2;
  int attempts = 60;  // per worker
};

/// The truth about one write, as the database saw it.
struct TrueWrite {
  uint64_t txn = 0;
  int row = 0;
  uint64_t read_version = 0;  // writer of the version the client read
  uint64_t replaced = 0;      // writer of the version it replaced
  int64_t ran = 0;            // when the database ran it
  int64_t committed = -1;     // when the database committed it (-1: never)
  size_t record = 0;          // index of its WriteRecord in its worker's log
};

/// The simulated database and the workers' client-side recording.
class Simulation {
 public:
  Simulation(const Config& config, uint64_t seed)
      : config_(config), rng_(seed), logs_(static_cast<size_t>(config.workers)) {
    committed_.assign(static_cast<size_t>(config.rows), Version{});
    holder_.assign(static_cast<size_t>(config.rows), -1);
    for (int w = 0; w < config.workers; ++w) workers_.push_back(WorkerState{});
  }

  void run() {
    int64_t now = 0;
    while (true) {
      now += uniform(1'000, 40'000);  // the database's clock, ns
      std::vector<int> ready, waiting;
      bool any_left = false;
      for (int w = 0; w < config_.workers; ++w) {
        WorkerState& s = workers_[static_cast<size_t>(w)];
        if (s.done_attempts >= config_.attempts && s.ops.empty() && !s.commit_next) continue;
        any_left = true;
        if (blocked(w)) {
          waiting.push_back(w);
        } else if (s.ready_at <= now) {
          ready.push_back(w);
        }
      }
      if (!any_left) break;
      if (!waiting.empty() &&
          waiting.size() == static_cast<size_t>(std::count_if(
                                workers_.begin(), workers_.end(), [&](const WorkerState& s) {
                                  return !(s.done_attempts >= config_.attempts && s.ops.empty() &&
                                           !s.commit_next);
                                }))) {
        // Every worker left waits for a lock: a deadlock, and the database
        // rolls one of them back.
        const int victim =
            waiting[static_cast<size_t>(uniform(0, static_cast<int64_t>(waiting.size()) - 1))];
        abort(victim, workers_[static_cast<size_t>(victim)], now, AbortCause::deadlock);
        continue;
      }
      if (ready.empty()) continue;
      step(ready[static_cast<size_t>(uniform(0, static_cast<int64_t>(ready.size()) - 1))], now);
    }
  }

  /// Each worker's records, plain.
  const std::vector<Records>& records() const { return logs_; }
  /// The logs the workers recorded: each worker's records, encoded.
  std::vector<WorkerLog> logs() const { return encode_logs(logs_); }
  const std::vector<TrueWrite>& truth() const { return truth_; }

  /// The final rows: id, v, last writer.
  std::vector<TableSnapshot> final_state() const {
    TableSnapshot table;
    for (int r = 0; r < config_.rows; ++r) {
      const Version& v = committed_[static_cast<size_t>(r)];
      table[r + 1] = {r + 1, v.value, static_cast<int64_t>(v.txn)};
    }
    return {table};
  }

  /// The truth about one recorded write, if it happened.
  const TrueWrite* true_write(const WriteRecord& record) const {
    const Records& log = logs_[static_cast<size_t>(txn_worker(record.txn))];
    for (const TrueWrite& w : truth_)
      if (w.txn == record.txn && &log.writes[w.record] == &record) return &w;
    return nullptr;
  }

  /// The recorded write of `txn` on row `row`, first or last.
  const TrueWrite* true_write(uint64_t txn, int row, bool last) const {
    const TrueWrite* found = nullptr;
    for (const TrueWrite& w : truth_)
      if (w.txn == txn && w.row == row) {
        found = &w;
        if (!last) break;
      }
    return found;
  }

 private:
  struct Version {
    uint64_t txn = 0;
    int64_t value = 0;
    int64_t number = 0;
  };
  struct Op {
    bool write = false;
    int row = 0;
  };
  struct WorkerState {
    std::vector<Op> ops;  // left in the current attempt; empty: between attempts
    bool commit_next = false;
    int64_t ready_at = 0;  // client clock: when the thread can send its next statement
    int done_attempts = 0;
    int retry = 0;  // attempt number - 1
    uint64_t id = 0;
    size_t started = 0;
    AttemptRecord attempt;
    std::vector<std::pair<int, Version>> read;     // row, version read
    std::vector<std::pair<int, Version>> written;  // row, own uncommitted version
    std::vector<size_t> truths;                    // indexes into truth_ of its writes
    bool fails = false;                            // this attempt aborts at a random op
    size_t fail_at = 0;
  };

  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool chance(int percent) { return uniform(1, 100) <= percent; }

  /// The client's clock around a statement the database ran at `now`: sent at
  /// or after the thread was ready, returned after it ran, sometimes much later
  /// (the thread was preempted).
  std::pair<int64_t, int64_t> client_times(WorkerState& s, int64_t now) {
    const int64_t sent = uniform(s.ready_at, now);
    const int64_t done = now + (chance(10) ? uniform(1'000'000, 5'000'000) : uniform(500, 20'000));
    s.ready_at = done;
    return {sent, done};
  }

  bool blocked(int w) const {
    const WorkerState& s = workers_[static_cast<size_t>(w)];
    if (s.ops.empty() || s.commit_next || !s.ops.front().write || config_.autocommit) return false;
    const int h = holder_[static_cast<size_t>(s.ops.front().row)];
    return h >= 0 && h != w;
  }

  void begin_attempt(int w, WorkerState& s, int64_t now) {
    s.id = make_txn_id(w, s.started++);
    s.attempt = AttemptRecord{};
    s.attempt.id = s.id;
    s.attempt.attempt = static_cast<uint16_t>(s.retry + 1);
    s.attempt.start_ns = std::min(s.ready_at, now);
    Records& log = logs_[static_cast<size_t>(w)];
    s.attempt.first_read = static_cast<uint32_t>(log.reads.size());
    s.attempt.first_write = static_cast<uint32_t>(log.writes.size());
    s.read.clear();
    s.written.clear();
    s.truths.clear();
    s.commit_next = false;
    const int first = static_cast<int>(uniform(0, config_.rows - 1));
    s.ops = {Op{false, first}, Op{true, first}};
    if (config_.rows > 1 && chance(30)) {
      const int second = (first + static_cast<int>(uniform(1, config_.rows - 1))) % config_.rows;
      s.ops.push_back(Op{false, second});
      s.ops.push_back(Op{true, second});
    }
    if (chance(20)) s.ops.push_back(Op{true, first});  // writes its row a second time
    if (config_.rows > 1 && chance(30)) {              // reads another row without writing it
      const int other = (first + static_cast<int>(uniform(1, config_.rows - 1))) % config_.rows;
      s.ops.push_back(Op{false, other});
    }
    s.fails = chance(10);
    s.fail_at = static_cast<size_t>(uniform(0, static_cast<int64_t>(s.ops.size()) - 1));
  }

  const Version& visible(const WorkerState& s, int row) const {
    for (auto it = s.written.rbegin(); it != s.written.rend(); ++it)
      if (it->first == row) return it->second;
    return committed_[static_cast<size_t>(row)];
  }

  void step(int w, int64_t now) {
    WorkerState& s = workers_[static_cast<size_t>(w)];
    if (s.ops.empty() && !s.commit_next) {
      begin_attempt(w, s, now);
      return;  // the attempt's first statement runs at a later step
    }
    if (s.commit_next) return commit(w, s, now);
    const Op op = s.ops.front();
    const size_t index = s.attempt.read_count + s.attempt.write_count;
    if (s.fails && index == s.fail_at) return abort(w, s, now, AbortCause::serialization);
    s.ops.erase(s.ops.begin());
    if (!op.write) {
      read(w, s, op.row, now);
    } else if (!write(w, s, op.row, now)) {
      return;
    }
    if (s.ops.empty()) {
      if (config_.autocommit) {
        finish(w, s, AttemptOutcome::committed, s.ready_at);
      } else {
        s.commit_next = true;
      }
    }
  }

  void read(int w, WorkerState& s, int row, int64_t now) {
    const Version v = visible(s, row);
    client_times(s, now);
    s.read.emplace_back(row, v);
    Records& log = logs_[static_cast<size_t>(w)];
    ReadRecord& r = log.reads.emplace_back();
    r.table = 0;
    r.key = row + 1;
    r.version = v.txn;
    r.version_number = v.number;
    r.first_value = static_cast<uint32_t>(log.values.size());
    r.value_count = 2;
    log.values.push_back(row + 1);
    log.values.push_back(v.value);
    ++s.attempt.read_count;
  }

  /// One UPDATE of `row`: the value the worker read plus one. False when the
  /// attempt ended here (its connection broke).
  bool write(int w, WorkerState& s, int row, int64_t now) {
    Version read_version;
    for (auto it = s.read.rbegin(); it != s.read.rend(); ++it)
      if (it->first == row) {
        read_version = it->second;
        break;
      }
    const Version replaced = visible(s, row);
    const Version created{s.id, read_version.value + 1, replaced.number + 1};
    const auto [sent, done] = client_times(s, now);
    // At isolation none a broken connection leaves the write applied or not.
    const bool broken = config_.autocommit && chance(3);
    const bool applied = !broken || chance(50);
    Records& log = logs_[static_cast<size_t>(w)];
    WriteRecord& record = log.writes.emplace_back();
    record.table = 0;
    record.key = row + 1;
    record.txn = s.id;
    record.sent_ns = sent;
    record.done_ns = done;
    record.first_change = static_cast<uint32_t>(log.changes.size());
    record.change_count = 1;
    log.changes.push_back(ColumnChange{1, read_version.value, created.value});
    if (config_.versions_known && !broken) {
      record.overwrote = replaced.txn;
      record.version_number = created.number;
    }
    record.version_read = read_version.txn;
    ++s.attempt.write_count;
    if (applied) {
      TrueWrite truth{s.id, row, read_version.txn, replaced.txn, now, -1, log.writes.size() - 1};
      if (config_.autocommit) {
        truth.committed = now;
        committed_[static_cast<size_t>(row)] = created;
      } else {
        holder_[static_cast<size_t>(row)] = w;
        s.written.emplace_back(row, created);
      }
      s.truths.push_back(truth_.size());
      truth_.push_back(truth);
    }
    if (broken) {
      record.durability = Durability::maybe;
      abort(w, s, now, AbortCause::connection);
      return false;
    }
    if (config_.autocommit) record.durability = Durability::durable;
    return true;
  }

  void commit(int w, WorkerState& s, int64_t now) {
    const auto [sent, done] = client_times(s, now);
    s.attempt.commit_ns = sent;
    const bool broken = chance(3);
    const bool applied = !broken || chance(50);
    if (applied) {
      for (const auto& [row, version] : s.written) committed_[static_cast<size_t>(row)] = version;
      for (size_t t : s.truths) truth_[t].committed = now;
    }
    release(w, s);
    settle(w, s, broken ? Durability::maybe : Durability::durable);
    finish(w, s, broken ? AttemptOutcome::indeterminate : AttemptOutcome::committed, done);
  }

  void abort(int w, WorkerState& s, int64_t now, AbortCause cause) {
    client_times(s, now);
    release(w, s);
    // As Worker::abort: at isolation none a broken connection leaves the
    // attempt's open write maybe-applied; the rest were rolled back.
    settle(w, s,
           cause == AbortCause::connection && config_.autocommit ? Durability::maybe
                                                                 : Durability::discarded);
    s.attempt.cause = cause;
    finish(w, s, AttemptOutcome::aborted, s.ready_at);
  }

  void release(int w, WorkerState& s) {
    for (int& h : holder_)
      if (h == w) h = -1;
    s.written.clear();
  }

  void settle(int w, const WorkerState& s, Durability durability) {
    Records& log = logs_[static_cast<size_t>(w)];
    for (size_t i = s.attempt.first_write; i < log.writes.size(); ++i)
      if (log.writes[i].durability == Durability::pending) log.writes[i].durability = durability;
  }

  void finish(int w, WorkerState& s, AttemptOutcome outcome, int64_t end) {
    s.attempt.outcome = outcome;
    s.attempt.end_ns = end;
    logs_[static_cast<size_t>(w)].attempts.push_back(s.attempt);
    s.ops.clear();
    s.commit_next = false;
    if (outcome == AttemptOutcome::aborted && s.retry < 3) {
      ++s.retry;
    } else {
      s.retry = 0;
      ++s.done_attempts;
    }
  }

  Config config_;
  std::mt19937_64 rng_;
  std::vector<Records> logs_;  // per worker
  std::vector<WorkerState> workers_;
  std::vector<Version> committed_;
  std::vector<int> holder_;  // worker holding each row's lock, -1: none
  std::vector<TrueWrite> truth_;
};

std::string at(double ms) {
  return fmt::format("+{:.1f} ms", ms);
}

/// The "+X ms" times of a sentence, in the order it states them.
std::vector<double> times_in(const std::string& sentence) {
  std::vector<double> times;
  static const std::regex time(R"(\+([0-9]+\.[0-9]) ms)");
  for (auto it = std::sregex_iterator(sentence.begin(), sentence.end(), time);
       it != std::sregex_iterator(); ++it)
    times.push_back(std::stod((*it)[1]));
  return times;
}

/// Every edge the dependency-graph explanations state agrees with the
/// database's order: ww, the writer of the earlier version first; wr, the
/// reader saw that writer's version; rw, the reader saw a version older than
/// the writer's. "the next version" means exactly the one after.
void check_graph_edges(const Workload& workload, const Simulation& sim,
                       const std::vector<TableSnapshot>& final_state, size_t& edges) {
  const std::vector<WorkerLog> logs = sim.logs();
  const DependencyGraph graph = check_dependency_graph(workload, logs, final_state, 100'000);
  // Gathering the rows' records a row at a time changes nothing.
  const DependencyGraph batched = check_dependency_graph(workload, logs, final_state, 100'000, 1);
  EXPECT_EQ(batched.total, graph.total);
  EXPECT_EQ(batched.transactions, graph.transactions);
  EXPECT_EQ(batched.edges, graph.edges);
  EXPECT_EQ(batched.notes, graph.notes);
  ASSERT_EQ(batched.counts.size(), graph.counts.size());
  for (size_t c = 0; c < graph.counts.size(); ++c) {
    EXPECT_EQ(batched.counts[c].type, graph.counts[c].type);
    EXPECT_EQ(batched.counts[c].count, graph.counts[c].count);
  }
  ASSERT_EQ(batched.anomalies.size(), graph.anomalies.size());
  for (size_t i = 0; i < graph.anomalies.size(); ++i)
    EXPECT_EQ(batched.anomalies[i].explanation, graph.anomalies[i].explanation);
  // The version `txn` read of `row`, from the reads its attempt recorded.
  const auto version_read = [&](uint64_t txn, int row) -> std::optional<uint64_t> {
    const Records& log = sim.records()[static_cast<size_t>(txn_worker(txn))];
    const AttemptRecord& attempt = log.attempts[txn_index(txn)];
    for (uint32_t i = attempt.first_read; i < attempt.first_read + attempt.read_count; ++i)
      if (log.reads[i].key == row + 1) return log.reads[i].version;
    return std::nullopt;
  };
  for (const Anomaly& a : graph.anomalies) {
    SCOPED_TRACE(a.explanation);
    for (const AnomalyEdge& e : a.edges) {
      SCOPED_TRACE(e.explanation);
      const int row = static_cast<int>(e.key - 1);
      const TrueWrite* to_write = sim.true_write(e.to, row, false);
      const bool next = e.explanation.find("the next version") != std::string::npos;
      if (e.kind == "ww") {
        const TrueWrite* from_write = sim.true_write(e.from, row, true);
        ASSERT_TRUE(from_write && to_write);
        ASSERT_GE(from_write->committed, 0);
        EXPECT_LT(from_write->committed, to_write->ran);
        if (next) {
          EXPECT_EQ(to_write->replaced, e.from);
        }
      } else if (e.kind == "wr") {
        EXPECT_EQ(version_read(e.to, row), std::optional<uint64_t>(e.from));
      } else {
        ASSERT_EQ(e.kind, "rw");
        ASSERT_TRUE(to_write);
        const std::optional<uint64_t> seen = version_read(e.from, row);
        ASSERT_TRUE(seen.has_value());
        EXPECT_NE(*seen, e.to);
        if (*seen != 0) {
          EXPECT_LT(sim.true_write(*seen, row, true)->committed, to_write->ran);
        }
        if (next) {
          EXPECT_EQ(to_write->replaced, *seen);
        }
      }
      ++edges;
    }
  }
}

/// A transaction's last write of a row that happened: a write whose
/// connection broke after durable ones may not have.
const WriteRecord* last_write(const Records& log, uint64_t txn, int64_t key) {
  const WriteRecord* last = nullptr;
  for (const WriteRecord& w : log.writes)
    if (w.txn == txn && w.key == key && (!last || w.durability == last->durability)) last = &w;
  return last;
}

/// Checks every witness of one generated history against the truth.
/// Adds to `witnessed` how many lost writes its witnesses named, and to
/// `edges` how many dependency-graph edges it checked.
void check_history(const Workload& workload, const Config& config, uint64_t seed, size_t& witnessed,
                   size_t& edges) {
  SCOPED_TRACE(fmt::format("seed {} autocommit {} versions_known {}", seed, config.autocommit,
                           config.versions_known));
  Simulation sim(config, seed);
  sim.run();
  const auto final_state = sim.final_state();
  const LostUpdates lost = find_lost_updates(workload, sim.logs(), final_state, 100'000);

  // The truth: each row's chain of versions from its final writer back to the seed.
  std::set<std::pair<int, uint64_t>> on_chain;  // (row, txn)
  for (int row = 0; row < config.rows; ++row) {
    uint64_t v = static_cast<uint64_t>(final_state[0].at(row + 1)[2]);
    while (v != 0) {
      on_chain.insert({row, v});
      v = sim.true_write(v, row, false)->read_version;
    }
  }
  // Lost: recorded durable writes whose transaction is not on their row's chain.
  std::set<std::pair<int, uint64_t>> lost_truth;
  for (const Records& log : sim.records())
    for (const WriteRecord& w : log.writes)
      if (w.durability == Durability::durable && !on_chain.count({int(w.key - 1), w.txn}))
        lost_truth.insert({int(w.key - 1), w.txn});
  ASSERT_EQ(lost.count, static_cast<int64_t>(lost_truth.size()));

  const auto ancestors = [&](uint64_t txn, int row) {
    std::set<uint64_t> seen;
    for (const TrueWrite* w = sim.true_write(txn, row, false); w && w->read_version != 0;
         w = sim.true_write(w->read_version, row, false))
      if (!seen.insert(w->read_version).second) break;
    return seen;
  };
  const auto writer_log = [&](uint64_t txn) -> const Records& {
    return sim.records()[static_cast<size_t>(txn_worker(txn))];
  };

  std::set<std::pair<int, uint64_t>> listed;
  for (const Anomaly& a : lost.anomalies) {
    SCOPED_TRACE(a.explanation);
    const int row = static_cast<int>(a.key - 1);
    const WitnessTransaction& over = a.transactions.back();
    const TrueWrite* over_write = sim.true_write(over.id, row, false);
    ASSERT_NE(over_write, nullptr);
    // The version it read, and the value.
    EXPECT_EQ(a.version_read, over_write->read_version);
    const std::set<uint64_t> over_saw = ancestors(over.id, row);
    // Times read in the order the sentence states them, and are the recorded ones.
    const std::vector<double> times = times_in(a.explanation);
    EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
    const Records& over_log = writer_log(over.id);
    const AttemptRecord& over_attempt = over_log.attempts[txn_index(over.id)];
    const WriteRecord* over_last = last_write(over_log, over.id, a.key);
    ASSERT_NE(over_last, nullptr);
    EXPECT_EQ(over.write_ms, static_cast<double>(over_last->done_ns) / 1e6);
    EXPECT_NE(a.explanation.find(fmt::format("{} wrote {} at {}", txn_name(over.id),
                                             over.written_value, at(over.write_ms))),
              std::string::npos);
    if (!config.autocommit) {
      EXPECT_EQ(over.commit_ms, static_cast<double>(over_attempt.end_ns) / 1e6);
      EXPECT_NE(a.explanation.find("and committed at " + at(over.commit_ms) + ", overwriting"),
                std::string::npos);
    }
    EXPECT_LE(over.write_ms, over.commit_ms);
    for (size_t i = 0; i + 1 < a.transactions.size(); ++i) {
      const WitnessTransaction& l = a.transactions[i];
      SCOPED_TRACE(txn_name(l.id));
      EXPECT_NE(l.id, over.id);
      EXPECT_TRUE(lost_truth.count({row, l.id}));
      EXPECT_TRUE(listed.insert({row, l.id}).second) << "listed twice";
      // The overwriter never saw it.
      EXPECT_FALSE(over_saw.count(l.id));
      const TrueWrite* l_last = sim.true_write(*last_write(writer_log(l.id), l.id, a.key));
      ASSERT_NE(l_last, nullptr);
      ASSERT_GE(l_last->committed, 0);
      // The recorded commit time the sentence shows: COMMIT sent, or at
      // isolation none the write's own statement sent.
      const Records& l_log = writer_log(l.id);
      const AttemptRecord& l_attempt = l_log.attempts[txn_index(l.id)];
      const int64_t commit_sent =
          config.autocommit ? last_write(l_log, l.id, a.key)->sent_ns : l_attempt.commit_ns;
      EXPECT_EQ(l.commit_sent_ms, static_cast<double>(commit_sent) / 1e6);
      EXPECT_NE(a.explanation.find(fmt::format("{} wrote {} and committed at {}", txn_name(l.id),
                                               l.written_value, at(l.commit_sent_ms))),
                std::string::npos);
      EXPECT_LE(l.commit_sent_ms, over.write_ms);
      // In the database: it committed before the overwriting write ran. Exact
      // where the driver reports the version each write replaced; otherwise
      // the times decide, and only when they overlap can they not.
      const TrueWrite* over_erasing = sim.true_write(*over_last);
      ASSERT_NE(over_erasing, nullptr);
      const bool times_tell = over_last->sent_ns >= l_attempt.end_ns || config.versions_known;
      if (times_tell) {
        EXPECT_LT(l_last->committed, over_erasing->ran);
      }
      if (config.versions_known) {
        // And the overwriter is the first later write that did not descend from it.
        std::vector<const TrueWrite*> order;  // the row's committed writes, in version order
        for (const TrueWrite& w : sim.truth())
          if (w.row == row && w.committed >= 0) order.push_back(&w);
        std::stable_sort(order.begin(), order.end(), [](const TrueWrite* x, const TrueWrite* y) {
          return x->committed != y->committed ? x->committed < y->committed : x->ran < y->ran;
        });
        std::set<uint64_t> descendants = {l.id};
        uint64_t first_unseeing = 0;
        size_t first = order.size(), last = 0;  // its first and last write of the row
        for (size_t k = 0; k < order.size(); ++k)
          if (order[k]->txn == l.id) {
            first = std::min(first, k);
            last = k;
          }
        for (size_t k = first + 1; k < order.size(); ++k) {
          const TrueWrite* w = order[k];
          if (descendants.count(w->txn)) continue;
          if (k < last) {  // between its writes: erased by its own last write
            if (descendants.count(w->read_version)) descendants.insert(w->txn);
            continue;
          }
          if (descendants.count(w->read_version)) {
            descendants.insert(w->txn);
            continue;
          }
          first_unseeing = w->txn;
          break;
        }
        // A write whose connection broke reported no version number: past it
        // the overwriter found is a later unseeing write, if perhaps not the first.
        // Nor where two writes whose commits broke claim one number.
        bool gap = false;
        std::set<int64_t> uncertain;
        for (const Records& log : sim.records())
          for (const WriteRecord& w : log.writes) {
            if (w.key != a.key || w.durability == Durability::discarded) continue;
            gap = gap || w.version_number == 0;
            if (w.durability == Durability::maybe && !uncertain.insert(w.version_number).second)
              gap = true;
          }
        if (!gap) {
          EXPECT_EQ(first_unseeing, over.id);
        }
      }
    }
  }
  // Every lost write is listed, exactly once.
  EXPECT_EQ(listed.size(), lost_truth.size());
  witnessed += listed.size();
  if (!config.autocommit) check_graph_edges(workload, sim, final_state, edges);
}

TEST(WitnessPropertyTest, EveryWitnessAgreesWithTheHistory) {
  const Workload workload = load_workload_text(kCounters, "counters.yaml");
  int histories = 0;
  size_t witnessed = 0, edges = 0;
  for (bool autocommit : {true, false})
    for (bool versions_known : {true, false})
      for (uint64_t seed = 1; seed <= 150; ++seed) {
        Config config;
        config.autocommit = autocommit;
        config.versions_known = versions_known;
        config.workers = 2 + static_cast<int>(seed % 4);
        config.rows = 1 + static_cast<int>(seed % 3);
        check_history(workload, config, seed, witnessed, edges);
        ++histories;
        if (::testing::Test::HasFailure()) return;
      }
  EXPECT_EQ(histories, 600);
  EXPECT_GT(witnessed, 10'000u);
  EXPECT_GT(edges, 100u) << "the transactions' histories formed too few dependency cycles";
  std::cout << witnessed << " lost writes and " << edges << " dependency edges checked\n";
}

}  // namespace
}  // namespace clobber
