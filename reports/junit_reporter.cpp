// JunitReporter: JUnit XML as Jenkins, GitLab and GitHub test reporters read it
// (docs/reports.md, "JUnit"). Every text from a file or a server is escaped, and
// characters XML 1.0 forbids become U+FFFD, so the file always parses.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "harness/history/history.h"
#include "reports/comparison_table.h"
#include "reports/reporter.h"
#include "reports/utf8_text.h"

namespace clobber {
namespace {

/// Code points a failure's or error's message attribute is cut to.
constexpr size_t kMessageLength = 200;

/// `text` as XML 1.0 character data, or as an attribute value when `attribute`
/// (where tabs and newlines are written as character references, so that
/// attribute normalization keeps them). Control characters other than tab,
/// newline and carriage return, and invalid UTF-8, become U+FFFD.
std::string xml(std::string_view text, bool attribute = false) {
  std::string out;
  out.reserve(text.size());
  for_each_code_point(text, [&](char32_t point, std::string_view bytes) {
    switch (point) {
      case '&':
        out += "&amp;";
        return;
      case '<':
        out += "&lt;";
        return;
      case '>':
        out += "&gt;";
        return;
      case '"':
        out += "&quot;";
        return;
      case '\'':
        out += "&apos;";
        return;
      case '\r':
        out += "&#13;";
        return;
      case '\t':
      case '\n':
        out += attribute ? fmt::format("&#{};", static_cast<int>(point)) : std::string(bytes);
        return;
      default:
        break;
    }
    const bool control = point < 0x20 || (point >= 0x7F && point < 0xA0);
    out += control || point == 0xFFFE || point == 0xFFFF ? kReplacementCharacter : bytes;
  });
  return out;
}

/// `text` as a short one-line attribute value: cut to kMessageLength code points.
std::string short_attribute(std::string_view text) {
  const std::string line = one_valid_line(text);
  std::string cut;
  size_t points = 0;
  bool cut_short = false;
  for_each_code_point(line, [&](char32_t, std::string_view bytes) {
    if (++points > kMessageLength) {
      cut_short = true;
      return;
    }
    cut += bytes;
  });
  return xml(cut_short ? cut + "…" : cut, true);
}

/// A component of a dotted classname: Jenkins splits classnames at their last
/// dot into package and class, so dots inside a name become underscores.
std::string class_part(std::string_view name) {
  std::string part = one_valid_line(name);
  std::replace(part.begin(), part.end(), '.', '_');
  return part;
}

/// Seconds as a JUnit time attribute.
std::string seconds(double value) {
  return fmt::format("{:.3f}", std::max(value, 0.0));
}

/// The JUnit timestamp (xs:dateTime without a zone, as Jenkins' schema wants)
/// of an ISO 8601 UTC time, or empty when `iso` does not start with one.
std::string timestamp(std::string_view iso) {
  constexpr std::string_view kShape = "0000-00-00T00:00:00";
  if (iso.size() < kShape.size()) return {};
  for (size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = iso[i] >= '0' && iso[i] <= '9';
    if (kShape[i] == '0' ? !digit : iso[i] != kShape[i]) return {};
  }
  return std::string(iso.substr(0, kShape.size()));
}

/// Test counts of a suite or of the whole file.
struct Counts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double time = 0;
};

std::string counts_attributes(const Counts& counts) {
  return fmt::format(R"(tests="{}" failures="{}" errors="{}" skipped="{}" time="{}")", counts.tests,
                     counts.failures, counts.errors, counts.skipped, seconds(counts.time));
}

/// One `<property>` line.
std::string property(std::string_view name, std::string_view value) {
  return fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml(name, true),
                     xml(value, true));
}

/// One suite: its properties, and its test cases already written.
struct Suite {
  std::string name;
  std::string properties;
  std::string cases;
  Counts counts;
};

std::string document(std::string_view name, const std::vector<Suite>& suites,
                     std::string_view started_at) {
  Counts total;
  for (const Suite& suite : suites) {
    total.tests += suite.counts.tests;
    total.failures += suite.counts.failures;
    total.errors += suite.counts.errors;
    total.skipped += suite.counts.skipped;
    total.time += suite.counts.time;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"{}\" {}>\n", xml(name, true), counts_attributes(total));
  const std::string stamp = timestamp(started_at);
  for (const Suite& suite : suites) {
    out += fmt::format("  <testsuite name=\"{}\" {}", xml(suite.name, true),
                       counts_attributes(suite.counts));
    if (!stamp.empty()) out += fmt::format(" timestamp=\"{}\"", stamp);
    out += ">\n";
    if (!suite.properties.empty())
      out += "    <properties>\n" + suite.properties + "    </properties>\n";
    out += suite.cases;
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

/// The opening tag of a test case.
std::string testcase_open(std::string_view classname, std::string_view name, double time) {
  return fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\">\n",
                     xml(classname, true), xml(name, true), seconds(time));
}

std::string settings_properties(const DatabaseInfo& database) {
  std::string out = property("database", database.url);
  for (const auto& [name, value] : database.settings)
    out += property("setting." + name, name == "password" ? "***" : value);
  return out;
}

// ---- runs ----

std::string witness_transaction(const WitnessTransaction& t) {
  // A lost-update witness also knows when the COMMIT was sent, which its explanation cites.
  const std::string commit =
      t.commit_sent_ms > 0
          ? fmt::format("commit sent {:.3f} ms, returned {:.3f} ms", t.commit_sent_ms, t.commit_ms)
          : fmt::format("commit {:.3f} ms", t.commit_ms);
  return fmt::format("  {}: worker {}, attempt {}, {}, start {:.3f} ms, {}, read {}, wrote {}{}\n",
                     txn_name(t.id), t.worker, t.attempt, t.type, t.start_ms, commit, t.read_value,
                     t.written_value, t.autocommit ? " (autocommit)" : "");
}

/// What a failed cell's `<failure>` carries: its failed expectations and
/// invariants, the ledger, unexpected errors and the first witness.
std::string failure_details(const CellResult& cell) {
  std::string out;
  for (const ExpectationResult& exp : cell.expectations)
    if (!exp.passed)
      out += fmt::format("expectation failed: {}; actual {}\n", exp.description, exp.actual);
  for (const InvariantResult& inv : cell.invariants) {
    if (!inv.failed()) continue;
    out += fmt::format("invariant failed: {}: expected {}, actual {}", inv.name, inv.expected,
                       inv.actual);
    out += inv.error.empty() ? "\n" : fmt::format(" ({})\n", inv.error);
  }
  const LedgerResult& ledger = cell.ledger;
  if (!ledger.balanced || ledger.differences_total > 0)
    out += fmt::format("ledger: {} values differ ({} rows checked), lost amount {}\n",
                       ledger.differences_total, ledger.rows_checked, ledger.lost_amount);
  for (const CellError& error : cell.errors)
    out += fmt::format("unexpected error {} x{}: {}\n", error.code, error.count, error.message);
  if (cell.lost_updates > 0) out += fmt::format("lost updates: {}\n", cell.lost_updates);
  const int64_t anomalies =
      std::max(cell.anomalies_total, static_cast<int64_t>(cell.anomalies.size()));
  if (anomalies > 0) {
    std::string by_type;
    for (const AnomalyCount& count : cell.anomaly_counts)
      by_type += fmt::format("{}{} {}", by_type.empty() ? " (" : ", ", count.type, count.count);
    out += fmt::format("anomalies: {}{}\n", anomalies, by_type.empty() ? "" : by_type + ")");
  }
  if (!cell.anomalies.empty()) {
    const Anomaly& anomaly = cell.anomalies.front();
    std::string where = anomaly.table;
    if (!anomaly.table.empty()) where += fmt::format("[{}]", anomaly.key);
    if (!anomaly.column.empty()) where += '.' + anomaly.column;
    out += fmt::format("first witness: {} on {}: {}\n", anomaly.type, where, anomaly.explanation);
    for (const WitnessTransaction& t : anomaly.transactions) out += witness_transaction(t);
    for (const AnomalyEdge& edge : anomaly.edges)
      out += fmt::format("  {} {} -> {}: {}\n", edge.kind, txn_name(edge.from), txn_name(edge.to),
                         edge.explanation);
    if (!anomaly.rules_out.empty()) {
      std::string levels;
      for (const std::string& level : anomaly.rules_out)
        levels += (levels.empty() ? "" : ", ") + level;
      out += fmt::format("  rules out: {}\n", levels);
    }
  }
  return out;
}

/// A failed cell's one-line message: its first failed expectation (or
/// invariant) and how many more failed.
std::string failure_message(const CellResult& cell) {
  std::vector<std::string> failed;
  for (const ExpectationResult& exp : cell.expectations)
    if (!exp.passed) failed.push_back(fmt::format("{}: actual {}", exp.description, exp.actual));
  for (const InvariantResult& inv : cell.invariants)
    if (inv.failed())
      failed.push_back(fmt::format("invariant {}: actual {}", inv.name, inv.actual));
  if (failed.empty()) return "the cell failed";
  if (failed.size() == 1) return failed.front();
  return fmt::format("{} (and {} more)", failed.front(), failed.size() - 1);
}

/// What every ran cell's `<system-out>` says: its counts.
std::string cell_summary(const CellResult& cell) {
  const TransactionCounts& t = cell.transactions;
  const AbortCounts& a = cell.aborts;
  return fmt::format(
      "{} workers, {:.3f} s: committed {} of {} (rejected {}, failed {}, indeterminate {})\n"
      "aborts: serialization {}, deadlock {}, lock timeout {}, conflict {}, other {}; retries {}\n"
      "{:.0f} tps; latency p50/p95/p99 {:.2f}/{:.2f}/{:.2f} ms; lost updates {}\n",
      cell.workers, cell.duration_s, t.committed, t.attempted, t.rejected, t.failed,
      t.indeterminate, a.serialization, a.deadlock, a.lock_timeout, a.conflict, a.other,
      cell.retries, cell.throughput_tps, cell.latency_ms.p50, cell.latency_ms.p95,
      cell.latency_ms.p99, cell.lost_updates);
}

/// One cell as a test case, counted into `counts`.
std::string run_testcase(const CellResult& cell, std::string_view classname, Counts& counts) {
  ++counts.tests;
  counts.time += cell.duration_s;
  const std::string name =
      fmt::format("{} / {}", to_string(cell.isolation), to_string(cell.locking));
  std::string out = testcase_open(classname, name, cell.duration_s);
  switch (cell.status) {
    case CellStatus::unsupported:
      ++counts.skipped;
      out += fmt::format("      <skipped message=\"{}\"/>\n", short_attribute(cell.reason));
      break;
    case CellStatus::error:
      ++counts.errors;
      out += fmt::format("      <error message=\"{}\" type=\"error\">{}</error>\n",
                         short_attribute(cell.reason), xml(cell.reason));
      break;
    case CellStatus::ran:
      if (!cell.passed) {
        ++counts.failures;
        out += fmt::format("      <failure message=\"{}\" type=\"expectation\">{}</failure>\n",
                           short_attribute(failure_message(cell)), xml(failure_details(cell)));
      }
      out += fmt::format("      <system-out>{}</system-out>\n", xml(cell_summary(cell)));
      break;
  }
  out += "    </testcase>\n";
  // An invariant the database could not run is a skipped test of its own.
  for (const InvariantResult& inv : cell.invariants) {
    if (!inv.not_run) continue;
    ++counts.tests;
    ++counts.skipped;
    out += testcase_open(classname, fmt::format("{} / invariant {}", name, inv.name), 0);
    out += fmt::format("      <skipped message=\"{}\"/>\n    </testcase>\n",
                       short_attribute(inv.note));
  }
  return out;
}

// ---- scenario runs ----

/// One scenario cell as a test case, counted into `counts`: an error is an
/// `<error>`, an unsupported level a skip; a cell whose outcome is not the one
/// its file's `expect:` demands is a `<failure>`; otherwise anomaly or
/// prevented passes, with the verdict in `<system-out>` (the matrix of which
/// levels allow the anomaly is the result, not a failure).
std::string scenario_testcase(const ScenarioCell& cell, std::string_view classname,
                              std::string_view database, Counts& counts) {
  ++counts.tests;
  counts.time += cell.duration_s;
  std::string out = testcase_open(
      classname, fmt::format("{} / {}", database, to_string(cell.isolation)), cell.duration_s);
  if (cell.status == CellStatus::unsupported || cell.verdict == ScenarioVerdict::unsupported) {
    ++counts.skipped;
    out += fmt::format("      <skipped message=\"{}\"/>\n", short_attribute(cell.reason));
  } else if (cell.status == CellStatus::error || cell.verdict == ScenarioVerdict::error) {
    ++counts.errors;
    out += fmt::format("      <error message=\"{}\" type=\"error\">{}</error>\n",
                       short_attribute(cell.reason), xml(cell.reason));
  } else {
    std::string text =
        fmt::format("verdict: {} ({})\n{}\n", to_string(cell.verdict), cell.how, cell.explanation);
    if (!cell.committed.empty()) {
      std::string sessions;
      for (const std::string& session : cell.committed)
        sessions += (sessions.empty() ? "" : ", ") + session;
      text += fmt::format("committed: {}\n", sessions);
    }
    const ExpectationResult* unmet = nullptr;
    for (const ExpectationResult& expectation : cell.expectations) {
      text += fmt::format("expected {}: {}\n", expectation.description,
                          expectation.passed ? "met" : "NOT MET, actual " + expectation.actual);
      if (!expectation.passed && unmet == nullptr) unmet = &expectation;
    }
    if (unmet != nullptr) {
      ++counts.failures;
      out += fmt::format(
          "      <failure message=\"{}\" type=\"expectation\">{}</failure>\n",
          short_attribute(fmt::format("expected {}; actual {}", unmet->description, unmet->actual)),
          xml(text));
    }
    out += fmt::format("      <system-out>{}</system-out>\n", xml(text));
  }
  return out + "    </testcase>\n";
}

}  // namespace

void JunitReporter::report(const RunResult& result, std::ostream& out) const {
  std::vector<const DatabaseInfo*> databases;
  for (const CellResult& cell : result.cells)
    if (std::none_of(databases.begin(), databases.end(),
                     [&](const DatabaseInfo* db) { return same_database(*db, cell.database); }))
      databases.push_back(&cell.database);

  std::string shared;
  shared += property("clobber.version", result.version);
  shared += property("workload", result.workload);
  if (!result.workload_file.empty()) shared += property("workload_file", result.workload_file);
  shared += property("seed", std::to_string(result.seed));
  if (!result.replay_command.empty()) shared += property("replay", result.replay_command);
  if (result.explore) shared += property("explore", "true");
  if (result.interrupted) shared += property("interrupted", "true");

  std::vector<Suite> suites;
  for (const DatabaseInfo* database : databases) {
    Suite& suite = suites.emplace_back();
    suite.name = one_valid_line(database_name_among(*database, databases));
    suite.properties = shared + settings_properties(*database);
    const std::string classname =
        fmt::format("clobber.{}.{}", class_part(result.workload), class_part(suite.name));
    for (const CellResult& cell : result.cells)
      if (same_database(cell.database, *database))
        suite.cases += run_testcase(cell, classname, suite.counts);
  }
  out << document("clobber " + result.workload, suites, result.started_at);
}

void JunitReporter::report(const ScenarioRunResult& result, std::ostream& out) const {
  std::vector<const DatabaseInfo*> databases;
  for (const DatabaseInfo& database : result.databases) databases.push_back(&database);
  std::vector<Suite> suites;
  for (const ScenarioResult& scenario : result.scenarios) {
    Suite& suite = suites.emplace_back();
    suite.name = scenario.id == scenario.name || scenario.id.empty()
                     ? scenario.name
                     : fmt::format("{} ({})", scenario.name, scenario.id);
    suite.properties = property("clobber.version", result.version);
    suite.properties += property("file", scenario.file);
    if (!scenario.description.empty())
      suite.properties += property("description", scenario.description);
    suite.properties += property("anomaly_if", scenario.anomaly_if);
    if (result.interrupted) suite.properties += property("interrupted", "true");
    const std::string classname = fmt::format(
        "clobber.scenario.{}", class_part(scenario.id.empty() ? scenario.name : scenario.id));
    for (const ScenarioCell& cell : scenario.cells) {
      // A cell of a database the run does not list (an old JSON) is named alone.
      const bool listed = std::any_of(databases.begin(), databases.end(),
                                      [&](auto* db) { return same_database(*db, cell.database); });
      const std::string database =
          listed ? one_valid_line(database_name_among(cell.database, databases))
                 : database_label(cell.database);
      suite.cases += scenario_testcase(cell, classname, database, suite.counts);
    }
  }
  out << document("clobber scenarios", suites, result.started_at);
}

}  // namespace clobber
