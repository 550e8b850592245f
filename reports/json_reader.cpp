#include "reports/json_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "drivers/url.h"

namespace clobber {
namespace {

using Json = nlohmann::ordered_json;

/// The newest result schema this reader understands.
constexpr int kSchema = 1;

/// A JSON value with its path in the document ("cells[2].isolation"), so that
/// every conversion error names the field it is about.
class Node {
 public:
  Node(const Json& value, std::string path, const std::string& file)
      : value_(value), path_(std::move(path)), file_(file) {}

  /// The member `key` of this object; an error when it is missing.
  Node at(std::string_view key) const {
    if (auto member = find(key)) return *member;
    fail(fmt::format("missing field \"{}\"", key));
  }

  /// The member `key` of this object, or nullopt when it is missing.
  std::optional<Node> find(std::string_view key) const {
    if (!value_.is_object()) fail(fmt::format("expected an object, found {}", value_.type_name()));
    auto it = value_.find(key);
    if (it == value_.end()) return std::nullopt;
    return Node(*it, path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key), file_);
  }

  /// The elements of this array.
  std::vector<Node> items() const {
    if (!value_.is_array()) fail(fmt::format("expected an array, found {}", value_.type_name()));
    std::vector<Node> nodes;
    nodes.reserve(value_.size());
    for (size_t i = 0; i < value_.size(); ++i)
      nodes.emplace_back(value_[i], fmt::format("{}[{}]", path_, i), file_);
    return nodes;
  }

  /// The members of this object, in document order.
  std::vector<std::pair<std::string, Node>> members() const {
    if (!value_.is_object()) fail(fmt::format("expected an object, found {}", value_.type_name()));
    std::vector<std::pair<std::string, Node>> nodes;
    for (const auto& [key, value] : value_.items())
      nodes.emplace_back(key, Node(value, fmt::format("{}.{}", path_, key), file_));
    return nodes;
  }

  /// This string.
  std::string text() const {
    if (!value_.is_string()) fail(fmt::format("expected a string, found {}", value_.type_name()));
    return value_.get<std::string>();
  }

  /// A string, or a number shown as text (for values other tools may write as numbers).
  std::string text_or_number() const {
    if (value_.is_number()) return value_.dump();
    return text();
  }

  /// True when this value is null.
  bool is_null() const { return value_.is_null(); }

  /// This boolean.
  bool boolean() const {
    if (!value_.is_boolean())
      fail(fmt::format("expected true or false, found {}", value_.type_name()));
    return value_.get<bool>();
  }

  /// This integer, within int64 range.
  int64_t i64() const {
    if (value_.is_number_unsigned()) {
      const auto value = value_.get<uint64_t>();
      if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail("integer out of range");
      return static_cast<int64_t>(value);
    }
    if (!value_.is_number_integer()) fail(fmt::format("expected an integer, found {}", describe()));
    return value_.get<int64_t>();
  }

  /// This non-negative integer.
  uint64_t u64() const {
    if (value_.is_number_unsigned()) return value_.get<uint64_t>();
    if (value_.is_number_integer()) fail("expected a non-negative integer");
    fail(fmt::format("expected a non-negative integer, found {}", describe()));
  }

  /// This integer, within int range.
  int i32() const {
    const int64_t value = i64();
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
      fail("integer out of range");
    return static_cast<int>(value);
  }

  /// A number; null (how non-finite values are written) reads as 0.
  double number() const {
    if (value_.is_null()) return 0.0;
    if (!value_.is_number()) fail(fmt::format("expected a number, found {}", value_.type_name()));
    return value_.get<double>();
  }

  /// Throws InputError naming the file and this value's path.
  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(SourceLocation{file_, 0, 0},
                     path_.empty() ? message : fmt::format("{}: {}", path_, message));
  }

 private:
  /// What this value is, for messages: a fraction is shown, anything else named by type.
  std::string describe() const {
    return value_.is_number_float() ? value_.dump() : std::string(value_.type_name());
  }

  const Json& value_;
  std::string path_;
  const std::string& file_;
};

/// A name from a fixed vocabulary, parsed by `parse`; an error naming the value
/// and what it should have been otherwise.
template <typename T, typename Parse>
T parse_name(const Node& node, Parse parse, std::string_view what) {
  const std::string name = node.text();
  if (auto value = parse(name)) return *value;
  node.fail(fmt::format("unknown {} \"{}\"", what, name));
}

std::optional<CellStatus> parse_cell_status(std::string_view name) {
  for (CellStatus status : {CellStatus::ran, CellStatus::unsupported, CellStatus::error})
    if (to_string(status) == name) return status;
  return std::nullopt;
}

DatabaseInfo read_database(const Node& node) {
  DatabaseInfo database;
  database.kind = parse_name<DatabaseKind>(node.at("kind"), parse_database_kind, "database kind");
  database.server_version = node.at("server_version").text();
  database.url = mask_saved_url(node.at("url").text());
  if (auto settings = node.find("settings")) {
    for (const auto& [name, value] : settings->members())
      if (!is_secret_option(name)) database.settings.emplace_back(name, value.text());
  }
  return database;
}

LedgerResult read_ledger(const Node& node) {
  LedgerResult ledger;
  if (auto n = node.find("balanced")) ledger.balanced = n->boolean();
  if (auto n = node.find("lost_amount")) ledger.lost_amount = n->i64();
  if (auto n = node.find("rows_checked")) ledger.rows_checked = n->i64();
  if (auto n = node.find("differences")) {
    for (const Node& item : n->items()) {
      RowDifference row;
      row.table = item.at("table").text();
      row.key = item.at("key").i64();
      row.column = item.at("column").text();
      row.expected = item.at("expected").i64();
      row.expected_max = item.find("expected_max") ? item.at("expected_max").i64() : row.expected;
      row.actual = item.at("actual").i64();
      ledger.differences.push_back(std::move(row));
    }
  }
  ledger.differences_total = static_cast<int64_t>(ledger.differences.size());
  if (auto n = node.find("differences_total")) ledger.differences_total = n->i64();
  return ledger;
}

WitnessTransaction read_witness(const Node& node) {
  WitnessTransaction txn;
  txn.id = node.at("id").u64();
  if (auto n = node.find("worker")) txn.worker = n->i32();
  if (auto n = node.find("attempt")) txn.attempt = n->i32();
  if (auto n = node.find("type")) txn.type = n->text();
  if (auto n = node.find("start_ms")) txn.start_ms = n->number();
  if (auto n = node.find("write_ms")) txn.write_ms = n->number();
  if (auto n = node.find("commit_sent_ms")) txn.commit_sent_ms = n->number();
  if (auto n = node.find("commit_ms")) txn.commit_ms = n->number();
  if (auto n = node.find("autocommit")) txn.autocommit = n->boolean();
  if (auto n = node.find("read_value")) txn.read_value = n->i64();
  if (auto n = node.find("written_value")) txn.written_value = n->i64();
  return txn;
}

Anomaly read_anomaly(const Node& node) {
  Anomaly anomaly;
  anomaly.type = node.at("type").text();
  if (auto n = node.find("table")) anomaly.table = n->text();
  if (auto n = node.find("key")) anomaly.key = n->i64();
  if (auto n = node.find("column")) anomaly.column = n->text();
  if (auto n = node.find("version_read")) anomaly.version_read = n->u64();
  if (auto n = node.find("transactions")) {
    for (const Node& item : n->items()) anomaly.transactions.push_back(read_witness(item));
  }
  if (auto n = node.find("explanation")) anomaly.explanation = n->text();
  if (auto n = node.find("rows")) {
    for (const Node& item : n->items())
      anomaly.rows.push_back(AnomalyRow{item.at("table").text(), item.at("key").i64()});
  }
  if (auto n = node.find("edges")) {
    for (const Node& item : n->items()) {
      AnomalyEdge edge;
      edge.from = item.at("from").u64();
      edge.to = item.at("to").u64();
      edge.kind = item.at("kind").text();
      if (auto m = item.find("table")) edge.table = m->text();
      if (auto m = item.find("key")) edge.key = m->i64();
      if (auto m = item.find("explanation")) edge.explanation = m->text();
      anomaly.edges.push_back(std::move(edge));
    }
  }
  if (auto n = node.find("rules_out")) {
    for (const Node& item : n->items()) anomaly.rules_out.push_back(item.text());
  }
  return anomaly;
}

AbortCounts read_aborts(const Node& node) {
  AbortCounts aborts;
  aborts.serialization = node.at("serialization").i64();
  aborts.deadlock = node.at("deadlock").i64();
  aborts.lock_timeout = node.at("lock_timeout").i64();
  aborts.conflict = node.at("conflict").i64();
  aborts.other = node.at("other").i64();
  return aborts;
}

/// The timeline's columns; every series must have one entry per interval.
Timeline read_timeline(const Node& node) {
  Timeline timeline;
  const Node interval = node.at("interval_s");
  timeline.interval_s = interval.number();
  if (!(timeline.interval_s > 0)) interval.fail("expected a number more than 0");
  const std::vector<Node> committed = node.at("committed").items();
  timeline.intervals.resize(committed.size());
  for (size_t i = 0; i < committed.size(); ++i)
    timeline.intervals[i].committed = committed[i].i64();
  const Node aborts = node.at("aborts");
  const auto series = [&](std::string_view cause, int64_t AbortCounts::*field) {
    const Node column = aborts.at(cause);
    const std::vector<Node> values = column.items();
    if (values.size() != committed.size())
      column.fail(fmt::format("expected {} entries (one per interval), found {}", committed.size(),
                              values.size()));
    for (size_t i = 0; i < values.size(); ++i)
      timeline.intervals[i].aborts.*field = values[i].i64();
  };
  series("serialization", &AbortCounts::serialization);
  series("deadlock", &AbortCounts::deadlock);
  series("lock_timeout", &AbortCounts::lock_timeout);
  series("conflict", &AbortCounts::conflict);
  series("other", &AbortCounts::other);
  return timeline;
}

std::vector<ExpectationResult> read_expectations(const Node& node) {
  std::vector<ExpectationResult> expectations;
  for (const Node& item : node.items()) {
    ExpectationResult exp;
    exp.description = item.at("description").text();
    exp.passed = item.at("passed").boolean();
    if (auto actual = item.find("actual")) exp.actual = actual->text_or_number();
    expectations.push_back(std::move(exp));
  }
  return expectations;
}

CellResult read_cell(const Node& node) {
  CellResult cell;
  cell.database = read_database(node.at("database"));
  cell.isolation = parse_name<Isolation>(node.at("isolation"), parse_isolation, "isolation level");
  cell.locking = parse_name<Locking>(node.at("locking"), parse_locking, "locking mode");
  cell.status = parse_name<CellStatus>(node.at("status"), parse_cell_status, "cell status");
  if (auto n = node.find("reason")) cell.reason = n->text();
  cell.workers = node.at("workers").i32();
  cell.duration_s = node.at("duration_s").number();

  const Node txns = node.at("transactions");
  cell.transactions.attempted = txns.at("attempted").i64();
  cell.transactions.committed = txns.at("committed").i64();
  cell.transactions.rejected = txns.at("rejected").i64();
  cell.transactions.failed = txns.at("failed").i64();
  cell.transactions.indeterminate = txns.at("indeterminate").i64();
  if (auto n = txns.find("failed_by_error")) cell.transactions.failed_by_error = n->i64();

  cell.aborts = read_aborts(node.at("aborts"));

  cell.retries = node.at("retries").i64();
  cell.throughput_tps = node.at("throughput_tps").number();
  const Node latency = node.at("latency_ms");
  cell.latency_ms.p50 = latency.at("p50").number();
  cell.latency_ms.p95 = latency.at("p95").number();
  cell.latency_ms.p99 = latency.at("p99").number();
  cell.latency_ms.max = latency.at("max").number();
  if (auto n = node.find("latency_histogram")) {
    for (const Node& item : n->items())
      cell.latency_histogram.push_back(
          LatencyBucket{item.at("below_ms").number(), item.at("count").i64()});
  }
  if (auto n = node.find("timeline")) cell.timeline = read_timeline(*n);
  cell.lost_updates = node.at("lost_updates").i64();
  if (auto n = node.find("ledger")) cell.ledger = read_ledger(*n);

  for (const Node& item : node.at("anomalies").items())
    cell.anomalies.push_back(read_anomaly(item));
  cell.anomalies_total = static_cast<int64_t>(cell.anomalies.size());
  if (auto n = node.find("anomalies_total")) cell.anomalies_total = n->i64();
  if (auto n = node.find("anomaly_counts")) {
    for (const auto& [type, count] : n->members())
      cell.anomaly_counts.push_back(AnomalyCount{type, count.i64()});
  }
  if (auto n = node.find("notes")) {
    for (const Node& item : n->items()) cell.notes.push_back(item.text());
  }

  for (const Node& item : node.at("invariants").items()) {
    InvariantResult inv;
    inv.name = item.at("name").text();
    inv.passed = item.at("passed").boolean();
    inv.expected = item.at("expected").text_or_number();
    inv.actual = item.at("actual").text_or_number();
    if (auto error = item.find("error")) inv.error = error->text();
    if (auto not_run = item.find("not_run")) inv.not_run = not_run->boolean();
    if (auto note = item.find("note")) inv.note = note->text();
    cell.invariants.push_back(std::move(inv));
  }
  if (auto n = node.find("errors")) {
    for (const Node& item : n->items())
      cell.errors.push_back(
          CellError{item.at("code").text(), item.at("message").text(), item.at("count").i64()});
  }
  cell.errors_total = static_cast<int64_t>(cell.errors.size());
  if (auto n = node.find("errors_total")) cell.errors_total = n->i64();
  if (auto n = node.find("chaos")) {
    cell.chaos.kill_rate = n->at("kill_rate").number();
    cell.chaos.kills = n->at("kills").i64();
    cell.chaos.reconnects = n->at("reconnects").i64();
  }
  if (auto n = node.find("expectations")) cell.expectations = read_expectations(*n);

  const Node verdict = node.at("verdict");
  const std::string value = verdict.text();
  if (value != "pass" && value != "fail" && value != "skipped")
    verdict.fail(fmt::format("expected \"pass\", \"fail\" or \"skipped\", found \"{}\"", value));
  cell.passed = value != "fail";
  return cell;
}

/// The value of `T` whose to_string is `name`, from `values`.
template <typename T, size_t N>
std::optional<T> parse_among(std::string_view name, const T (&values)[N]) {
  for (T value : values)
    if (to_string(value) == name) return value;
  return std::nullopt;
}

constexpr StepStatus kStepStatuses[] = {StepStatus::ok,      StepStatus::failed,
                                        StepStatus::blocked, StepStatus::deferred,
                                        StepStatus::skipped, StepStatus::rolled_back};
constexpr BlockDetection kBlockDetections[] = {
    BlockDetection::none, BlockDetection::pg_stat_activity, BlockDetection::innodb_status,
    BlockDetection::timeout};
constexpr ScenarioVerdict kScenarioVerdicts[] = {
    ScenarioVerdict::anomaly, ScenarioVerdict::prevented, ScenarioVerdict::unsupported,
    ScenarioVerdict::error};
constexpr Prevention kPreventions[] = {Prevention::none, Prevention::blocked, Prevention::aborted};

Outcome read_outcome(const Node& node) {
  Outcome outcome;
  outcome.cause = parse_name<AbortCause>(node.at("cause"), parse_abort_cause, "abort cause");
  outcome.code = node.at("code").text();
  outcome.message = node.at("message").text();
  return outcome;
}

TraceEvent read_event(const Node& node) {
  TraceEvent event;
  event.at_step = node.at("at_step").i32();
  event.step = node.at("step").i32();
  event.session = node.at("session").text();
  event.statement = node.at("statement").text();
  event.status = parse_name<StepStatus>(
      node.at("status"), [](std::string_view n) { return parse_among(n, kStepStatuses); },
      "step status");
  if (auto n = node.find("released")) event.released = n->boolean();
  if (auto n = node.find("deferred")) event.deferred = n->boolean();
  if (auto n = node.find("columns")) {
    for (const Node& item : n->items()) event.rows.columns.push_back(item.text());
    for (const Node& row : node.at("rows").items()) {
      std::vector<std::optional<std::string>> values;
      for (const Node& value : row.items())
        values.push_back(value.is_null() ? std::nullopt : std::optional<std::string>(value.text()));
      event.rows.rows.push_back(std::move(values));
    }
  }
  if (auto n = node.find("rows_affected")) event.rows_affected = n->i64();
  if (auto n = node.find("error")) event.outcome = read_outcome(*n);
  if (auto n = node.find("detected_by"))
    event.detected_by = parse_name<BlockDetection>(
        *n, [](std::string_view v) { return parse_among(v, kBlockDetections); }, "block detection");
  if (auto n = node.find("failed_at_step")) event.failed_at_step = n->i32();
  if (auto n = node.find("blocked_at_step")) event.blocked_at_step = n->i32();
  return event;
}

ScenarioCell read_scenario_cell(const Node& node) {
  ScenarioCell cell;
  cell.database = read_database(node.at("database"));
  cell.isolation = parse_name<Isolation>(node.at("isolation"), parse_isolation, "isolation level");
  cell.status = parse_name<CellStatus>(node.at("status"), parse_cell_status, "cell status");
  if (auto n = node.find("reason")) cell.reason = n->text();
  cell.verdict = parse_name<ScenarioVerdict>(
      node.at("verdict"), [](std::string_view v) { return parse_among(v, kScenarioVerdicts); },
      "scenario verdict");
  cell.how = node.at("how").text();
  if (auto n = node.find("prevented_by"))
    cell.prevention = parse_name<Prevention>(
        *n, [](std::string_view v) { return parse_among(v, kPreventions); }, "prevention");
  if (auto n = node.find("abort"); n && !n->is_null()) cell.abort = read_outcome(*n);
  if (auto n = node.find("explanation")) cell.explanation = n->text();
  if (auto n = node.find("committed"))
    for (const Node& item : n->items()) cell.committed.push_back(item.text());
  if (auto n = node.find("duration_s")) cell.duration_s = n->number();
  if (auto n = node.find("table_prefix")) cell.table_prefix = n->text();
  if (auto n = node.find("expectations")) cell.expectations = read_expectations(*n);
  if (auto n = node.find("passed")) cell.passed = n->boolean();
  for (const Node& item : node.at("trace").items()) cell.trace.push_back(read_event(item));
  return cell;
}

ScenarioResult read_scenario(const Node& node) {
  ScenarioResult scenario;
  scenario.name = node.at("name").text();
  scenario.id = node.at("id").text();
  if (auto n = node.find("description")) scenario.description = n->text();
  if (auto n = node.find("file")) scenario.file = n->text();
  for (const Node& item : node.at("sessions").items()) scenario.sessions.push_back(item.text());
  for (const Node& item : node.at("steps").items()) {
    ScenarioStepInfo step;
    step.session = item.at("session").text();
    step.statement = item.at("statement").text();
    if (auto n = item.find("as")) step.name = n->text();
    scenario.steps.push_back(std::move(step));
  }
  if (auto n = node.find("anomaly_if")) scenario.anomaly_if = n->text();
  for (const Node& item : node.at("cells").items())
    scenario.cells.push_back(read_scenario_cell(item));
  return scenario;
}

/// A scenario run (kind "scenario"); its matrix is derived, not read.
ScenarioRunResult read_scenario_run(const Node& root, int schema) {
  ScenarioRunResult result;
  result.tool = root.at("tool").text();
  result.version = root.at("version").text();
  result.schema = schema;
  if (auto n = root.find("started_at")) result.started_at = n->text();
  if (auto n = root.find("explore")) result.explore = n->boolean();
  if (auto n = root.find("interrupted")) result.interrupted = n->boolean();
  for (const Node& item : root.at("databases").items())
    result.databases.push_back(read_database(item));
  for (const Node& item : root.at("isolations").items())
    result.isolations.push_back(parse_name<Isolation>(item, parse_isolation, "isolation level"));
  for (const Node& item : root.at("scenarios").items())
    result.scenarios.push_back(read_scenario(item));
  return result;
}

/// A saved replay command with the passwords of its URLs masked again.
std::string mask_saved_command(const std::string& command) {
  std::string masked;
  size_t at = 0;
  while (at <= command.size()) {
    const size_t end = std::min(command.find(' ', at), command.size());
    const std::string word = command.substr(at, end - at);
    if (!masked.empty() || at > 0) masked += ' ';
    masked += word.find("://") == std::string::npos ? word : mask_saved_url(word);
    at = end + 1;
  }
  return masked;
}

/// Where in `text` the parser stopped: `byte` counts the characters read, so the
/// offending character is text[byte - 1].
SourceLocation position_of(const std::string& text, size_t byte, const std::string& path) {
  const size_t index = std::min(byte == 0 ? 0 : byte - 1, text.size());
  const auto before = text.begin() + static_cast<std::ptrdiff_t>(index);
  const auto line = 1 + std::count(text.begin(), before, '\n');
  const size_t line_start = index == 0 ? std::string::npos : text.rfind('\n', index - 1);
  const size_t column = line_start == std::string::npos ? index + 1 : index - line_start;
  return SourceLocation{path, static_cast<int>(line), static_cast<int>(column)};
}

}  // namespace

Results read_json_result_text(const std::string& text, const std::string& path) {
  Json document;
  try {
    document = Json::parse(text);
  } catch (const Json::parse_error& e) {
    // what() reads "[json.exception.parse_error.101] parse error at line 1, column 2: <why>".
    std::string why = e.what();
    if (const size_t colon = why.find(": "); colon != std::string::npos) why.erase(0, colon + 2);
    throw InputError(position_of(text, e.byte, path), "malformed JSON: " + why);
  }

  const auto tool = document.is_object() ? document.find("tool") : document.end();
  if (tool == document.end() || *tool != "clobber")
    throw InputError(SourceLocation{path, 0, 0},
                     "not a clobber result file (no \"tool\": \"clobber\")");
  const Node root(document, "", path);

  const Node schema_node = root.at("schema");
  const int schema = schema_node.i32();
  if (schema < 1 || schema > kSchema)
    schema_node.fail(fmt::format("result schema {} is not supported (this clobber reads schema {})",
                                 schema, kSchema));
  // "scenarios" is what clobber wrote before the kinds were named.
  std::string kind = "run";
  const auto kind_node = root.find("kind");
  if (kind_node) kind = kind_node->text();
  if (kind == "scenario" || kind == "scenarios") return read_scenario_run(root, schema);
  if (kind != "run")
    kind_node->fail(fmt::format("expected \"run\" or \"scenario\", found \"{}\"", kind));

  RunResult result;
  result.tool = root.at("tool").text();
  result.version = root.at("version").text();
  result.schema = schema;
  result.workload = root.at("workload").text();
  if (auto n = root.find("workload_file")) result.workload_file = n->text();
  if (auto n = root.find("description")) result.description = n->text();
  result.seed = root.at("seed").u64();
  if (auto n = root.find("replay")) result.replay_command = mask_saved_command(n->text());
  if (auto n = root.find("explore")) result.explore = n->boolean();
  if (auto n = root.find("interrupted")) result.interrupted = n->boolean();
  if (auto n = root.find("started_at")) result.started_at = n->text();

  const Node verdict = root.at("verdict");
  const std::string value = verdict.text();
  if (value != "pass" && value != "fail")
    verdict.fail(fmt::format("expected \"pass\" or \"fail\", found \"{}\"", value));
  result.passed = value == "pass";

  for (const Node& item : root.at("cells").items()) result.cells.push_back(read_cell(item));
  return result;
}

Results read_json_result(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(SourceLocation{path, 0, 0},
                     std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw InputError(SourceLocation{path, 0, 0},
                     std::string("cannot read: ") + std::strerror(errno));
  return read_json_result_text(text.str(), path);
}

}  // namespace clobber
