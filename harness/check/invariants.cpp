#include "harness/check/invariants.h"

#include <limits>
#include <span>

namespace clobber {
namespace {

std::string_view operator_of(Invariant::Compare compare) {
  switch (compare) {
    case Invariant::Compare::equals:
      return "= ";
    case Invariant::Compare::at_least:
      return ">= ";
    case Invariant::Compare::at_most:
      return "<= ";
  }
  return "";
}

bool holds(Invariant::Compare compare, int64_t value, int64_t target) {
  switch (compare) {
    case Invariant::Compare::equals:
      return value == target;
    case Invariant::Compare::at_least:
      return value >= target;
    case Invariant::Compare::at_most:
      return value <= target;
  }
  return false;
}

InvariantValue sum_of(const Workload& workload, const Invariant& invariant,
                      const TableSnapshot& rows) {
  const TableDef& table = workload.tables[invariant.table];
  const std::vector<size_t> integers = table.integer_columns();
  size_t position = 0;
  while (integers[position] != invariant.column) ++position;
  // 10^7 rows of 64-bit values cannot leave 128 bits: the sum is exact, and
  // whether it fits 64 bits does not depend on the order of the rows.
  __int128 sum = 0;
  for (const auto& [key, values] : rows) sum += values[position];
  if (sum < std::numeric_limits<int64_t>::min() || sum > std::numeric_limits<int64_t>::max()) {
    return {std::nullopt, "the sum of " + table.name + "." + table.columns[invariant.column].name +
                              " is outside the 64-bit range"};
  }
  return {static_cast<int64_t>(sum), {}};
}

InvariantValue count_of(const Workload& workload, const Invariant& invariant,
                        const TableSnapshot& rows) {
  const TableDef& table = workload.tables[invariant.table];
  if (!invariant.where_rows) return {static_cast<int64_t>(rows.size()), {}};
  const Expr& where = *invariant.where_rows;
  const size_t columns = table.integer_columns().size();
  int64_t count = 0;
  std::optional<int64_t> failed_key;  // the smallest, so the report does not depend on order
  EvalError failure = EvalError::none;
  for (const auto& [key, values] : rows) {
    int64_t result = 0;
    const EvalError error =
        evaluate(where, std::span<const int64_t>(values.data(), columns), result);
    if (error != EvalError::none) {
      if (!failed_key || key < *failed_key) {
        failed_key = key;
        failure = error;
      }
    } else if (result != 0) {
      ++count;
    }
  }
  if (failed_key) {
    return {std::nullopt, "where '" + where.text + "' on the row of " + table.name + " with key " +
                              std::to_string(*failed_key) + ": " + std::string(to_string(failure))};
  }
  return {count, {}};
}

}  // namespace

InvariantValue evaluate_invariant(const Workload& workload, const Invariant& invariant,
                                  const std::vector<TableSnapshot>& tables) {
  const TableSnapshot& rows = tables.at(invariant.table);
  return invariant.form == Invariant::Form::sum ? sum_of(workload, invariant, rows)
                                                : count_of(workload, invariant, rows);
}

std::vector<InvariantValue> initial_invariant_values(const Workload& workload,
                                                     const std::vector<TableSnapshot>& seed) {
  std::vector<InvariantValue> values(workload.invariants.size());
  for (size_t i = 0; i < workload.invariants.size(); ++i) {
    const Invariant& invariant = workload.invariants[i];
    if (invariant.form != Invariant::Form::sql && invariant.against_initial)
      values[i] = evaluate_invariant(workload, invariant, seed);
  }
  return values;
}

std::vector<std::optional<InvariantResult>> check_declarative_invariants(
    const Workload& workload, const std::vector<InvariantValue>& initial,
    const std::vector<TableSnapshot>& final_state, bool runs_sql) {
  std::vector<std::optional<InvariantResult>> results(workload.invariants.size());
  for (size_t i = 0; i < workload.invariants.size(); ++i) {
    const Invariant& invariant = workload.invariants[i];
    InvariantResult result;
    result.name = invariant.name;
    const std::string op(operator_of(invariant.compare));
    if (invariant.form == Invariant::Form::sql) {
      if (runs_sql) continue;
      result.expected =
          op + (invariant.against_initial ? "initial" : std::to_string(invariant.value));
      result.actual = "not run";
      result.not_run = true;
      result.note = kSqlNotRunNote;
      results[i] = std::move(result);
      continue;
    }
    int64_t target = invariant.value;
    if (invariant.against_initial) {
      const InvariantValue& start = initial.at(i);
      if (!start.value) {
        result.expected = op + "initial";
        result.actual = "error";
        result.error = "initial value: " + start.error;
        results[i] = std::move(result);
        continue;
      }
      target = *start.value;
    }
    result.expected = op + std::to_string(target);
    const InvariantValue actual = evaluate_invariant(workload, invariant, final_state);
    if (actual.value) {
      result.actual = std::to_string(*actual.value);
      result.passed = holds(invariant.compare, *actual.value, target);
    } else {
      result.actual = "error";
      result.error = actual.error;
    }
    results[i] = std::move(result);
  }
  return results;
}

}  // namespace clobber
