#include "harness/runner/cell_runner.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <latch>
#include <random>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "harness/check/checks.h"
#include "harness/check/dependency_graph.h"
#include "harness/check/timeline.h"
#include "harness/plan/cell_plan.h"
#include "harness/runner/cell_tables.h"
#include "harness/runner/chaos.h"
#include "harness/runner/interrupt.h"
#include "harness/runner/reconnect.h"
#include "harness/runner/single_writer.h"
#include "harness/runner/worker.h"

namespace clobber {
namespace {

constexpr size_t kMaxListedAnomalies = 100;
constexpr size_t kMaxListedErrors = 5;

std::string random_prefix() {
  std::random_device device;
  return fmt::format("clobber_{:08x}_", device());
}

int64_t parse_int(const std::string& text, const std::string& what) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    throw DatabaseError(what + " returned '" + text + "', not an integer");
  return value;
}

TableSnapshot snapshot_of_seed(const TableDef& table) {
  TableSnapshot snapshot;
  const auto integers = table.integer_columns();
  for (const auto& row : seed_rows(table)) {
    std::vector<int64_t> values;
    for (size_t c : integers) values.push_back(std::get<int64_t>(row[c]));
    snapshot.emplace(std::get<int64_t>(row[table.key_column]), std::move(values));
  }
  return snapshot;
}

TableSnapshot snapshot_of_database(Session& admin, const TableDef& table, const TablePlan& plan) {
  TableSnapshot snapshot;
  const auto& integers = plan.integer_columns;
  size_t key_position = 0;
  for (size_t i = 0; i < integers.size(); ++i)
    if (integers[i] == table.key_column) key_position = i;
  for (std::vector<int64_t>& values : admin.read_rows(plan.shape, integers)) {
    const int64_t key = values[key_position];
    snapshot.emplace(key, std::move(values));
  }
  return snapshot;
}

/// The first column of the first row of an invariant's query, as text; run
/// read-only, so the server refuses any write the checker missed.
std::optional<std::string> scalar(Session& admin, const std::string& sql) {
  const QueryRows rows = admin.read_only_query(sql);
  if (rows.rows.empty() || rows.rows[0].empty()) return std::nullopt;
  return rows.rows[0][0];
}

/// An invariant's value at the start (against `initial`): its text, or why its
/// SQL failed.
struct InitialValue {
  std::optional<std::string> value;
  std::string error;
};

std::vector<InvariantResult> check_invariants(Session& admin, const Workload& workload,
                                              const CellPlan& plan,
                                              const std::vector<InitialValue>& initial) {
  std::vector<InvariantResult> results;
  for (size_t i = 0; i < workload.invariants.size(); ++i) {
    const Invariant& invariant = workload.invariants[i];
    InvariantResult result;
    result.name = invariant.name;
    const char* op = invariant.compare == Invariant::Compare::equals     ? "= "
                     : invariant.compare == Invariant::Compare::at_least ? ">= "
                                                                         : "<= ";
    // A query that fails (bad SQL, a lost server, a non-integer) fails its
    // invariant with the error text; the other invariants are still checked.
    try {
      bool has_target = true;
      int64_t target = invariant.value;
      if (invariant.against_initial) {
        if (!initial[i].error.empty()) throw DatabaseError("initial value: " + initial[i].error);
        has_target = initial[i].value.has_value();
        if (has_target) target = parse_int(*initial[i].value, invariant.name);
      }
      result.expected = op + (has_target ? std::to_string(target) : std::string("NULL"));
      const auto actual = scalar(admin, plan.invariant_sql[i]);
      result.actual = actual ? *actual : "NULL";
      if (actual && has_target) {
        const int64_t value = parse_int(*actual, "invariant '" + invariant.name + "'");
        switch (invariant.compare) {
          case Invariant::Compare::equals:
            result.passed = value == target;
            break;
          case Invariant::Compare::at_least:
            result.passed = value >= target;
            break;
          case Invariant::Compare::at_most:
            result.passed = value <= target;
            break;
        }
      }
    } catch (const DatabaseError& e) {
      if (result.expected.empty())
        result.expected = op + (invariant.against_initial ? std::string("initial")
                                                          : std::to_string(invariant.value));
      result.actual = "error";
      result.error = e.what();
      result.passed = false;
    }
    results.push_back(std::move(result));
  }
  return results;
}

/// The cell's distinct unexpected errors, summed over workers by code, in
/// order of first sight; the first kMaxListedErrors are listed.
void merge_errors(const std::vector<WorkerLog>& logs, CellResult& cell) {
  std::vector<CellError> all;
  for (const WorkerLog& log : logs) {
    for (const ErrorTally& tally : log.errors) {
      auto same = std::find_if(all.begin(), all.end(),
                               [&](const CellError& e) { return e.code == tally.code; });
      if (same == all.end()) {
        all.push_back(CellError{tally.code, tally.message, tally.count});
      } else {
        same->count += tally.count;
      }
    }
  }
  cell.errors_total = static_cast<int64_t>(all.size());
  if (all.size() > kMaxListedErrors) all.resize(kMaxListedErrors);
  cell.errors = std::move(all);
}

/// Starts `body` on a new thread appended to `threads`; returns why not when
/// the operating system refuses one.
template <typename Body>
std::optional<std::string> start_thread(std::vector<std::thread>& threads, Body&& body) {
  try {
    threads.emplace_back(std::forward<Body>(body));
  } catch (const std::system_error& e) {
    return e.what();
  }
  return std::nullopt;
}

/// Gives the system back the free memory of every malloc arena.
void release_free_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

CellResult unsupported(CellResult cell, std::string reason) {
  cell.status = CellStatus::unsupported;
  cell.reason = std::move(reason);
  cell.passed = true;
  return cell;
}

}  // namespace

CellResult cell_heading(const Driver& driver, const CellSpec& spec) {
  CellResult cell;
  cell.database.kind = driver.kind();
  cell.database.server_version = spec.server_version;
  cell.database.url = driver.url().masked;
  cell.database.settings = spec.settings;
  cell.isolation = spec.isolation;
  cell.locking = spec.locking;
  cell.workers = spec.workers;
  return cell;
}

CellResult run_cell(const Workload& workload, Driver& driver, const CellSpec& spec,
                    const std::atomic<bool>& stop) {
  CellResult cell = cell_heading(driver, spec);
#ifdef __GLIBC__
  // Arrays of 1 MiB and more (the checks' own, each freed when its phase
  // ends) are mapped and unmapped, not left in the heap where glibc's moving
  // threshold puts them after the first large free: the checks' peak memory
  // is then their largest phase, not a sum of phases.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
  if (auto reason = driver.unsupported_isolation(spec.isolation)) return unsupported(cell, *reason);
  if (auto reason = driver.unsupported_locking(spec.locking)) return unsupported(cell, *reason);
  auto planned =
      plan_cell(workload, driver.traits(), spec.isolation, spec.locking, random_prefix());
  if (auto* reason = std::get_if<std::string>(&planned)) return unsupported(cell, *reason);
  const CellPlan& plan = std::get<CellPlan>(planned);

  // The admin connection survives losses too (reconnects until the deadline).
  auto resilient =
      std::make_unique<ResilientSession>(driver.connect(), spec.reconnect_timeout, stop);
  ResilientSession& admin_connection = *resilient;
  std::unique_ptr<Session> admin = std::move(resilient);
  CellTables tables(*admin, workload, plan, *spec.registry, stop);
  tables.create();
  std::vector<TableSnapshot> seed;
  for (const TableDef& table : workload.tables) seed.push_back(snapshot_of_seed(table));
  std::vector<InitialValue> initial(workload.invariants.size());
  for (size_t i = 0; i < workload.invariants.size(); ++i) {
    if (!workload.invariants[i].against_initial) continue;
    try {
      initial[i].value = scalar(*admin, plan.invariant_sql[i]);
    } catch (const DatabaseError& e) {
      initial[i].error = e.what();
    }
  }

  WorkerShared shared;
  shared.plan = &plan;
  shared.retry = &workload.run.retry;
  shared.stop = &stop;
  shared.reconnect_timeout = spec.reconnect_timeout;
  shared.record_history = spec.record_history;
  uint64_t weight = 0;
  for (const TransactionType& type : workload.transactions) {
    std::vector<PreparedGenerator> generators;
    for (const ParamDef& param : type.params) generators.emplace_back(param.generator);
    shared.generators.push_back(std::move(generators));
    weight += type.weight;
    shared.cumulative_weights.push_back(weight);
  }

  // Each worker thread opens its own session, except in single_writer mode,
  // where one leader session (an extra thread, logged last) runs everything.
  const int n = spec.workers;
  const bool single_writer = spec.locking == Locking::single_writer;
  const int threads_total = single_writer ? n + 1 : n;
  SingleWriterQueue queue;
  if (single_writer) shared.single_writer = &queue;
  const bool chaos = spec.chaos_kill_rate > 0;
  BackendIds backend_ids(chaos ? static_cast<size_t>(threads_total) : 0);
  if (chaos) shared.backend_ids = &backend_ids;
  std::vector<WorkerLog> logs(static_cast<size_t>(threads_total));
  std::unique_ptr<LiveCounters[]> live;  // only when progress is shown
  if (spec.on_progress) {
    live = std::make_unique<LiveCounters[]>(static_cast<size_t>(threads_total));
    shared.live = live.get();
  }
  std::latch ready(threads_total);
  std::latch go(1);
  std::string launch_error;  // written before `go` opens, read after
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(threads_total));
  for (int w = 0; w < threads_total; ++w) {
    const bool leader = single_writer && w == n;
    int64_t quota = -1;
    if (spec.transactions) quota = *spec.transactions / n + (w < *spec.transactions % n ? 1 : 0);
    const std::optional<std::string> refused = start_thread(threads, [&, w, quota, leader] {
      WorkerLog& log = logs[static_cast<size_t>(w)];
      std::unique_ptr<Session> session;
      std::vector<StatementHandle> handles;
      if (leader || !single_writer) {
        try {
          session = connect_until(driver, spec.reconnect_timeout, stop);
          for (const Operation& operation : plan.operations)
            handles.push_back(session->prepare(operation));
          if (chaos) backend_ids[static_cast<size_t>(w)].store(backend_number(*session));
        } catch (const std::exception& e) {
          log.error = e.what();
        }
      }
      const CancelScope cancellable(session.get());  // Ctrl-C cancels its statements
      ready.count_down();
      go.wait();
      if (!launch_error.empty()) return;
      try {
        Worker worker(w, mix_seed(spec.seed + static_cast<uint64_t>(w) + 1), shared, session.get(),
                      std::move(handles), log);
        if (leader) {
          worker.lead(queue);  // answers every request, even after an error
        } else if (log.error.empty()) {
          worker.run(quota);
        }
      } catch (const std::exception& e) {
        log.error = e.what();
      }
    });
    if (refused) {
      // The operating system refused a thread (RLIMIT_NPROC, memory): release
      // the ones already started and end the cell as an error.
      launch_error =
          fmt::format("could not start worker thread {} of {}: {}", w + 1, threads_total, *refused);
      ready.count_down(threads_total - w);
      break;
    }
  }
  ready.wait();
  std::optional<Chaos> chaos_thread;  // started once every worker has its connection
  if (chaos && launch_error.empty()) {
    try {
      chaos_thread.emplace(*admin, spec.chaos_kill_rate, backend_ids,
                           mix_seed(spec.seed ^ 0xc4a05));
    } catch (const std::system_error& e) {
      launch_error = fmt::format("could not start the chaos thread: {}", e.what());
    }
  }
  shared.origin = std::chrono::steady_clock::now();
  shared.deadline = shared.origin + spec.duration.value_or(std::chrono::seconds(5));
  go.count_down();
  if (!launch_error.empty()) {
    for (std::thread& thread : threads) thread.join();
    cell.status = CellStatus::error;
    cell.reason = launch_error;
    cell.passed = false;
    return cell;
  }
  std::optional<ProgressSampler> progress;
  if (spec.on_progress) {
    CellProgress heading;
    heading.cell = spec.cell_number;
    heading.cells = spec.cell_count;
    heading.kind = driver.kind();
    heading.server_version = spec.server_version;
    heading.isolation = spec.isolation;
    heading.locking = spec.locking;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    if (!spec.transactions) deadline = shared.deadline;
    try {
      progress.emplace(live.get(), static_cast<size_t>(threads_total), std::move(heading),
                       shared.origin, deadline, spec.transactions, spec.progress_interval,
                       spec.on_progress);
    } catch (const std::system_error&) {
      // No thread for progress lines: the cell runs without them.
    }
  }
  for (int w = 0; w < n; ++w) threads[static_cast<size_t>(w)].join();
  if (single_writer) {
    queue.close();
    threads.back().join();
  }
  progress.reset();
  // The workers' sessions are closed: what their threads freed (SQLite page
  // caches, driver buffers) goes back before the checks allocate theirs.
  release_free_memory();
  cell.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - shared.origin).count();
  if (chaos_thread) {
    cell.chaos.kill_rate = spec.chaos_kill_rate;
    cell.chaos.kills = chaos_thread->stop();
  }

  LatencyHistogram latency;
  int errors = 0;
  for (const WorkerLog& log : logs) {
    const WorkerCounters& c = log.counters;
    cell.transactions.attempted += c.attempted;
    cell.transactions.committed += c.committed;
    cell.transactions.rejected += c.rejected;
    cell.transactions.failed += c.failed;
    cell.transactions.indeterminate += c.indeterminate;
    cell.transactions.failed_by_error += c.failed_by_error;
    cell.chaos.reconnects += c.reconnects;
    cell.retries += c.retries;
    cell.aborts.serialization += c.aborts[static_cast<int>(AbortCause::serialization)];
    cell.aborts.deadlock += c.aborts[static_cast<int>(AbortCause::deadlock)];
    cell.aborts.lock_timeout += c.aborts[static_cast<int>(AbortCause::lock_timeout)];
    cell.aborts.conflict += c.aborts[static_cast<int>(AbortCause::conflict)];
    cell.aborts.other += c.aborts[static_cast<int>(AbortCause::connection)] +
                         c.aborts[static_cast<int>(AbortCause::other)];
    latency.merge(log.latency);
    if (!log.error.empty() && errors++ == 0) cell.reason = log.error;
  }
  cell.chaos.reconnects += admin_connection.reconnects();
  merge_errors(logs, cell);
  cell.throughput_tps = cell.duration_s > 0 ? cell.transactions.committed / cell.duration_s : 0;
  cell.latency_ms =
      LatencySummary{latency.quantile(0.50) / 1000, latency.quantile(0.95) / 1000,
                     latency.quantile(0.99) / 1000, static_cast<double>(latency.max()) / 1000};
  for (const LatencyHistogram::Bucket& bucket : latency.coarse_buckets())
    cell.latency_histogram.push_back(LatencyBucket{static_cast<double>(bucket.below_micros) / 1000,
                                                   static_cast<int64_t>(bucket.count)});
  cell.timeline = build_timeline(logs, cell.duration_s);
  if (errors > 0) {
    cell.status = CellStatus::error;
    cell.reason = fmt::format("{} of {} workers failed: {}", errors, n, cell.reason);
    cell.passed = false;
    return cell;
  }

  if (!spec.record_history) {
    cell.reason = "history not recorded: no ledger, lost-update or invariant check";
    return cell;
  }
  std::vector<TableSnapshot> final_state;
  std::vector<bool> checked;
  for (size_t t = 0; t < workload.tables.size(); ++t) {
    final_state.push_back(snapshot_of_database(*admin, workload.tables[t], plan.tables[t]));
    checked.push_back(plan.tables[t].exactly_checked);
  }
  cell.ledger = check_ledger(workload, checked, seed, final_state, logs);
  seed = {};  // only the ledger needed it: the later checks get its memory
  release_free_memory();
  LostUpdates lost = find_lost_updates(workload, logs, final_state, kMaxListedAnomalies);
  cell.lost_updates = lost.count;
  cell.anomalies = std::move(lost.anomalies);
  cell.anomalies_total = lost.groups;
  if (lost.groups > 0) cell.anomaly_counts.push_back(AnomalyCount{"lost_update", lost.groups});
  if (auto note = raw_sql_note(workload)) cell.notes.push_back(*note);
  if (spec.isolation == Isolation::none) {
    cell.notes.push_back(kNoTransactionsNote);
  } else {
    DependencyGraph graph =
        check_dependency_graph(workload, logs, final_state, kMaxListedAnomalies);
    // Both kinds stay in view: lost updates give up listed places beyond half.
    const size_t lost_listed =
        std::min(cell.anomalies.size(),
                 kMaxListedAnomalies - std::min(graph.anomalies.size(), kMaxListedAnomalies / 2));
    cell.anomalies.resize(lost_listed);
    graph.anomalies.resize(std::min(graph.anomalies.size(), kMaxListedAnomalies - lost_listed));
    std::move(graph.anomalies.begin(), graph.anomalies.end(), std::back_inserter(cell.anomalies));
    cell.anomalies_total += graph.total;
    cell.anomaly_counts.insert(cell.anomaly_counts.end(), graph.counts.begin(), graph.counts.end());
    cell.notes.insert(cell.notes.end(), graph.notes.begin(), graph.notes.end());
  }
  cell.invariants = check_invariants(*admin, workload, plan, initial);
  const bool cut_short = stop.load();
  if (cut_short)
    cell.notes.push_back(
        "stopped by Ctrl-C: statements were cancelled, so the defaults 'something committed' and "
        "'no transaction failed by an unexpected error' were not applied");
  apply_expectations(workload, cell, cut_short);
  return cell;
}

}  // namespace clobber
