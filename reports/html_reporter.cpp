// HtmlReporter: one self-contained page per result. A strict
// Content-Security-Policy forbids every fetch and every script; the charts are
// inline SVG (reports/html_svg.h); every text from a file or a server goes
// through html_escape. A run: banner, isolation matrix, the cost of safety,
// folded per-cell details. A scenario run: banner, the prevented/anomaly
// matrix, per scenario its cells as sequence diagrams. Both end with the
// glossary, what the page leaves out, and the raw JSON.
#include <algorithm>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "reports/comparison_table.h"
#include "reports/html_svg.h"
#include "reports/reporter.h"

namespace clobber {
namespace {

/// A cell whose aborted attempts reach this fraction of all attempts is
/// coloured amber (high abort rate) when it lost nothing.
constexpr double kHighAbortRate = 0.20;
/// Anomalies of a cell drawn (witness timeline or cycle graph).
constexpr size_t kAnomaliesDrawn = 3;
/// Anomalies of a cell listed (one line each), the drawn ones included.
constexpr size_t kAnomaliesListed = 10;
/// Differing ledger rows listed per cell.
constexpr size_t kDifferencesListed = 20;
constexpr size_t kMegabyte = 1000 * 1000;
/// The raw JSON is embedded only when, escaped, it is at most this long...
constexpr size_t kEmbeddedJsonMax = 2 * kMegabyte;
/// ... and the page stays under this.
constexpr size_t kPageMax = 5 * kMegabyte;

using Out = std::back_insert_iterator<std::string>;

constexpr std::string_view kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:16px 24px;color:#1b1b1b;max-width:1400px}
h1{font-size:22px;margin:4px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccc}
h3{font-size:15px;margin:18px 0 6px}
code,pre{font:12px/1.35 ui-monospace,monospace}pre{background:#f4f4f4;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-all}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;font-weight:bold;color:#fff}
.verdict.pass{background:#1e8449}.verdict.fail{background:#c0392b}.verdict.other{background:#7f8c8d}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #bbb;padding:3px 7px;vertical-align:top;text-align:left}
th{background:#eee}.wide{overflow-x:auto}table.matrix td{min-width:70px}table.matrix{font-size:13px}table.matrix th{white-space:nowrap}#scenario-matrix td{min-width:0;padding:3px 5px;font-size:12px}th.group{background:#d6dbdf}table.matrix td a{color:inherit;text-decoration:none;display:block}
dl.banner{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}dl.banner dt{font-weight:bold}dl.banner dd{margin:0}
.lost{background:#f5b7b1}.expected{background:repeating-linear-gradient(45deg,#f5b7b1 0 6px,#fdedec 6px 12px)}
.high-abort{background:#fad7a0}.safe{background:#abebc6}.unsupported{background:#e5e7e9;color:#555}
.error{background:#d7bde2}.not-run{background:#fff;color:#999}.anomaly{background:#f5b7b1}.prevented{background:#abebc6}
.legend-swatch{display:inline-block;padding:1px 8px;margin-right:6px;border:1px solid #bbb}
.unmet{display:block;font-size:85%;color:#7b241c;font-weight:bold}
details{border:1px solid #ccc;border-radius:4px;margin:6px 0;padding:4px 8px}details>summary{cursor:pointer;font-weight:bold}
details.cell>summary{padding:2px 6px;border-radius:3px}
small{color:#444}.note{color:#555;font-style:italic}
svg.chart{display:block;margin:6px 0;max-width:100%;height:auto;background:#fff}
svg .grid{stroke:#e3e3e3}svg .axis{stroke:#555}svg text{font-family:system-ui,sans-serif}
svg .tick{font-size:10px;fill:#444}svg .unit{font-size:10px;fill:#222}svg .legend{font-size:11px}
svg .point{font-size:9px;fill:#333}svg .mark{paint-order:stroke;stroke:#fff;stroke-width:2px}svg .lane{font-size:12px;font-weight:bold}svg .mark{font-size:9px;fill:#a93226}
svg .bar{fill:#5b8fc7}svg .txn.lost{fill:#aed6f1;stroke:#2471a3}svg .txn.overwrote{fill:#f5b7b1;stroke:#a93226}
svg .write{fill:#2471a3}svg .write-over{fill:#c0392b}svg .commit-sent{stroke:#333;stroke-dasharray:2 2}
svg .node{fill:#fdfefe;stroke:#333;stroke-width:1.5}svg .node-id{font-size:11px;font-weight:bold}svg .edge{font-size:11px;font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg .lifeline{stroke:#bbb;stroke-dasharray:4 3}svg .blocked-span{fill:#f8c471;fill-opacity:.45}
svg .ev{stroke-width:1.2}svg .ev.ok{fill:#fff;stroke:#888}svg .ev.released{fill:#d5f5e3;stroke:#1e8449}
svg .ev.failed{fill:#f5b7b1;stroke:#a93226}svg .ev.blocked{fill:#fad7a0;stroke:#b9770e}
svg .ev.skipped{fill:#eee;stroke:#999;stroke-dasharray:3 2}svg .stmt{font:11px ui-monospace,monospace}
svg .outcome{font-size:10px;fill:#333}svg .release{stroke:#1e8449;stroke-width:1.5;fill:none}
)";

/// Escapes `text`.
std::string e(std::string_view text) {
  return html_escape(text);
}

/// The page's head: charset, the CSP that forbids every fetch and script, the
/// title and the style sheet; opens <body>.
void open_page(std::string& out, std::string_view title) {
  fmt::format_to(Out(out),
                 "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                 "style-src 'unsafe-inline'; img-src data:\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width\">\n"
                 "<title>{}</title>\n<style>{}</style></head>\n<body>\n",
                 e(title), kStyle);
}

/// A percentage: "0%", "<1%", "12%".
std::string percent(double fraction) {
  if (fraction <= 0) return "0%";
  if (fraction < 0.01) return "<1%";
  return fmt::format("{:.0f}%", fraction * 100);
}

/// A database's settings, "name=value, ..." (escaped), or "default settings".
std::string settings_text(const DatabaseInfo& database) {
  if (database.settings.empty()) return "default settings";
  std::string text;
  for (const auto& [name, value] : database.settings)
    text += (text.empty() ? "" : ", ") + e(name) + "=" + e(value);
  return text;
}

/// The banner's list of databases: each with its version, URL and settings.
void append_databases(std::string& out, const std::vector<const DatabaseInfo*>& databases) {
  out += "<dt>databases</dt><dd><ul>";
  for (const DatabaseInfo* db : databases)
    fmt::format_to(Out(out), "<li><b>{}</b> (server version {}) <code>{}</code> — {}</li>",
                   e(database_label(*db)), e(db->server_version), e(db->url), settings_text(*db));
  out += "</ul></dd>";
}

/// Names of `databases` as column headers (database_name_among).
std::vector<std::string> database_headers(const std::vector<const DatabaseInfo*>& databases) {
  std::vector<std::string> headers;
  for (const DatabaseInfo* db : databases) headers.push_back(database_name_among(*db, databases));
  return headers;
}

// ---------------------------------------------------------------- run report

/// How the matrix colours and names a cell.
struct CellLook {
  std::string_view css;  // lost, expected, high-abort, safe, unsupported, error
  std::string headline;
};

CellLook look(const CellResult& cell) {
  if (cell.status == CellStatus::unsupported) return {"unsupported", "unsupported"};
  if (cell.status == CellStatus::error) return {"error", "error"};
  std::vector<std::string> what;
  if (cell.lost_updates > 0) what.push_back(fmt::format("{} lost updates", cell.lost_updates));
  for (const AnomalyCount& count : cell.anomaly_counts)
    if (count.type != "lost_update" && count.count > 0)
      what.push_back(fmt::format("{} {}", count.count, count.type));
  if (what.empty() && cell.anomalies_total > 0)
    what.push_back(fmt::format("{} anomalies", cell.anomalies_total));
  if (!cell.ledger.balanced && cell.lost_updates == 0)
    what.push_back(fmt::format("ledger off by {}", cell.ledger.lost_amount));
  if (std::any_of(cell.invariants.begin(), cell.invariants.end(),
                  [](const InvariantResult& inv) { return inv.failed(); }))
    what.push_back("invariant failed");
  std::string headline;
  for (const std::string& part : what) headline += (headline.empty() ? "" : ", ") + part;
  if (!what.empty() && cell.passed) return {"expected", "expected: " + headline};
  if (!what.empty()) return {"lost", headline};
  if (!cell.passed) return {"lost", "failed expectations"};
  if (cell.abort_rate() >= kHighAbortRate)
    return {"high-abort", "high abort rate " + percent(cell.abort_rate())};
  return {"safe", "safe"};
}

std::string cell_anchor(size_t index) {
  return fmt::format("cell-{}", index);
}

std::string cell_title(const CellResult& cell) {
  return fmt::format("{} · {} · {}", database_label(cell.database), to_string(cell.isolation),
                     to_string(cell.locking));
}

void append_run_banner(std::string& out, const RunResult& result,
                       const std::vector<const DatabaseInfo*>& databases) {
  std::string_view verdict_css = result.passed ? "pass" : "fail";
  std::string verdict = result.passed ? "PASS" : "FAIL";
  if (result.explore) {
    verdict += " (explore: verdicts do not fail the exit code)";
    verdict_css = "other";
  }
  if (result.interrupted) {
    verdict = "INTERRUPTED: a partial report";
    verdict_css = "other";
  }
  size_t met = 0, failed = 0, unsupported = 0, errors = 0;
  for (const CellResult& cell : result.cells) {
    if (cell.status == CellStatus::unsupported) ++unsupported;
    if (cell.status == CellStatus::error) ++errors;
    if (cell.status == CellStatus::ran) ++(cell.passed ? met : failed);
  }
  fmt::format_to(Out(out),
                 "<header><h1>clobber run: {} <span class=\"verdict {}\" id=\"verdict\">{}</span>"
                 "</h1>\n<dl class=\"banner\"><dt>workload</dt><dd><b>{}</b> <code>{}</code></dd>"
                 "<dt>description</dt><dd>{}</dd><dt>seed</dt><dd><code>{}</code></dd>"
                 "<dt>replay</dt><dd><pre id=\"replay\">{}</pre></dd>"
                 "<dt>clobber</dt><dd>version {}, started {}</dd>",
                 e(result.workload), verdict_css, e(verdict), e(result.workload),
                 e(result.workload_file), e(result.description), result.seed,
                 e(result.replay_command), e(result.version), e(result.started_at));
  append_databases(out, databases);
  fmt::format_to(Out(out),
                 "<dt>cells</dt><dd id=\"counts\">{} met, {} failed, {} unsupported, {} "
                 "error{}</dd></dl></header>\n",
                 met, failed, unsupported, errors, errors == 1 ? "" : "s");
}

/// The isolation matrix: rows (isolation, locking) in the order cells first
/// ran, one column per database; each cell coloured and linking to its detail.
void append_run_matrix(std::string& out, const RunResult& result,
                       const std::vector<const DatabaseInfo*>& databases) {
  std::vector<std::pair<Isolation, Locking>> rows;
  for (const CellResult& cell : result.cells)
    if (std::find(rows.begin(), rows.end(), std::pair{cell.isolation, cell.locking}) == rows.end())
      rows.emplace_back(cell.isolation, cell.locking);
  fmt::format_to(
      Out(out),
      "<section id=\"matrix\"><h2>Isolation matrix</h2>\n<p>"
      "<span class=\"legend-swatch lost\">lost updates or anomalies</span>"
      "<span class=\"legend-swatch expected\">expected race (the workload expects it)</span>"
      "<span class=\"legend-swatch high-abort\">high abort rate (≥ {:.0f}% of attempts)</span>"
      "<span class=\"legend-swatch safe\">safe</span>"
      "<span class=\"legend-swatch unsupported\">unsupported</span>"
      "<span class=\"legend-swatch error\">error</span></p>\n"
      "<div class=\"wide\"><table class=\"matrix\" "
      "id=\"isolation-matrix\"><tr><th>isolation</th><th>locking</th>",
      kHighAbortRate * 100);
  for (const std::string& header : database_headers(databases))
    fmt::format_to(Out(out), "<th>{}</th>", e(header));
  out += "</tr>\n";
  for (const auto& [isolation, locking] : rows) {
    fmt::format_to(Out(out), "<tr><th>{}</th><th>{}</th>", to_string(isolation),
                   to_string(locking));
    for (const DatabaseInfo* db : databases) {
      const auto it = std::find_if(result.cells.begin(), result.cells.end(), [&](const auto& c) {
        return c.isolation == isolation && c.locking == locking && same_database(c.database, *db);
      });
      if (it == result.cells.end()) {
        out += "<td class=\"not-run\">not run</td>";
        continue;
      }
      const CellResult& cell = *it;
      const CellLook l = look(cell);
      std::string second;
      if (cell.status == CellStatus::ran)
        second =
            fmt::format("abort {} · {:.0f} tps", percent(cell.abort_rate()), cell.throughput_tps);
      else
        second = e(cell.reason);
      fmt::format_to(Out(out),
                     "<td class=\"{}\"><a href=\"#{}\"><b>{}</b><br><small>{}</small></a></td>",
                     l.css, cell_anchor(it - result.cells.begin()), e(l.headline), second);
    }
    out += "</tr>\n";
  }
  out += "</table></div></section>\n";
}

/// The cost of safety: every cell that ran at (abort rate, throughput), one
/// marker per database.
void append_cost_of_safety(std::string& out, const RunResult& result,
                           const std::vector<const DatabaseInfo*>& databases) {
  std::vector<ScatterPoint> points;
  for (size_t i = 0; i < result.cells.size(); ++i) {
    const CellResult& cell = result.cells[i];
    if (cell.status != CellStatus::ran) continue;
    const size_t group =
        std::find_if(databases.begin(), databases.end(),
                     [&](const auto* db) { return same_database(*db, cell.database); }) -
        databases.begin();
    points.push_back({cell.abort_rate(), cell.throughput_tps, group,
                      fmt::format("{}/{}", to_string(cell.isolation), to_string(cell.locking)),
                      cell_anchor(i)});
  }
  out +=
      "<section id=\"cost\"><h2>The cost of safety</h2>\n<p>Throughput (committed "
      "transactions per second) against the abort rate (aborted attempts among all attempts) "
      "of every cell that ran; one marker shape and colour per database. Each marker links "
      "to its cell.</p>\n";
  if (points.empty()) {
    out += "<p class=\"note\">No cell ran.</p></section>\n";
    return;
  }
  out += svg_scatter("throughput against abort rate", points, database_headers(databases),
                     "abort rate", "tps", 16);
  out += "</section>\n";
}

/// Throughput and aborts by cause per second over the cell's run.
void append_timeline(std::string& out, const CellResult& cell) {
  const Timeline& timeline = cell.timeline;
  if (timeline.intervals.empty() || timeline.interval_s <= 0) {
    out += "<p class=\"note\">No timeline: the attempts were not recorded.</p>";
    return;
  }
  ChartSeries committed{"committed/s", "#1e8449", {}};
  std::vector<ChartSeries> aborts{{"serialization/s", "#c0392b", {}},
                                  {"deadlock/s", "#7b3fa8", {}},
                                  {"lock timeout/s", "#e07b00", {}},
                                  {"conflict/s", "#1f6fb4", {}},
                                  {"other/s", "#555555", {}}};
  for (const TimelineInterval& interval : timeline.intervals) {
    const double s = timeline.interval_s;
    committed.values.push_back(interval.committed / s);
    aborts[0].values.push_back(interval.aborts.serialization / s);
    aborts[1].values.push_back(interval.aborts.deadlock / s);
    aborts[2].values.push_back(interval.aborts.lock_timeout / s);
    aborts[3].values.push_back(interval.aborts.conflict / s);
    aborts[4].values.push_back(interval.aborts.other / s);
  }
  std::erase_if(aborts, [](const ChartSeries& series) {
    return std::all_of(series.values.begin(), series.values.end(), [](double v) { return v == 0; });
  });
  fmt::format_to(Out(out),
                 "<h3>Throughput and aborts over the run</h3><p><small>per second, in "
                 "intervals of {:g} s, by when each attempt ended</small></p>",
                 timeline.interval_s);
  out += svg_line_chart("throughput over time", {committed}, timeline.interval_s, "s", "tx/s");
  if (aborts.empty())
    out += "<p>No aborted attempts.</p>";
  else
    out +=
        svg_line_chart("aborts by cause over time", aborts, timeline.interval_s, "s", "aborts/s");
}

void append_latency(std::string& out, const CellResult& cell) {
  const LatencySummary& l = cell.latency_ms;
  fmt::format_to(Out(out),
                 "<h3>Latency</h3><p>committed transactions, first attempt start to commit: p50 "
                 "{:.2f} ms, p95 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms</p>",
                 l.p50, l.p95, l.p99, l.max);
  if (cell.latency_histogram.empty()) return;
  std::vector<ChartBar> bars;
  for (const LatencyBucket& bucket : cell.latency_histogram)
    bars.push_back({fmt::format("<{:g} ms", bucket.below_ms), static_cast<double>(bucket.count)});
  out += svg_bar_chart("latency histogram", bars, "transactions");
}

void append_checks(std::string& out, const CellResult& cell) {
  const LedgerResult& ledger = cell.ledger;
  fmt::format_to(Out(out), "<h3>Ledger</h3><p>{}: {} rows checked, lost amount {}</p>",
                 ledger.balanced ? "balanced" : "<b>not balanced</b>", ledger.rows_checked,
                 ledger.lost_amount);
  if (!ledger.differences.empty()) {
    out +=
        "<table><tr><th>table</th><th>key</th><th>column</th><th>expected</th><th>actual</th>"
        "</tr>";
    for (size_t i = 0; i < ledger.differences.size() && i < kDifferencesListed; ++i) {
      const RowDifference& d = ledger.differences[i];
      const std::string expected = d.expected_max != d.expected
                                       ? fmt::format("{} .. {}", d.expected, d.expected_max)
                                       : std::to_string(d.expected);
      fmt::format_to(Out(out), "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                     e(d.table), d.key, e(d.column), expected, d.actual);
    }
    out += "</table>";
    const int64_t listed = std::min(ledger.differences.size(), kDifferencesListed);
    if (ledger.differences_total > listed)
      fmt::format_to(Out(out),
                     "<p class=\"note\">{} more differing values (not listed here; the "
                     "JSON lists up to 100).</p>",
                     ledger.differences_total - listed);
  }
  if (!cell.invariants.empty()) {
    out +=
        "<h3>Invariants</h3><table><tr><th>invariant</th><th>expected</th><th>actual</th>"
        "<th></th></tr>";
    for (const InvariantResult& inv : cell.invariants)
      if (inv.not_run)
        fmt::format_to(Out(out),
                       "<tr class=\"unsupported\"><td>{}</td><td>{}</td><td>{}</td><td>not run: "
                       "{}</td></tr>",
                       e(inv.name), e(inv.expected), e(inv.actual), e(inv.note));
      else
        fmt::format_to(
            Out(out), "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            inv.passed ? "safe" : "lost", e(inv.name), e(inv.expected), e(inv.actual),
            inv.passed ? "held" : "FAILED", inv.error.empty() ? "" : ": " + e(inv.error));
    out += "</table>";
  }
  if (!cell.expectations.empty()) {
    out += "<h3>Expectations</h3><table><tr><th>expectation</th><th>actual</th><th></th></tr>";
    for (const ExpectationResult& exp : cell.expectations)
      fmt::format_to(Out(out), "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>",
                     exp.passed ? "safe" : "lost", e(exp.description), e(exp.actual),
                     exp.passed ? "met" : "FAILED");
    out += "</table>";
  }
  if (!cell.errors.empty()) {
    out += "<h3>Errors</h3><table><tr><th>code</th><th>attempts</th><th>first message</th></tr>";
    for (const CellError& error : cell.errors)
      fmt::format_to(Out(out), "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", e(error.code),
                     error.count, e(error.message));
    out += "</table>";
    if (cell.errors_total > static_cast<int64_t>(cell.errors.size()))
      fmt::format_to(Out(out), "<p class=\"note\">{} more distinct errors.</p>",
                     cell.errors_total - static_cast<int64_t>(cell.errors.size()));
  }
  if (cell.chaos.kill_rate > 0 || cell.chaos.reconnects > 0)
    fmt::format_to(Out(out), "<p>Faults: {} sessions killed ({:g}/s asked), {} reconnects.</p>",
                   cell.chaos.kills, cell.chaos.kill_rate, cell.chaos.reconnects);
  if (!cell.notes.empty()) {
    out += "<h3>Notes</h3><ul>";
    for (const std::string& note : cell.notes) fmt::format_to(Out(out), "<li>{}</li>", e(note));
    out += "</ul>";
  }
}

/// One anomaly drawn: a lost update as a timeline with the version read, a
/// dependency-graph anomaly as its graph with one sentence per edge.
void append_anomaly_drawn(std::string& out, const Anomaly& anomaly) {
  fmt::format_to(Out(out), "<div class=\"anomaly-detail\"><h4>{} on {} key {}</h4><p>{}</p>",
                 e(anomaly.type), e(anomaly.table), anomaly.key, e(anomaly.explanation));
  if (anomaly.type == "lost_update") {
    const std::string version =
        anomaly.version_read == 0 ? std::string("the seeded value (no committed write before them)")
                                  : "the version written by " + txn_label(anomaly.version_read);
    fmt::format_to(Out(out),
                   "<p>Every transaction below read {} of {} key {}{}; each wrote the row. The one "
                   "that committed last (red) overwrote the others' writes (blue), which are "
                   "lost. Bars run from start to commit; ▼ marks the write, the dotted line when "
                   "COMMIT was sent.</p>",
                   version, e(anomaly.table), anomaly.key,
                   anomaly.column.empty() ? "" : " (column " + e(anomaly.column) + ")");
    out += svg_witness_timeline(anomaly);
    if (anomaly.transactions.size() > kLanesDrawn)
      fmt::format_to(Out(out), "<p class=\"note\">{} of {} transactions drawn.</p>", kLanesDrawn,
                     anomaly.transactions.size());
  } else {
    out += svg_cycle_graph(anomaly);
    if (!anomaly.edges.empty()) {
      out += "<ul class=\"edges\">";
      for (const AnomalyEdge& edge : anomaly.edges)
        fmt::format_to(Out(out), "<li><b>{} →{}→ {}</b> ({} key {}): {}</li>", txn_label(edge.from),
                       e(edge.kind), txn_label(edge.to), e(edge.table), edge.key,
                       e(edge.explanation));
      out += "</ul>";
    }
  }
  if (!anomaly.rules_out.empty()) {
    out += "<p>Rules out: ";
    for (size_t i = 0; i < anomaly.rules_out.size(); ++i)
      out += (i ? ", " : "") + e(anomaly.rules_out[i]);
    out += "</p>";
  }
  out += "</div>";
}

void append_anomalies(std::string& out, const CellResult& cell) {
  if (cell.anomalies_total == 0 && cell.anomalies.empty()) return;
  out += "<h3>Anomalies</h3><p>";
  for (size_t i = 0; i < cell.anomaly_counts.size(); ++i)
    fmt::format_to(Out(out), "{}{} {}", i ? ", " : "", cell.anomaly_counts[i].count,
                   e(cell.anomaly_counts[i].type));
  fmt::format_to(Out(out), " ({} in all)</p>", cell.anomalies_total);
  for (size_t i = 0; i < cell.anomalies.size() && i < kAnomaliesDrawn; ++i)
    append_anomaly_drawn(out, cell.anomalies[i]);
  const size_t listed = std::min(cell.anomalies.size(), kAnomaliesListed);
  if (listed > kAnomaliesDrawn) {
    out += "<table><tr><th>type</th><th>row</th><th>explanation</th></tr>";
    for (size_t i = kAnomaliesDrawn; i < listed; ++i) {
      const Anomaly& a = cell.anomalies[i];
      fmt::format_to(Out(out), "<tr><td>{}</td><td>{} key {}</td><td>{}</td></tr>", e(a.type),
                     e(a.table), a.key, e(a.explanation));
    }
    out += "</table>";
  }
  const int64_t shown = static_cast<int64_t>(listed);
  if (cell.anomalies_total > shown)
    fmt::format_to(
        Out(out),
        "<p class=\"note\">{} drawn, {} listed of {} anomalies; the JSON lists up to 100 "
        "per cell with their witnesses.</p>",
        std::min(listed, kAnomaliesDrawn), listed, cell.anomalies_total);
}

void append_cell_detail(std::string& out, const CellResult& cell, size_t index) {
  const CellLook l = look(cell);
  fmt::format_to(Out(out),
                 "<details class=\"cell\" id=\"{}\"><summary class=\"{}\">{} — {}</summary>\n",
                 cell_anchor(index), l.css, e(cell_title(cell)), e(l.headline));
  if (cell.status != CellStatus::ran) {
    fmt::format_to(Out(out), "<p><b>{}</b>: {}</p></details>\n", to_string(cell.status),
                   e(cell.reason));
    return;
  }
  const TransactionCounts& t = cell.transactions;
  const AbortCounts& a = cell.aborts;
  fmt::format_to(
      Out(out),
      "<table><tr><th>workers</th><th>duration</th><th>attempted</th><th>committed</th>"
      "<th>rejected</th><th>failed</th><th>indeterminate</th><th>aborts s/d/lt/c/o</th>"
      "<th>abort rate</th><th>retries</th><th>tps</th><th>lost updates</th></tr>"
      "<tr><td>{}</td><td>{:.2f} s</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td>"
      "<td>{}/{}/{}/{}/{}</td><td>{}</td><td>{}</td><td>{:.1f}</td><td>{}</td></tr></table>"
      "<p><small>aborts s/d/lt/c/o: serialization / deadlock / lock timeout / conflict / "
      "other</small></p>",
      cell.workers, cell.duration_s, t.attempted, t.committed, t.rejected, t.failed,
      t.failed_by_error ? fmt::format(" ({} by error)", t.failed_by_error) : "", t.indeterminate,
      a.serialization, a.deadlock, a.lock_timeout, a.conflict, a.other, percent(cell.abort_rate()),
      cell.retries, cell.throughput_tps, cell.lost_updates);
  append_timeline(out, cell);
  append_latency(out, cell);
  append_checks(out, cell);
  append_anomalies(out, cell);
  out += "</details>\n";
}

// ----------------------------------------------------------- scenario report

std::string scenario_anchor(size_t scenario, size_t cell) {
  return fmt::format("sc-{}-{}", scenario, cell);
}

/// The CSS class of a scenario cell: its verdict's name.
std::string_view verdict_css(const ScenarioCell& cell) {
  return to_string(cell.verdict);
}

/// A trace event's result as the trace table shows it.
std::string event_result(const TraceEvent& event) {
  switch (event.status) {
    case StepStatus::ok: {
      if (event.rows.columns.empty())
        return event.rows_affected >= 0 ? fmt::format("ok, {} rows changed", event.rows_affected)
                                        : "ok";
      std::string rows;
      for (size_t r = 0; r < event.rows.rows.size() && r < 10; ++r) {
        rows += r ? ", [" : "[";
        for (size_t c = 0; c < event.rows.rows[r].size(); ++c)
          rows += (c ? ", " : "") + event.rows.rows[r][c].value_or("NULL");
        rows += "]";
      }
      if (event.rows.rows.size() > 10) rows += fmt::format(" … ({} rows)", event.rows.rows.size());
      return rows.empty() ? "no rows" : rows;
    }
    case StepStatus::failed:
      return fmt::format("failed {} ({}): {}", event.outcome.code, to_string(event.outcome.cause),
                         event.outcome.message);
    case StepStatus::blocked:
      return fmt::format("blocked (seen in {})", to_string(event.detected_by));
    case StepStatus::deferred:
      return fmt::format("deferred: {} is blocked at step {}", event.session,
                         event.blocked_at_step);
    case StepStatus::skipped:
      return event.failed_at_step
                 ? fmt::format("skipped: the transaction failed at step {}", event.failed_at_step)
                 : fmt::format("never sent: still blocked at step {} when the script ended",
                               event.blocked_at_step);
    case StepStatus::rolled_back:
      return fmt::format("rolled back instead: the transaction failed at step {}",
                         event.failed_at_step);
  }
  return "?";
}

void append_scenario_banner(std::string& out, const ScenarioRunResult& result,
                            const std::vector<const DatabaseInfo*>& databases) {
  size_t counts[4] = {0, 0, 0, 0};  // anomaly, prevented, unsupported, error
  for (const ScenarioResult& scenario : result.scenarios)
    for (const ScenarioCell& cell : scenario.cells) ++counts[static_cast<int>(cell.verdict)];
  fmt::format_to(Out(out),
                 "<header><h1>clobber scenarios <span class=\"verdict other\" id=\"verdict\">{} "
                 "scenarios</span></h1>\n<dl class=\"banner\"><dt>clobber</dt><dd>version {}, "
                 "started {}{}</dd><dt>isolation levels</dt><dd>",
                 result.scenarios.size(), e(result.version), e(result.started_at),
                 result.interrupted ? " — <b>INTERRUPTED: a partial report</b>" : "");
  for (size_t i = 0; i < result.isolations.size(); ++i)
    fmt::format_to(Out(out), "{}{}", i ? ", " : "", to_string(result.isolations[i]));
  out += "</dd>";
  append_databases(out, databases);
  fmt::format_to(Out(out),
                 "<dt>cells</dt><dd id=\"counts\">{} anomaly, {} prevented, {} unsupported, {} "
                 "error</dd>",
                 counts[0], counts[1], counts[2], counts[3]);
  size_t met = 0, unmet = 0;
  for (const ScenarioResult& scenario : result.scenarios)
    for (const ScenarioCell& cell : scenario.cells)
      for (const ExpectationResult& expectation : cell.expectations)
        ++(expectation.passed ? met : unmet);
  if (met + unmet > 0)
    fmt::format_to(
        Out(out),
        "<dt>expected outcomes</dt><dd id=\"expectations\">{} met, <b>{} not met</b>{}</dd>", met,
        unmet, result.explore ? " (--explore: reported, not failing)" : "");
  out += "</dl></header>\n";
}

void append_scenario_matrix(std::string& out, const ScenarioRunResult& result) {
  out +=
      "<section id=\"matrix\"><h2>Scenario matrix</h2>\n<p>"
      "<span class=\"legend-swatch anomaly\">anomaly happened</span>"
      "<span class=\"legend-swatch prevented\">prevented (how)</span>"
      "<span class=\"legend-swatch unsupported\">unsupported</span>"
      "<span class=\"legend-swatch error\">error</span>"
      "<span class=\"legend-swatch not-run\">not run</span> Each cell links to its sequence "
      "diagram; hover it for why.</p>\n<div class=\"wide\"><table class=\"matrix\" "
      "id=\"scenario-matrix\"><tr><th>isolation</th>";
  for (const ScenarioResult& scenario : result.scenarios)
    fmt::format_to(Out(out), "<th title=\"{}\">{}</th>", e(scenario.name), e(scenario.id));
  out += "</tr>\n";
  std::vector<const DatabaseInfo*> databases;
  for (const DatabaseInfo& db : result.databases) databases.push_back(&db);
  const std::vector<std::string> headers = database_headers(databases);
  const DatabaseInfo* group = nullptr;  // each database heads its rows
  for (const MatrixRow& row : scenario_matrix(result)) {
    if (row.database != group) {
      group = row.database;
      const size_t db = row.database - result.databases.data();
      fmt::format_to(Out(out), "<tr><th colspan=\"{}\" class=\"group\">{}</th></tr>\n",
                     result.scenarios.size() + 1,
                     e(db < headers.size() ? headers[db] : database_label(*row.database)));
    }
    fmt::format_to(Out(out), "<tr><th>{}</th>", to_string(row.isolation));
    for (size_t s = 0; s < row.cells.size() && s < result.scenarios.size(); ++s) {
      const ScenarioCell* cell = row.cells[s];
      if (!cell) {
        out += "<td class=\"not-run\">not run</td>";
        continue;
      }
      const size_t index = cell - result.scenarios[s].cells.data();
      std::string unmet;  // the file's expect: demanded another outcome
      for (const ExpectationResult& expectation : cell->expectations)
        if (!expectation.passed)
          unmet = fmt::format("<span class=\"unmet\" title=\"expected {}\">✗ expected {}</span>",
                              e(expectation.description),
                              expectation.description.substr(0, expectation.description.find(' ')));
      fmt::format_to(Out(out), "<td class=\"{}\" title=\"{}\"><a href=\"#{}\"><b>{}</b></a>{}</td>",
                     verdict_css(*cell),
                     e(cell->status == CellStatus::ran ? cell->explanation : cell->reason),
                     scenario_anchor(s, index), e(cell->how), unmet);
    }
    out += "</tr>\n";
  }
  out += "</table></div></section>\n";
}

/// What released `event` (a statement that had blocked): ", by SESSION's step
/// N" when another session's statement ran in the step it was released
/// during; empty when none did.
std::string released_by(const ScenarioCell& cell, const TraceEvent& event) {
  const TraceEvent* by = nullptr;
  for (const TraceEvent& other : cell.trace) {
    if (&other == &event) break;
    if (other.at_step == event.at_step && other.step == event.at_step &&
        other.session != event.session && !other.released)
      by = &other;
  }
  return by ? fmt::format(" by {}'s step {}: {}", e(by->session), by->step, e(by->statement)) : "";
}

void append_scenario_cell(std::string& out, const ScenarioResult& scenario,
                          const ScenarioCell& cell, const std::string& anchor) {
  fmt::format_to(
      Out(out), "<details class=\"cell\" id=\"{}\"><summary class=\"{}\">{} at {} — {}</summary>\n",
      anchor, verdict_css(cell), e(database_label(cell.database)), to_string(cell.isolation),
      e(cell.how));
  if (cell.status != CellStatus::ran) {
    fmt::format_to(Out(out), "<p><b>{}</b>: {}</p>", to_string(cell.status), e(cell.reason));
    if (cell.trace.empty()) {
      out += "</details>\n";
      return;
    }
  }
  fmt::format_to(Out(out), "<p>{}</p>", e(cell.explanation));
  if (!cell.expectations.empty()) {
    out += "<table><tr><th>expected (the file's expect:)</th><th>actual</th><th></th></tr>";
    for (const ExpectationResult& expectation : cell.expectations)
      fmt::format_to(Out(out), "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>",
                     expectation.passed ? "prevented" : "anomaly", e(expectation.description),
                     e(expectation.actual), expectation.passed ? "met" : "NOT MET");
    out += "</table>";
  }
  if (!cell.committed.empty()) {
    out += "<p>Committed: ";
    for (size_t i = 0; i < cell.committed.size(); ++i)
      out += (i ? ", " : "") + e(cell.committed[i]);
    out += "</p>";
  }
  out += svg_sequence(scenario, cell);
  if (cell.trace.size() > kTraceRowsDrawn)
    fmt::format_to(Out(out),
                   "<p class=\"note\">{} of {} trace events drawn; the table lists all.</p>",
                   kTraceRowsDrawn, cell.trace.size());
  out += "<table><tr><th>step</th><th>session</th><th>statement</th><th>result</th></tr>";
  for (const TraceEvent& event : cell.trace) {
    std::string step = static_cast<size_t>(event.at_step) > scenario.steps.size()
                           ? std::string("end")
                           : std::to_string(event.at_step);
    if (event.released)
      step += fmt::format(" (step {} released{})", event.step, released_by(cell, event));
    if (event.deferred) step += fmt::format(" (deferred step {})", event.step);
    fmt::format_to(Out(out), "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                   step, e(event.session), e(event.statement), e(event_result(event)));
  }
  out += "</table></details>\n";
}

void append_scenarios(std::string& out, const ScenarioRunResult& result) {
  out += "<section id=\"scenarios\"><h2>Scenarios</h2>\n";
  for (size_t s = 0; s < result.scenarios.size(); ++s) {
    const ScenarioResult& scenario = result.scenarios[s];
    fmt::format_to(Out(out),
                   "<h3>{}: {}</h3><p>{}</p><p><small>{}</small></p><p>Anomaly if: "
                   "<code>{}</code></p><ol class=\"steps\">",
                   e(scenario.id), e(scenario.name), e(scenario.description), e(scenario.file),
                   e(scenario.anomaly_if));
    for (const ScenarioStepInfo& step : scenario.steps)
      fmt::format_to(Out(out), "<li><b>{}</b>: <code>{}</code>{}</li>", e(step.session),
                     e(step.statement), step.name.empty() ? "" : " as " + e(step.name));
    out += "</ol>\n";
    for (size_t c = 0; c < scenario.cells.size(); ++c)
      append_scenario_cell(out, scenario, scenario.cells[c], scenario_anchor(s, c));
  }
  out += "</section>\n";
}

// ------------------------------------------------------------------ appendix

constexpr std::string_view kGlossary = R"(<h3>Glossary</h3><dl>
<dt>G0 (dirty write)</dt><dd>A cycle of write-write (ww) dependencies: two transactions overwrite each other's uncommitted writes. Every ANSI level, even read uncommitted, forbids it (Adya's PL-1).</dd>
<dt>G1a (aborted read)</dt><dd>A transaction reads a value written by a transaction that later aborts.</dd>
<dt>G1b (intermediate read)</dt><dd>A transaction reads a version another transaction later overwrote itself: not its final write.</dd>
<dt>G1c (circular information flow)</dt><dd>A cycle of ww and write-read (wr) dependencies: each transaction sees the other's effects. Read committed (PL-2) forbids G1a, G1b and G1c.</dd>
<dt>G-single (single anti-dependency cycle, read skew)</dt><dd>A cycle with exactly one read-write (rw) anti-dependency: a transaction sees part of another's writes and misses the rest. Snapshot isolation and repeatable read (PL-2+) forbid it.</dd>
<dt>G2-item (item anti-dependency cycle, write skew)</dt><dd>A cycle with one or more rw edges over rows read by key: each transaction's write invalidates what the other read. Only serializable (PL-2.99 and up) forbids it.</dd>
<dt>G2 (anti-dependency cycle)</dt><dd>As G2-item, with predicate reads (phantoms) included. Serializable (PL-3) forbids it.</dd>
<dt>P4 (lost update)</dt><dd>Two transactions read the same version of a row and both write it: the later write overwrites the earlier one, whose update is lost (Berenson et al.). Repeatable read in the locking sense and snapshot isolation (first committer wins) forbid it.</dd>
<dt>OTV (observed transaction vanishes)</dt><dd>A transaction sees another's writes, then a later read no longer sees them (Hermitage).</dd>
<dt>PMP (predicate-many-preceders)</dt><dd>A predicate read (WHERE ...) gives a different set of rows when repeated because another transaction's matching write committed in between (Hermitage; Adya's predicate dependencies).</dd>
<dt>ww, wr, rw edges</dt><dd>ww: the second overwrote the first's write; wr: the second read the first's write; rw: the second overwrote a version the first read (the first did not see the write). Any serial order must put the edge's source first, so a cycle proves no serial order exists.</dd>
</dl>
<h3>References</h3><ul>
<li>Atul Adya, <i>Weak Consistency: A Generalized Theory and Optimistic Implementations for Distributed Transactions</i>, PhD thesis, MIT, 1999 (pmg.csail.mit.edu/papers/adya-phd.pdf).</li>
<li>Hal Berenson, Phil Bernstein, Jim Gray, Jim Melton, Elizabeth O'Neil, Patrick O'Neil, <i>A Critique of ANSI SQL Isolation Levels</i>, SIGMOD 1995 (arXiv cs/0701157).</li>
<li>Martin Kleppmann, <i>Hermitage: testing transaction isolation levels</i> (github.com/ept/hermitage).</li>
<li>Kyle Kingsbury, Peter Alvaro, <i>Elle: Inferring Isolation Anomalies from Experimental Observations</i>, VLDB 2020 (arXiv 2003.10554).</li>
</ul>
)";

/// The appendix: glossary, references, what the page leaves out, and the raw
/// JSON: embedded only when, escaped, it is at most kEmbeddedJsonMax long and
/// the page stays under kPageMax.
template <typename Result>
void append_appendix(std::string& out, const Result& result, std::string_view caps) {
  std::ostringstream json;
  JsonReporter().report(result, json);
  const std::string escaped = e(json.str());
  out += "<section id=\"appendix\"><h2>Appendix</h2>\n";
  out += kGlossary;
  fmt::format_to(Out(out),
                 "<h3>What this page leaves out</h3><ul id=\"caps\">{}"
                 "<li>The raw JSON is embedded below only when, escaped, it is at most {} MB and "
                 "the page stays under {} MB.</li></ul>\n",
                 caps, kEmbeddedJsonMax / kMegabyte, kPageMax / kMegabyte);
  const bool over_cap = escaped.size() > kEmbeddedJsonMax;
  if (!over_cap && out.size() + escaped.size() + 1024 < kPageMax)
    fmt::format_to(Out(out),
                   "<details id=\"raw-json\"><summary>Raw JSON ({:.1f} KB)</summary><pre>{}</pre>"
                   "</details>\n",
                   json.str().size() / 1024.0, escaped);
  else
    fmt::format_to(Out(out),
                   "<p id=\"raw-json\" class=\"note\">The raw JSON ({:.1f} MB) is left out: {}. "
                   "Write it with <code>--json FILE</code> (clobber report re-renders it).</p>\n",
                   json.str().size() / double(kMegabyte),
                   over_cap
                       ? fmt::format("it is over the {} MB cap", kEmbeddedJsonMax / kMegabyte)
                       : fmt::format("it would take the page over {} MB", kPageMax / kMegabyte));
  out += "</section>\n";
}

std::string run_caps() {
  return fmt::format(
      "<li>Per cell at most {} anomalies are drawn and {} listed (the JSON lists up to 100 with "
      "their witnesses); a witness timeline or cycle graph draws at most {} transactions.</li>"
      "<li>Per cell at most {} differing ledger values are listed.</li>"
      "<li>Timelines have at most about 120 points: the interval grows with the run's "
      "length.</li><li>Text in charts is cut (…); hover a mark for its full text.</li>",
      kAnomaliesDrawn, kAnomaliesListed, kLanesDrawn, kDifferencesListed);
}

std::string scenario_caps() {
  return fmt::format(
      "<li>A sequence diagram draws at most {} trace events and {} sessions; the table under "
      "it lists every event.</li><li>Statements in diagrams are cut (…); hover a box or read "
      "the table for the full text.</li>",
      kTraceRowsDrawn, kSessionsDrawn);
}

}  // namespace

void HtmlReporter::report(const RunResult& result, std::ostream& out) const {
  std::vector<const DatabaseInfo*> databases;
  for (const CellResult& cell : result.cells)
    if (std::none_of(databases.begin(), databases.end(),
                     [&](const auto* db) { return same_database(*db, cell.database); }))
      databases.push_back(&cell.database);
  std::string page;
  open_page(page, "clobber run: " + result.workload);
  page +=
      "<nav><a href=\"#matrix\">matrix</a> · <a href=\"#cost\">cost of safety</a> · "
      "<a href=\"#cells\">cells</a> · <a href=\"#appendix\">appendix</a></nav>\n";
  append_run_banner(page, result, databases);
  append_run_matrix(page, result, databases);
  append_cost_of_safety(page, result, databases);
  page += "<section id=\"cells\"><h2>Cells</h2>\n";
  for (size_t i = 0; i < result.cells.size(); ++i) append_cell_detail(page, result.cells[i], i);
  page += "</section>\n";
  append_appendix(page, result, run_caps());
  page += "</body></html>\n";
  out << page;
}

void HtmlReporter::report(const ScenarioRunResult& result, std::ostream& out) const {
  std::vector<const DatabaseInfo*> databases;
  for (const DatabaseInfo& db : result.databases) databases.push_back(&db);
  std::string page;
  open_page(page, "clobber scenarios");
  page +=
      "<nav><a href=\"#matrix\">matrix</a> · <a href=\"#scenarios\">scenarios</a> · "
      "<a href=\"#appendix\">appendix</a></nav>\n";
  append_scenario_banner(page, result, databases);
  append_scenario_matrix(page, result);
  append_scenarios(page, result);
  append_appendix(page, result, scenario_caps());
  page += "</body></html>\n";
  out << page;
}

}  // namespace clobber
