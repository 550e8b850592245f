// The `expect:` section of a workload and the --fail-on thresholds
// (harness/workload/loader_parts.h).
#include "harness/workload/loader_parts.h"

#include <array>

#include "harness/workload/workload_loader.h"

namespace clobber::loader {
namespace {

constexpr std::string_view kWhereKeys[] = {"database", "isolation", "locking"};
constexpr std::string_view kMetrics[] = {"lost_updates",
                                         "lost_amount",
                                         "committed",
                                         "rejected",
                                         "failed",
                                         "indeterminate",
                                         "retries",
                                         "aborts",
                                         "aborts.serialization",
                                         "aborts.deadlock",
                                         "aborts.lock_timeout",
                                         "aborts.conflict",
                                         "aborts.other",
                                         "abort_rate",
                                         "throughput_tps",
                                         "anomalies",
                                         "latency_ms.p50",
                                         "latency_ms.p95",
                                         "latency_ms.p99",
                                         "latency_ms.max"};
constexpr std::string_view kDatabaseNames = "postgresql, mysql, mariadb, sqlite";

}  // namespace

void Loader::load_expect(const Ref& ref, Workload& workload) const {
  std::vector<std::string_view> allowed = {"where", "invariants", "ledger"};
  allowed.insert(allowed.end(), std::begin(kMetrics), std::end(kMetrics));
  for (const Ref& item : list(ref, "expect")) {
    MapView def = map(item, "an expect rule", allowed);
    ExpectRule rule;
    rule.where = def.at;
    for (const Entry& entry : def.entries) {
      if (entry.name == "where") {
        load_where(entry.value, rule);
      } else if (entry.name == "invariants") {
        std::string value = text(entry.value, "invariants");
        if (value == "hold" || value == "violated") {
          rule.invariants_hold = value == "hold";
        } else if (value == "any") {
          rule.invariants_any = true;
        } else {
          fail(entry.value.at,
               "invariants must be hold, violated or any, found " + found(entry.value.node));
        }
      } else if (entry.name == "ledger") {
        std::string value = text(entry.value, "ledger");
        if (value == "balanced" || value == "unbalanced") {
          rule.ledger_balanced = value == "balanced";
        } else if (value == "any") {
          rule.ledger_any = true;
        } else {
          fail(entry.value.at,
               "ledger must be balanced, unbalanced or any, found " + found(entry.value.node));
        }
      } else {
        rule.bounds.push_back(load_bound(entry));
      }
    }
    if (rule.bounds.empty() && !rule.invariants_hold && !rule.invariants_any &&
        !rule.ledger_balanced && !rule.ledger_any) {
      fail(def.at, "an expect rule must name at least one metric (" + join(kMetrics) +
                       "), invariants or ledger");
    }
    workload.expect.push_back(std::move(rule));
  }
}

void Loader::load_where(const Ref& ref, ExpectRule& rule) const {
  MapView def = map(ref, "where", kWhereKeys);
  if (const Entry* database = def.find("database")) {
    rule.databases = names<DatabaseKind>(database->value, "database", false, kDatabaseNames,
                                         parse_database_kind);
  }
  if (const Entry* isolation = def.find("isolation")) {
    rule.isolation = names<Isolation>(isolation->value, "isolation level", false,
                                      join(isolation_names()), parse_isolation);
  }
  if (const Entry* locking = def.find("locking")) {
    rule.locking =
        names<Locking>(locking->value, "locking mode", false, join(locking_names()), parse_locking);
  }
}

MetricBound Loader::load_bound(const Entry& entry) const {
  MetricBound bound;
  bound.metric = entry.name;
  bound.where = entry.key_at;
  if (entry.value.node.IsMap()) {
    MapView def = map(entry.value, entry.name, std::array<std::string_view, 2>{"min", "max"});
    if (def.entries.empty()) fail(def.at, entry.name + " needs min, max or both");
    if (const Entry* min = def.find("min")) bound.min = metric_value(entry.name, min->value);
    if (const Entry* max = def.find("max")) bound.max = metric_value(entry.name, max->value);
    if (bound.min && bound.max && *bound.min > *bound.max) {
      fail(def.find("max")->value.at, entry.name + ": max " + format_number(*bound.max) +
                                          " is less than min " + format_number(*bound.min));
    }
  } else {
    bound.min = bound.max = metric_value(entry.name, entry.value);
  }
  return bound;
}

double Loader::metric_value(const std::string& metric, const Ref& ref) const {
  bool rate = metric == "abort_rate";
  double value = 0;
  std::string scalar = ref.node.IsScalar() ? trim(ref.node.Scalar()) : std::string();
  if (rate && scalar.ends_with('%')) {
    std::optional<double> percent = parse_double(trim(scalar.substr(0, scalar.size() - 1)));
    if (!percent)
      fail(ref.at, "abort_rate must be a fraction or a percentage, found " + found(ref.node));
    value = *percent / 100;
  } else {
    value = number(ref, metric);
  }
  if (value < 0) fail(ref.at, metric + " must not be negative");
  if (rate && value > 1) {
    fail(ref.at,
         "abort_rate must be in [0, 1] or a percentage up to 100%, found " + found(ref.node));
  }
  return value;
}

}  // namespace clobber::loader

namespace clobber {

using loader::kMetrics;
using loader::parse_double;

MetricBound parse_fail_on(const std::string& text) {
  const std::string_view expression = text;
  const size_t op = expression.find_first_of("<>");
  const auto fail = [&](size_t at, const std::string& why) -> MetricBound {
    throw InputError(SourceLocation{"--fail-on", 0, 0},
                     "'" + text + "', column " + std::to_string(at + 1) + ": " + why +
                         " (expected METRIC>NUMBER or METRIC<NUMBER, e.g. 'lost_updates>0')");
  };
  if (op == std::string_view::npos) return fail(0, "no > or <");
  const std::string metric = trim(std::string(expression.substr(0, op)));
  if (std::find(std::begin(kMetrics), std::end(kMetrics), metric) == std::end(kMetrics))
    return fail(0, "unknown metric '" + metric + "'; metrics: " + join(kMetrics));
  if (op + 1 < expression.size() && expression[op + 1] == '=')
    return fail(op, "'" + std::string(expression.substr(op, 2)) +
                        "' is not a threshold: a cell fails when the metric is above (>) or "
                        "below (<) the number");
  std::string number = trim(std::string(expression.substr(op + 1)));
  double scale = 1;
  if (metric == "abort_rate" && number.ends_with('%')) {
    number = trim(number.substr(0, number.size() - 1));
    scale = 0.01;
  }
  const std::optional<double> value = parse_double(number);
  if (!value) return fail(op + 1, "'" + number + "' is not a number");
  MetricBound bound;
  bound.metric = metric;
  (expression[op] == '>' ? bound.max : bound.min) = *value * scale;
  bound.where = SourceLocation{"--fail-on", 0, 0};
  return bound;
}

}  // namespace clobber
