// JsonReporter: the JSON result contract of docs/reports.md, field for field,
// in the contract's order, for runs and for scenario runs.
// reports/json_reader.cpp reads the same shapes back.
#include <nlohmann/json.hpp>

#include "reports/reporter.h"

namespace clobber {
namespace {

using Json = nlohmann::ordered_json;

std::string_view cell_verdict(const CellResult& cell) {
  if (cell.status == CellStatus::unsupported) return "skipped";
  return cell.passed ? "pass" : "fail";
}

Json database_json(const DatabaseInfo& database) {
  Json settings = Json::object();
  for (const auto& [name, value] : database.settings) settings[name] = value;
  return Json{{"kind", to_string(database.kind)},
              {"server_version", database.server_version},
              {"url", database.url},
              {"settings", std::move(settings)}};
}

Json ledger_json(const LedgerResult& ledger) {
  Json differences = Json::array();
  for (const RowDifference& row : ledger.differences) {
    differences.push_back(Json{{"table", row.table},
                               {"key", row.key},
                               {"column", row.column},
                               {"expected", row.expected},
                               {"expected_max", row.expected_max},
                               {"actual", row.actual}});
  }
  return Json{{"balanced", ledger.balanced},
              {"lost_amount", ledger.lost_amount},
              {"rows_checked", ledger.rows_checked},
              {"differences", std::move(differences)},
              {"differences_total", ledger.differences_total}};
}

Json anomaly_json(const Anomaly& anomaly) {
  Json transactions = Json::array();
  for (const WitnessTransaction& txn : anomaly.transactions) {
    transactions.push_back(Json{{"id", txn.id},
                                {"worker", txn.worker},
                                {"attempt", txn.attempt},
                                {"type", txn.type},
                                {"start_ms", txn.start_ms},
                                {"write_ms", txn.write_ms},
                                {"commit_sent_ms", txn.commit_sent_ms},
                                {"commit_ms", txn.commit_ms},
                                {"autocommit", txn.autocommit},
                                {"read_value", txn.read_value},
                                {"written_value", txn.written_value}});
  }
  // Every anomaly lists its rows; a lost update's is its one row.
  Json rows = Json::array();
  for (const AnomalyRow& row : anomaly.rows)
    rows.push_back(Json{{"table", row.table}, {"key", row.key}});
  if (anomaly.rows.empty() && !anomaly.table.empty())
    rows.push_back(Json{{"table", anomaly.table}, {"key", anomaly.key}});
  Json edges = Json::array();
  for (const AnomalyEdge& edge : anomaly.edges) {
    edges.push_back(Json{{"from", edge.from},
                         {"to", edge.to},
                         {"kind", edge.kind},
                         {"table", edge.table},
                         {"key", edge.key},
                         {"explanation", edge.explanation}});
  }
  return Json{{"type", anomaly.type},
              {"table", anomaly.table},
              {"key", anomaly.key},
              {"column", anomaly.column},
              {"version_read", anomaly.version_read},
              {"rows", std::move(rows)},
              {"transactions", std::move(transactions)},
              {"edges", std::move(edges)},
              {"explanation", anomaly.explanation},
              {"rules_out", anomaly.rules_out}};
}

Json aborts_json(const AbortCounts& aborts) {
  return Json{{"serialization", aborts.serialization},
              {"deadlock", aborts.deadlock},
              {"lock_timeout", aborts.lock_timeout},
              {"conflict", aborts.conflict},
              {"other", aborts.other}};
}

/// The timeline as columns: one array per series, one entry per interval.
Json timeline_json(const Timeline& timeline) {
  Json committed = Json::array();
  Json aborts = Json{{"serialization", Json::array()},
                     {"deadlock", Json::array()},
                     {"lock_timeout", Json::array()},
                     {"conflict", Json::array()},
                     {"other", Json::array()}};
  for (const TimelineInterval& interval : timeline.intervals) {
    committed.push_back(interval.committed);
    aborts["serialization"].push_back(interval.aborts.serialization);
    aborts["deadlock"].push_back(interval.aborts.deadlock);
    aborts["lock_timeout"].push_back(interval.aborts.lock_timeout);
    aborts["conflict"].push_back(interval.aborts.conflict);
    aborts["other"].push_back(interval.aborts.other);
  }
  return Json{{"interval_s", timeline.interval_s},
              {"committed", std::move(committed)},
              {"aborts", std::move(aborts)}};
}

Json expectations_json(const std::vector<ExpectationResult>& results) {
  Json expectations = Json::array();
  for (const ExpectationResult& exp : results) {
    expectations.push_back(
        Json{{"description", exp.description}, {"passed", exp.passed}, {"actual", exp.actual}});
  }
  return expectations;
}

Json cell_json(const CellResult& cell) {
  Json anomalies = Json::array();
  for (const Anomaly& anomaly : cell.anomalies) anomalies.push_back(anomaly_json(anomaly));
  Json invariants = Json::array();
  for (const InvariantResult& inv : cell.invariants) {
    Json item{{"name", inv.name},
              {"passed", inv.passed},
              {"expected", inv.expected},
              {"actual", inv.actual}};
    if (!inv.error.empty()) item["error"] = inv.error;
    if (inv.not_run) {
      item["not_run"] = true;
      item["note"] = inv.note;
    }
    invariants.push_back(std::move(item));
  }
  Json errors = Json::array();
  for (const CellError& error : cell.errors)
    errors.push_back(
        Json{{"code", error.code}, {"message", error.message}, {"count", error.count}});
  Json anomaly_counts = Json::object();
  for (const AnomalyCount& count : cell.anomaly_counts) anomaly_counts[count.type] = count.count;
  Json expectations = expectations_json(cell.expectations);
  const TransactionCounts& txns = cell.transactions;
  const LatencySummary& latency = cell.latency_ms;
  Json histogram = Json::array();
  for (const LatencyBucket& bucket : cell.latency_histogram)
    histogram.push_back(Json{{"below_ms", bucket.below_ms}, {"count", bucket.count}});
  return Json{
      {"database", database_json(cell.database)},
      {"isolation", to_string(cell.isolation)},
      {"locking", to_string(cell.locking)},
      {"status", to_string(cell.status)},
      {"reason", cell.reason},
      {"workers", cell.workers},
      {"duration_s", cell.duration_s},
      {"transactions", Json{{"attempted", txns.attempted},
                            {"committed", txns.committed},
                            {"rejected", txns.rejected},
                            {"failed", txns.failed},
                            {"indeterminate", txns.indeterminate},
                            {"failed_by_error", txns.failed_by_error}}},
      {"aborts", aborts_json(cell.aborts)},
      {"retries", cell.retries},
      {"abort_rate", cell.abort_rate()},
      {"throughput_tps", cell.throughput_tps},
      {"latency_ms",
       Json{
           {"p50", latency.p50}, {"p95", latency.p95}, {"p99", latency.p99}, {"max", latency.max}}},
      {"latency_histogram", std::move(histogram)},
      {"timeline", timeline_json(cell.timeline)},
      {"lost_updates", cell.lost_updates},
      {"ledger", ledger_json(cell.ledger)},
      {"anomalies", std::move(anomalies)},
      {"anomalies_total", cell.anomalies_total},
      {"anomaly_counts", std::move(anomaly_counts)},
      {"invariants", std::move(invariants)},
      {"expectations", std::move(expectations)},
      {"errors", std::move(errors)},
      {"errors_total", cell.errors_total},
      {"chaos", Json{{"kill_rate", cell.chaos.kill_rate},
                     {"kills", cell.chaos.kills},
                     {"reconnects", cell.chaos.reconnects}}},
      {"notes", cell.notes},
      {"verdict", cell_verdict(cell)}};
}

Json rows_json(const QueryRows& rows) {
  Json values = Json::array();
  for (const auto& row : rows.rows) {
    Json line = Json::array();
    for (const auto& value : row) line.push_back(value ? Json(*value) : Json(nullptr));
    values.push_back(std::move(line));
  }
  return values;
}

Json outcome_json(const Outcome& outcome) {
  return Json{
      {"cause", to_string(outcome.cause)}, {"code", outcome.code}, {"message", outcome.message}};
}

Json event_json(const TraceEvent& event) {
  Json json{{"at_step", event.at_step},          {"step", event.step},
            {"session", event.session},          {"statement", event.statement},
            {"status", to_string(event.status)}, {"released", event.released},
            {"deferred", event.deferred}};
  switch (event.status) {
    case StepStatus::ok:
      if (!event.rows.columns.empty()) {
        json["columns"] = event.rows.columns;
        json["rows"] = rows_json(event.rows);
      } else if (event.rows_affected >= 0) {
        json["rows_affected"] = event.rows_affected;
      }
      break;
    case StepStatus::failed:
      json["error"] = outcome_json(event.outcome);
      break;
    case StepStatus::blocked:
      json["detected_by"] = to_string(event.detected_by);
      break;
    case StepStatus::deferred:
      json["blocked_at_step"] = event.blocked_at_step;
      break;
    case StepStatus::skipped:
      if (event.failed_at_step != 0)
        json["failed_at_step"] = event.failed_at_step;
      else
        json["blocked_at_step"] = event.blocked_at_step;
      break;
    case StepStatus::rolled_back:
      json["failed_at_step"] = event.failed_at_step;
      break;
  }
  return json;
}

Json scenario_cell_json(const ScenarioCell& cell) {
  Json trace = Json::array();
  for (const TraceEvent& event : cell.trace) trace.push_back(event_json(event));
  Json json{{"database", database_json(cell.database)}, {"isolation", to_string(cell.isolation)},
            {"status", to_string(cell.status)},         {"reason", cell.reason},
            {"verdict", to_string(cell.verdict)},       {"how", cell.how}};
  if (cell.verdict == ScenarioVerdict::prevented) {
    json["prevented_by"] = to_string(cell.prevention);
    json["abort"] = cell.abort ? outcome_json(*cell.abort) : Json(nullptr);
  }
  json["explanation"] = cell.explanation;
  json["committed"] = cell.committed;
  json["duration_s"] = cell.duration_s;
  json["table_prefix"] = cell.table_prefix;
  json["expectations"] = expectations_json(cell.expectations);
  json["passed"] = cell.passed;
  json["trace"] = std::move(trace);
  return json;
}

Json scenario_json(const ScenarioResult& scenario) {
  Json steps = Json::array();
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    const ScenarioStepInfo& step = scenario.steps[i];
    Json json{{"step", i + 1}, {"session", step.session}, {"statement", step.statement}};
    if (!step.name.empty()) json["as"] = step.name;
    steps.push_back(std::move(json));
  }
  Json cells = Json::array();
  for (const ScenarioCell& cell : scenario.cells) cells.push_back(scenario_cell_json(cell));
  return Json{{"name", scenario.name},
              {"id", scenario.id},
              {"description", scenario.description},
              {"file", scenario.file},
              {"sessions", scenario.sessions},
              {"steps", std::move(steps)},
              {"anomaly_if", scenario.anomaly_if},
              {"cells", std::move(cells)}};
}

Json matrix_json(const ScenarioRunResult& result) {
  Json columns = Json::array();
  for (const ScenarioResult& scenario : result.scenarios) columns.push_back(scenario.id);
  Json rows = Json::array();
  for (const MatrixRow& row : scenario_matrix(result)) {
    Json cells = Json::array();
    for (const ScenarioCell* cell : row.cells) {
      if (!cell) {
        cells.push_back(nullptr);
        continue;
      }
      cells.push_back(Json{{"verdict", to_string(cell->verdict)}, {"how", cell->how}});
    }
    rows.push_back(Json{{"database", database_label(*row.database)},
                        {"url", row.database->url},
                        {"isolation", to_string(row.isolation)},
                        {"cells", std::move(cells)}});
  }
  return Json{{"columns", std::move(columns)}, {"rows", std::move(rows)}};
}

}  // namespace

void JsonReporter::report(const RunResult& result, std::ostream& out) const {
  Json cells = Json::array();
  for (const CellResult& cell : result.cells) cells.push_back(cell_json(cell));
  const Json document{{"tool", result.tool},
                      {"version", result.version},
                      {"schema", result.schema},
                      {"kind", "run"},
                      {"workload", result.workload},
                      {"workload_file", result.workload_file},
                      {"description", result.description},
                      {"seed", result.seed},
                      {"replay", result.replay_command},
                      {"explore", result.explore},
                      {"interrupted", result.interrupted},
                      {"started_at", result.started_at},
                      {"verdict", result.passed ? "pass" : "fail"},
                      {"cells", std::move(cells)}};
  // Server messages may not be valid UTF-8: replace bad bytes instead of throwing.
  out << document.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

void JsonReporter::report(const ScenarioRunResult& result, std::ostream& out) const {
  Json databases = Json::array();
  for (const DatabaseInfo& database : result.databases)
    databases.push_back(database_json(database));
  Json isolations = Json::array();
  for (Isolation isolation : result.isolations) isolations.push_back(to_string(isolation));
  Json scenarios = Json::array();
  for (const ScenarioResult& scenario : result.scenarios)
    scenarios.push_back(scenario_json(scenario));
  const Json document{{"tool", result.tool},
                      {"version", result.version},
                      {"schema", result.schema},
                      {"kind", "scenario"},
                      {"started_at", result.started_at},
                      {"explore", result.explore},
                      {"interrupted", result.interrupted},
                      {"verdict", result.passed() ? "pass" : "fail"},
                      {"databases", std::move(databases)},
                      {"isolations", std::move(isolations)},
                      {"scenarios", std::move(scenarios)},
                      {"matrix", matrix_json(result)}};
  // Server messages may not be valid UTF-8: replace bad bytes instead of throwing.
  out << document.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace clobber
