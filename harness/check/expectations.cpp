#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "harness/check/checks.h"

namespace clobber {
namespace {

/// The value of a named metric on a cell; nullopt for an unknown name (the
/// loader rejects those, so this only guards against drift).
std::optional<double> metric_value(const CellResult& cell, const std::string& metric) {
  const auto d = [](int64_t v) { return static_cast<double>(v); };
  if (metric == "lost_updates") return d(cell.lost_updates);
  if (metric == "lost_amount") return d(cell.ledger.lost_amount);
  if (metric == "committed") return d(cell.transactions.committed);
  if (metric == "rejected") return d(cell.transactions.rejected);
  if (metric == "failed") return d(cell.transactions.failed);
  if (metric == "indeterminate") return d(cell.transactions.indeterminate);
  if (metric == "retries") return d(cell.retries);
  if (metric == "aborts") return d(cell.aborts.total());
  if (metric == "aborts.serialization") return d(cell.aborts.serialization);
  if (metric == "aborts.deadlock") return d(cell.aborts.deadlock);
  if (metric == "aborts.lock_timeout") return d(cell.aborts.lock_timeout);
  if (metric == "aborts.conflict") return d(cell.aborts.conflict);
  if (metric == "aborts.other") return d(cell.aborts.other);
  if (metric == "abort_rate") return cell.abort_rate();
  if (metric == "throughput_tps") return cell.throughput_tps;
  if (metric == "anomalies") return d(cell.anomalies_total);
  if (metric == "latency_ms.p50") return cell.latency_ms.p50;
  if (metric == "latency_ms.p95") return cell.latency_ms.p95;
  if (metric == "latency_ms.p99") return cell.latency_ms.p99;
  if (metric == "latency_ms.max") return cell.latency_ms.max;
  return std::nullopt;
}

/// A default or a rule's demand on a yes/no property of the cell.
enum class Want { yes, no, any };

Want want_of(const std::optional<bool>& value, bool any) {
  if (any || !value) return Want::any;
  return *value ? Want::yes : Want::no;
}

template <typename T>
bool selects(const std::vector<T>& wanted, T value) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), value) != wanted.end();
}

bool rule_selects(const ExpectRule& rule, const CellResult& cell) {
  return selects(rule.databases, cell.database.kind) && selects(rule.isolation, cell.isolation) &&
         selects(rule.locking, cell.locking);
}

std::string format_number(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v)))
    return std::to_string(static_cast<int64_t>(v));
  return fmt::format("{:.4g}", v);
}

std::string describe(const MetricBound& bound) {
  std::string text = bound.metric;
  if (bound.min && bound.max && *bound.min == *bound.max) {
    text += " = " + format_number(*bound.min);
  } else {
    if (bound.min) text += " >= " + format_number(*bound.min);
    if (bound.min && bound.max) text += " and";
    if (bound.max)
      text += (bound.min ? " " + bound.metric : std::string()) + " <= " + format_number(*bound.max);
  }
  return text;
}

std::string origin(const SourceLocation& where) {
  if (where.line > 0) return " (" + where.str() + ")";
  return where.file.empty() ? " (default)" : " (" + where.file + ")";
}

}  // namespace

void apply_expectations(const Workload& workload, CellResult& cell, bool cut_short) {
  // Defaults first; a selecting rule that names the same thing replaces it.
  // No green without a run: something must commit (a rule bounding
  // `committed` replaces this), and no transaction may fail by an unexpected
  // error (a rule bounding `failed` allows them).
  std::vector<MetricBound> bounds = {MetricBound{"lost_updates", 0.0, 0.0, {}}};
  if (!cut_short) bounds.push_back(MetricBound{"committed", 1.0, std::nullopt, {}});
  bool failures_bounded = cut_short;
  // Lost updates are anomalies too, bounded by the lost_updates default; every
  // other anomaly (the dependency graph's) must be absent unless a rule bounds
  // `anomalies`, which counts them all.
  bool other_anomalies_bounded = false;
  Want invariants_hold = Want::yes;
  SourceLocation invariants_where;
  Want ledger_balanced = Want::yes;
  SourceLocation ledger_where;
  for (const ExpectRule& rule : workload.expect) {
    if (!rule_selects(rule, cell)) continue;
    for (const MetricBound& bound : rule.bounds) {
      other_anomalies_bounded = other_anomalies_bounded || bound.metric == "anomalies";
      failures_bounded = failures_bounded || bound.metric == "failed";
      auto same = std::find_if(bounds.begin(), bounds.end(), [&](const MetricBound& b) {
        return b.metric == bound.metric && b.where.file.empty();
      });
      if (same != bounds.end()) bounds.erase(same);
      bounds.push_back(bound);
    }
    if (rule.invariants_hold || rule.invariants_any) {
      invariants_hold = want_of(rule.invariants_hold, rule.invariants_any);
      invariants_where = rule.where;
    }
    if (rule.ledger_balanced || rule.ledger_any) {
      ledger_balanced = want_of(rule.ledger_balanced, rule.ledger_any);
      ledger_where = rule.where;
    }
  }

  cell.expectations.clear();
  for (const MetricBound& bound : bounds) {
    const auto value = metric_value(cell, bound.metric);
    const bool passed =
        value && (!bound.min || *value >= *bound.min) && (!bound.max || *value <= *bound.max);
    cell.expectations.push_back(ExpectationResult{describe(bound) + origin(bound.where), passed,
                                                  value ? format_number(*value) : "unknown"});
  }
  if (!other_anomalies_bounded) {
    int64_t others = 0;
    for (const AnomalyCount& count : cell.anomaly_counts)
      if (count.type != "lost_update") others += count.count;
    cell.expectations.push_back(ExpectationResult{"anomalies other than lost updates = 0 (default)",
                                                  others == 0, std::to_string(others)});
  }
  if (!failures_bounded) {
    const int64_t by_error = cell.transactions.failed_by_error;
    std::string actual = std::to_string(by_error);
    if (!cell.errors.empty())
      actual += fmt::format(" ({}: {})", cell.errors[0].code, cell.errors[0].message);
    cell.expectations.push_back(ExpectationResult{
        "transactions failed by an unexpected error = 0 (default)", by_error == 0, actual});
  }
  if (ledger_balanced != Want::any) {
    const bool want = ledger_balanced == Want::yes;
    cell.expectations.push_back(ExpectationResult{
        std::string("ledger ") + (want ? "balanced" : "unbalanced") + origin(ledger_where),
        cell.ledger.balanced == want, cell.ledger.balanced ? "balanced" : "unbalanced"});
  }
  // An invariant that was not run (SQL on a database without SQL) neither
  // holds nor fails; when none ran, there is nothing to judge.
  const bool none_ran =
      !cell.invariants.empty() && std::all_of(cell.invariants.begin(), cell.invariants.end(),
                                              [](const InvariantResult& r) { return r.not_run; });
  if (invariants_hold != Want::any && !none_ran) {
    const bool want = invariants_hold == Want::yes;
    const bool all_hold = std::none_of(cell.invariants.begin(), cell.invariants.end(),
                                       [](const InvariantResult& r) { return r.failed(); });
    cell.expectations.push_back(ExpectationResult{
        std::string("invariants ") + (want ? "hold" : "violated") + origin(invariants_where),
        all_hold == want, all_hold ? "hold" : "violated"});
  }
  cell.passed = std::all_of(cell.expectations.begin(), cell.expectations.end(),
                            [](const ExpectationResult& r) { return r.passed; });
}

}  // namespace clobber
