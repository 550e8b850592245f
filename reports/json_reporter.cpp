// JsonReporter: the JSON result contract of design.md, field for field, in the
// contract's order. reports/json_reader.cpp reads the same shape back.
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
    invariants.push_back(std::move(item));
  }
  Json errors = Json::array();
  for (const CellError& error : cell.errors)
    errors.push_back(
        Json{{"code", error.code}, {"message", error.message}, {"count", error.count}});
  Json anomaly_counts = Json::object();
  for (const AnomalyCount& count : cell.anomaly_counts) anomaly_counts[count.type] = count.count;
  Json expectations = Json::array();
  for (const ExpectationResult& exp : cell.expectations) {
    expectations.push_back(
        Json{{"description", exp.description}, {"passed", exp.passed}, {"actual", exp.actual}});
  }
  const TransactionCounts& txns = cell.transactions;
  const AbortCounts& aborts = cell.aborts;
  const LatencySummary& latency = cell.latency_ms;
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
      {"aborts", Json{{"serialization", aborts.serialization},
                      {"deadlock", aborts.deadlock},
                      {"lock_timeout", aborts.lock_timeout},
                      {"conflict", aborts.conflict},
                      {"other", aborts.other}}},
      {"retries", cell.retries},
      {"abort_rate", cell.abort_rate()},
      {"throughput_tps", cell.throughput_tps},
      {"latency_ms",
       Json{
           {"p50", latency.p50}, {"p95", latency.p95}, {"p99", latency.p99}, {"max", latency.max}}},
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

}  // namespace

void JsonReporter::report(const RunResult& result, std::ostream& out) const {
  Json cells = Json::array();
  for (const CellResult& cell : result.cells) cells.push_back(cell_json(cell));
  const Json document{{"tool", result.tool},
                      {"version", result.version},
                      {"schema", result.schema},
                      {"workload", result.workload},
                      {"workload_file", result.workload_file},
                      {"description", result.description},
                      {"seed", result.seed},
                      {"explore", result.explore},
                      {"interrupted", result.interrupted},
                      {"started_at", result.started_at},
                      {"verdict", result.passed ? "pass" : "fail"},
                      {"cells", std::move(cells)}};
  // Server messages may not be valid UTF-8: replace bad bytes instead of throwing.
  out << document.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace clobber
