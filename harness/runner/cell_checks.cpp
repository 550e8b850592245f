#include "harness/runner/cell_checks.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <system_error>

#include <fmt/format.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "harness/check/dependency_graph.h"
#include "harness/check/timeline.h"

namespace clobber {
namespace {

constexpr size_t kMaxListedAnomalies = 100;
constexpr size_t kMaxListedErrors = 5;

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

/// Every invariant's result: the ones in `declared` (harness/check/invariants.h)
/// as they are, the SQL ones by their query.
std::vector<InvariantResult> check_invariants(
    Session& admin, const Workload& workload, const CellPlan& plan,
    const std::vector<InitialValue>& initial,
    std::vector<std::optional<InvariantResult>> declared) {
  std::vector<InvariantResult> results;
  for (size_t i = 0; i < workload.invariants.size(); ++i) {
    if (declared[i]) {
      results.push_back(std::move(*declared[i]));
      continue;
    }
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

/// Gives the system back the free memory of every malloc arena.
void release_free_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace

CellStart record_cell_start(Session& admin, const Workload& workload, const CellPlan& plan) {
  CellStart start;
  std::vector<TableSnapshot>& seed = start.seed;
  for (const TableDef& table : workload.tables) seed.push_back(snapshot_of_seed(table));
  start.declared_initial = initial_invariant_values(workload, seed);
  std::vector<InitialValue>& initial = start.initial;
  initial.resize(workload.invariants.size());
  for (size_t i = 0; i < workload.invariants.size(); ++i) {
    if (!workload.invariants[i].against_initial ||
        workload.invariants[i].form != Invariant::Form::sql || plan.invariant_sql[i].empty())
      continue;
    try {
      initial[i].value = scalar(admin, plan.invariant_sql[i]);
    } catch (const DatabaseError& e) {
      initial[i].error = e.what();
    }
  }

  return start;
}

bool tally_workers(const std::vector<WorkerLog>& logs, int workers, CellResult& cell) {
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
  merge_errors(logs, cell);
  cell.throughput_tps = cell.duration_s > 0 ? cell.transactions.committed / cell.duration_s : 0;
  cell.latency_ms =
      LatencySummary{latency.quantile(0.50) / 1000, latency.quantile(0.95) / 1000,
                     latency.quantile(0.99) / 1000, static_cast<double>(latency.max()) / 1000};
  for (const LatencyHistogram::Bucket& bucket : latency.coarse_buckets())
    cell.latency_histogram.push_back(LatencyBucket{static_cast<double>(bucket.below_micros) / 1000,
                                                   static_cast<int64_t>(bucket.count)});
  cell.timeline = build_timeline(logs, cell.duration_s);
  if (errors == 0) return true;
  cell.status = CellStatus::error;
  cell.reason = fmt::format("{} of {} workers failed: {}", errors, workers, cell.reason);
  cell.passed = false;
  return false;
}

void check_cell(Session& admin, const Workload& workload, const CellPlan& plan, CellStart start,
                const std::vector<WorkerLog>& logs, bool runs_sql, bool cut_short,
                CellResult& cell) {
  std::vector<TableSnapshot> final_state;
  std::vector<bool> checked;
  for (size_t t = 0; t < workload.tables.size(); ++t) {
    final_state.push_back(snapshot_of_database(admin, workload.tables[t], plan.tables[t]));
    checked.push_back(plan.tables[t].exactly_checked);
  }
  cell.ledger = check_ledger(workload, checked, start.seed, final_state, logs);
  start.seed = {};  // only the ledger needed it: the later checks get its memory
  release_free_memory();
  LostUpdates lost = find_lost_updates(workload, logs, final_state, kMaxListedAnomalies);
  cell.lost_updates = lost.count;
  cell.anomalies = std::move(lost.anomalies);
  cell.anomalies_total = lost.groups;
  if (lost.groups > 0) cell.anomaly_counts.push_back(AnomalyCount{"lost_update", lost.groups});
  if (auto note = raw_sql_note(workload)) cell.notes.push_back(*note);
  if (plan.isolation == Isolation::none) {
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
  cell.invariants = check_invariants(
      admin, workload, plan, start.initial,
      check_declarative_invariants(workload, start.declared_initial, final_state, runs_sql));
  if (cut_short)
    cell.notes.push_back(
        "stopped by Ctrl-C: statements were cancelled, so the defaults 'something committed' and "
        "'no transaction failed by an unexpected error' were not applied");
  apply_expectations(workload, cell, cut_short);
}

}  // namespace clobber
