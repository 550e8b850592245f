#include "harness/runner/cell_workers.h"

#include <latch>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "harness/runner/chaos.h"
#include "harness/runner/interrupt.h"
#include "harness/runner/reconnect.h"
#include "harness/runner/single_writer.h"
#include "harness/runner/worker.h"

namespace clobber {
namespace {

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

}  // namespace

CellWorkers run_cell_workers(const Workload& workload, Driver& driver, const CellSpec& spec,
                             const CellPlan& plan, Session& admin, const std::atomic<bool>& stop) {
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
  CellWorkers run;
  run.logs.resize(static_cast<size_t>(threads_total));
  std::vector<WorkerLog>& logs = run.logs;
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
      chaos_thread.emplace(admin, spec.chaos_kill_rate, backend_ids, mix_seed(spec.seed ^ 0xc4a05));
    } catch (const std::system_error& e) {
      launch_error = fmt::format("could not start the chaos thread: {}", e.what());
    }
  }
  shared.origin = std::chrono::steady_clock::now();
  shared.deadline = shared.origin + spec.duration.value_or(std::chrono::seconds(5));
  go.count_down();
  if (!launch_error.empty()) {
    for (std::thread& thread : threads) thread.join();
    run.launch_error = std::move(launch_error);
    return run;
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
  run.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - shared.origin).count();
  if (chaos_thread) run.chaos_kills = chaos_thread->stop();
  return run;
}

}  // namespace clobber
