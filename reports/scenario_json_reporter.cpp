// ScenarioJsonReporter: a scenario run as JSON (docs/scenario-format.md, "JSON").
#include <nlohmann/json.hpp>

#include "reports/scenario_reporter.h"

namespace clobber {
namespace {

using Json = nlohmann::ordered_json;

Json database_json(const DatabaseInfo& database) {
  Json settings = Json::object();
  for (const auto& [name, value] : database.settings) settings[name] = value;
  return Json{{"kind", to_string(database.kind)},
              {"server_version", database.server_version},
              {"url", database.url},
              {"settings", std::move(settings)}};
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

Json cell_json(const ScenarioCell& cell) {
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
  for (const ScenarioCell& cell : scenario.cells) cells.push_back(cell_json(cell));
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
    rows.push_back(Json{{"database", scenario_database_label(*row.database)},
                        {"url", row.database->url},
                        {"isolation", to_string(row.isolation)},
                        {"cells", std::move(cells)}});
  }
  return Json{{"columns", std::move(columns)}, {"rows", std::move(rows)}};
}

}  // namespace

void ScenarioJsonReporter::report(const ScenarioRunResult& result, std::ostream& out) const {
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
                      {"kind", "scenarios"},
                      {"started_at", result.started_at},
                      {"interrupted", result.interrupted},
                      {"databases", std::move(databases)},
                      {"isolations", std::move(isolations)},
                      {"scenarios", std::move(scenarios)},
                      {"matrix", matrix_json(result)}};
  // Server messages may not be valid UTF-8: replace bad bytes instead of throwing.
  out << document.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace clobber
