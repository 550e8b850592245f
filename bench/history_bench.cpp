// Microbenchmarks of the exact-history checks (find_lost_updates and
// check_dependency_graph) over generated histories: each transaction reads two
// of 10,000 rows and writes one of them, spread over 16 workers, with 2 % of
// first attempts aborted and retried. "serial" histories are anomaly-free;
// "anomalies" ones inject a write skew or a lost update every 1,000
// transactions. Counters: history_bytes (the encoded logs, History::bytes),
// check_bytes (the largest the dependency-graph check's own arrays were),
// peak_rss.
//
//   build-graph/bench/history_bench --benchmark_counters_tabular=true
#include <sys/resource.h>

#include <map>
#include <utility>

#include <benchmark/benchmark.h>

#include "harness/check/dependency_graph.h"
#include "harness/workload/workload_loader.h"

namespace clobber {
namespace {

constexpr int kWorkers = 16;
constexpr int64_t kRows = 10'000;
constexpr int kAnomalyEvery = 1'000;
constexpr int kAbortEvery = 50;

const char* kWorkload = R"(
name: generated
description: two reads and one write over 10,000 rows
tables:
  accounts:
    columns: {id: int, balance: bigint}
    key: id
    generate: {count: 10000, values: {balance: 1000}}
transactions:
  transfer:
    params: {a: {uniform: [1, 10000]}, b: {uniform: [1, 10000]}}
    steps:
      - read: {table: accounts, key: a, as: x}
      - read: {table: accounts, key: b, as: y}
      - write: {row: x, set: {balance: x.balance + 1}}
)";

/// A recorded history and the final rows it left.
struct History {
  std::vector<WorkerLog> logs;
  std::vector<TableSnapshot> final_state;
  int64_t bytes = 0;
};

/// Builds histories as the workers record them (WorkerLog::end_attempt),
/// against an in-memory table.
class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed), rows_(static_cast<size_t>(kRows + 1)) {
    logs_.resize(kWorkers);
    open_.resize(kWorkers);
    for (int w = 0; w < kWorkers; ++w) logs_[static_cast<size_t>(w)].worker = w;
    for (Row& row : rows_) row.value = 1000;
  }

  History run(int64_t transactions, bool anomalies) {
    for (int64_t i = 0; i < transactions; ++i) {
      const int worker = static_cast<int>(i % kWorkers);
      const int64_t a = pick(), b = other(a);
      if (anomalies && i % kAnomalyEvery == kAnomalyEvery - 1) {
        inject(worker, a, b, (i / kAnomalyEvery) % 2 == 0);
        ++i;  // the injected pair counts two transactions
        continue;
      }
      if (i % kAbortEvery == 0) {
        const uint64_t id = begin(worker, AttemptOutcome::aborted);
        read(worker, a);
        read(worker, b);
        write(worker, id, a, rows_[static_cast<size_t>(a)], Durability::discarded, false);
        end(worker);
      }
      const uint64_t id = begin(worker, AttemptOutcome::committed);
      read(worker, a);
      read(worker, b);
      write(worker, id, a, rows_[static_cast<size_t>(a)], Durability::durable, true);
      end(worker);
    }
    History h;
    h.final_state.resize(1);
    for (int64_t key = 1; key <= kRows; ++key) {
      const Row& row = rows_[static_cast<size_t>(key)];
      h.final_state[0].emplace(
          key, std::vector<int64_t>{key, row.value, static_cast<int64_t>(row.writer)});
    }
    for (const WorkerLog& log : logs_) h.bytes += log.history.bytes();
    h.logs = std::move(logs_);
    return h;
  }

 private:
  struct Row {
    uint64_t writer = 0;
    int64_t number = 0;
    int64_t value = 0;
  };

  uint64_t next() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return rng_;
  }
  int64_t pick() { return 1 + static_cast<int64_t>(next() % kRows); }
  int64_t other(int64_t a) { return 1 + (a + static_cast<int64_t>(next() % (kRows - 1))) % kRows; }

  uint64_t begin(int worker, AttemptOutcome outcome) {
    const WorkerLog& log = logs_[static_cast<size_t>(worker)];
    AttemptRecord& attempt = open_[static_cast<size_t>(worker)];
    attempt = AttemptRecord{};
    attempt.id = make_txn_id(worker, log.attempts());
    attempt.outcome = outcome;
    attempt.cause =
        outcome == AttemptOutcome::aborted ? AbortCause::serialization : AbortCause::none;
    attempt.start_ns = clock_ += 1000;
    return attempt.id;
  }

  void end(int worker) {
    WorkerLog& log = logs_[static_cast<size_t>(worker)];
    AttemptRecord& attempt = open_[static_cast<size_t>(worker)];
    attempt.end_ns = clock_ += 1000;
    attempt.read_count = static_cast<uint32_t>(log.reads.size());
    attempt.write_count = static_cast<uint32_t>(log.writes.size());
    log.end_attempt(attempt);
  }

  void read(int worker, int64_t key, const Row* seen = nullptr) {
    WorkerLog& log = logs_[static_cast<size_t>(worker)];
    const Row& row = seen ? *seen : rows_[static_cast<size_t>(key)];
    ReadRecord& r = log.reads.emplace_back();
    r.key = key;
    r.version = row.writer;
    r.version_number = row.number;
    r.first_value = static_cast<uint32_t>(log.values.size());
    r.value_count = 2;
    log.values.push_back(key);
    log.values.push_back(row.value);
  }

  /// Writes `key` from what `read` saw, over the current version of the row.
  void write(int worker, uint64_t id, int64_t key, Row read, Durability durability, bool apply) {
    WorkerLog& log = logs_[static_cast<size_t>(worker)];
    Row& row = rows_[static_cast<size_t>(key)];
    WriteRecord& w = log.writes.emplace_back();
    w.key = key;
    w.txn = id;
    w.version_read = read.writer;
    w.overwrote = row.writer;
    w.version_number = row.number + 1;
    w.first_change = static_cast<uint32_t>(log.changes.size());
    w.change_count = 1;
    w.durability = durability;
    log.changes.push_back(ColumnChange{1, read.value, read.value + 1});
    if (apply) row = Row{id, row.number + 1, read.value + 1};
  }

  /// Two transactions that read the same versions: a write skew (each writes
  /// the row the other only read) or a lost update (both write the same row).
  void inject(int worker, int64_t a, int64_t b, bool write_skew) {
    const int partner = (worker + 1) % kWorkers;
    const Row seen_a = rows_[static_cast<size_t>(a)], seen_b = rows_[static_cast<size_t>(b)];
    const uint64_t first = begin(worker, AttemptOutcome::committed);
    read(worker, a, &seen_a);
    read(worker, b, &seen_b);
    const uint64_t second = begin(partner, AttemptOutcome::committed);
    read(partner, a, &seen_a);
    read(partner, b, &seen_b);
    write(worker, first, a, seen_a, Durability::durable, true);
    end(worker);
    write(partner, second, write_skew ? b : a, write_skew ? seen_b : seen_a, Durability::durable,
          true);
    end(partner);
  }

  uint64_t rng_;
  int64_t clock_ = 0;
  std::vector<Row> rows_;
  std::vector<WorkerLog> logs_;
  std::vector<AttemptRecord> open_;  // each worker's attempt being recorded
};

const Workload& workload() {
  static const Workload w = load_workload_text(kWorkload, "generated.yaml");
  return w;
}

/// The history for (transactions, anomalies), generated once.
const History& history(int64_t transactions, bool anomalies) {
  static std::map<std::pair<int64_t, bool>, History> cache;
  auto it = cache.find({transactions, anomalies});
  if (it == cache.end())
    it =
        cache
            .emplace(std::pair{transactions, anomalies}, Generator(42).run(transactions, anomalies))
            .first;
  return it->second;
}

double peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;
}

void BM_FindLostUpdates(benchmark::State& state) {
  const History& h = history(state.range(0), state.range(1) != 0);
  int64_t lost = 0;
  for (auto _ : state) {
    const LostUpdates result = find_lost_updates(workload(), h.logs, h.final_state, 100);
    lost = result.count;
    benchmark::DoNotOptimize(lost);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["lost_updates"] = static_cast<double>(lost);
  state.counters["history_bytes"] = static_cast<double>(h.bytes);
  state.counters["peak_rss"] = peak_rss_bytes();
}

void BM_CheckDependencyGraph(benchmark::State& state) {
  const History& h = history(state.range(0), state.range(1) != 0);
  DependencyGraph result;
  for (auto _ : state) {
    result = check_dependency_graph(workload(), h.logs, h.final_state, 100);
    benchmark::DoNotOptimize(result.total);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["anomalies"] = static_cast<double>(result.total);
  state.counters["edges"] = static_cast<double>(result.edges);
  state.counters["history_bytes"] = static_cast<double>(h.bytes);
  state.counters["check_bytes"] = static_cast<double>(result.peak_bytes);
  state.counters["peak_rss"] = peak_rss_bytes();
}

// Arguments: transactions, anomalies injected (0: serial history). 5,000,000
// is a ten-minute run at 8,000 tps: the time per transaction must not grow.
BENCHMARK(BM_FindLostUpdates)
    ->ArgsProduct({{100'000, 1'000'000, 5'000'000}, {0, 1}})
    ->ArgNames({"txns", "anomalies"})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CheckDependencyGraph)
    ->ArgsProduct({{100'000, 1'000'000, 5'000'000}, {0, 1}})
    ->ArgNames({"txns", "anomalies"})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace clobber

BENCHMARK_MAIN();
