// HtmlReporter on hand-made results: the page's structure (matrix, every cell
// anchor, non-empty charts, nothing outside the page), how cells are coloured,
// the escaping of hostile text and bytes, the size of a large run, and a
// scenario run's matrix and sequence diagrams.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "reports/html_svg.h"
#include "reports/reporter.h"
#include "tests/html/chromium.h"
#include "tests/reports/sample_result.h"
#include "tests/reports/sample_scenario_result.h"

namespace clobber {
namespace {

std::string html(const RunResult& result) {
  std::ostringstream out;
  HtmlReporter().report(result, out);
  return out.str();
}

std::string html(const ScenarioRunResult& result) {
  std::ostringstream out;
  HtmlReporter().report(result, out);
  return out.str();
}

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// True when every byte sequence of `text` is valid UTF-8.
bool valid_utf8(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80                 ? 1
               : c >= 0xC2 && c <= 0xDF ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    if (n == 0 || i + n > text.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

/// The `<td>` of the matrix that links to `anchor`: its opening tag on.
std::string matrix_cell(const std::string& page, const std::string& anchor) {
  const size_t link = page.find("<a href=\"#" + anchor + "\"><b>");
  if (link == std::string::npos) return {};
  const size_t td = page.rfind("<td", link);
  return page.substr(td, page.find("</td>", link) - td);
}

TEST(HtmlRunReport, HasTheMatrixEveryCellAnchorAndNonEmptyCharts) {
  const RunResult result = testing::sample_result();
  const std::string page = html(result);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""),
            std::string::npos);
  EXPECT_NE(page.find("id=\"isolation-matrix\""), std::string::npos);
  for (size_t i = 0; i < result.cells.size(); ++i) {
    EXPECT_EQ(count(page, fmt::format("id=\"cell-{}\"", i)), 1u) << i;
    EXPECT_EQ(count(page, fmt::format("<a href=\"#cell-{}\"><b>", i)), 1u) << i;  // the matrix
  }
  // Banner: verdict, seed, the replay command, version, databases, counts.
  EXPECT_NE(page.find(">FAIL</span>"), std::string::npos);
  EXPECT_NE(page.find("12345678901234567890"), std::string::npos);
  EXPECT_NE(page.find("--db &#39;postgresql://app:***@db.internal/shop&#39;"), std::string::npos);
  EXPECT_NE(page.find("version 0.1.0"), std::string::npos);
  EXPECT_NE(page.find("lock_timeout=5s"), std::string::npos);
  EXPECT_NE(page.find("1 met, 1 failed, 1 unsupported, 1 error"), std::string::npos);
  // Charts: the scatter, the timelines (polylines with points), the latency
  // histogram (bars) and the witness timelines.
  EXPECT_NE(page.find("aria-label=\"throughput against abort rate\""), std::string::npos);
  EXPECT_GE(count(page, "<polyline points=\""), 4u);
  EXPECT_EQ(count(page, "<polyline points=\"\""), 0u);
  EXPECT_GE(count(page, "class=\"bar\""), 4u);
  EXPECT_EQ(count(page, "aria-label=\"lost update witness on accounts key 1\""), 3u);
  // The unsupported cell says why, in the matrix and its detail.
  EXPECT_NE(matrix_cell(page, "cell-2").find("SQLite has no SELECT ... FOR UPDATE"),
            std::string::npos);
  // Ledger, invariants, expectations, errors and chaos in the failed cell.
  EXPECT_NE(page.find("<b>not balanced</b>"), std::string::npos);
  EXPECT_NE(page.find("relation &quot;audit&quot; does not exist"), std::string::npos);
  EXPECT_NE(page.find("lost_updates = 0 (workloads/joint-account.yaml:40:5)"), std::string::npos);
  EXPECT_NE(page.find("1 more distinct errors"), std::string::npos);
  EXPECT_NE(page.find("4 sessions killed"), std::string::npos);
  // Appendix: glossary, caps, the raw JSON.
  for (const char* term :
       {"G0 (", "G1a (", "G1b (", "G1c (", "G-single (", "G2-item (", "G2 (", "P4 (", "OTV (",
        "PMP (", "A Critique of ANSI SQL Isolation Levels", "Hermitage", "Elle", "Adya"})
    EXPECT_NE(page.find(term), std::string::npos) << term;
  EXPECT_NE(page.find("id=\"caps\""), std::string::npos);
  EXPECT_NE(page.find("<details id=\"raw-json\"><summary>Raw JSON"), std::string::npos);
  EXPECT_NE(page.find("&quot;kind&quot;: &quot;run&quot;"), std::string::npos);
  // Nothing outside the page, no script.
  EXPECT_EQ(testing::outside_references(page), std::vector<std::string>{});
  EXPECT_EQ(lower(page).find("<script"), std::string::npos);
  EXPECT_TRUE(valid_utf8(page));
}

TEST(HtmlRunReport, ColoursCellsByOutcome) {
  RunResult result = testing::sample_result();
  CellResult expected = result.cells[0];  // lost updates the workload expects
  expected.locking = Locking::atomic;
  expected.passed = true;
  expected.invariants.clear();
  result.cells.push_back(expected);
  CellResult aborting = result.cells[1];  // safe but a quarter of attempts aborted
  aborting.locking = Locking::optimistic;
  aborting.aborts = {300, 0, 0, 100, 0};
  result.cells.push_back(aborting);
  const std::string page = html(result);
  EXPECT_EQ(matrix_cell(page, "cell-0").rfind("<td class=\"lost\"", 0), 0u);
  EXPECT_NE(matrix_cell(page, "cell-0").find("12 lost updates"), std::string::npos);
  EXPECT_EQ(matrix_cell(page, "cell-1").rfind("<td class=\"safe\"", 0), 0u);
  EXPECT_EQ(matrix_cell(page, "cell-2").rfind("<td class=\"unsupported\"", 0), 0u);
  EXPECT_EQ(matrix_cell(page, "cell-3").rfind("<td class=\"error\"", 0), 0u);
  EXPECT_NE(matrix_cell(page, "cell-3").find("lost the connection while seeding"),
            std::string::npos);
  EXPECT_EQ(matrix_cell(page, "cell-4").rfind("<td class=\"expected\"", 0), 0u);
  EXPECT_NE(matrix_cell(page, "cell-4").find("expected: 12 lost updates"), std::string::npos);
  EXPECT_EQ(matrix_cell(page, "cell-5").rfind("<td class=\"high-abort\"", 0), 0u);
  EXPECT_NE(matrix_cell(page, "cell-5").find("high abort rate 25%"), std::string::npos);
  EXPECT_NE(page.find("high abort rate (≥ 20% of attempts)"), std::string::npos);
}

TEST(HtmlRunReport, DrawsADependencyCycleWithOneSentencePerEdge) {
  RunResult result = testing::sample_result();
  Anomaly skew;
  skew.type = "G2-item";
  skew.table = "doctors";
  skew.key = 1;
  skew.explanation = "Write skew";
  const uint64_t t1 = (uint64_t{4} << 32) | 51, t2 = (uint64_t{8} << 32) | 43;
  skew.transactions = {{t1, 3, 1, "alice_off_call", 1, 2, 1, 0},
                       {t2, 7, 1, "bob_off_call", 1, 2, 1, 0}};
  skew.edges = {{t1, t2, "rw", "doctors", 1, "T3.51 read doctors[1]; T7.43 wrote it"},
                {t2, t1, "rw", "doctors", 2, "T7.43 read doctors[2]; T3.51 wrote it"}};
  skew.rules_out = {"serializable"};
  result.cells[0].anomalies.insert(result.cells[0].anomalies.begin(), skew);
  const std::string page = html(result);
  EXPECT_NE(page.find("aria-label=\"G2-item dependency graph\""), std::string::npos);
  EXPECT_NE(page.find(">T3.51</text>"), std::string::npos);
  EXPECT_NE(
      page.find("<b>T3.51 →rw→ T7.43</b> (doctors key 1): T3.51 read doctors[1]; T7.43 wrote it"),
      std::string::npos);
  EXPECT_NE(page.find("<b>T7.43 →rw→ T3.51</b> (doctors key 2)"), std::string::npos);
  EXPECT_NE(page.find("Rules out: serializable"), std::string::npos);
  EXPECT_EQ(count(page, "stroke-dasharray=\"5 3\""), 2u);  // rw edges are dashed
}

TEST(HtmlEscape, EscapesMarkupAndReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape("é € 😀"), "é € 😀");
  EXPECT_EQ(html_escape("a\xff"
                        "b\xc3"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(html_escape("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(html_escape("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(html_escape(std::string("a\x1b[31m\0b\n", 9)), std::string("a [31m b\n"));
}

constexpr const char* kHostile = "<script>alert(1)</script>\"' onmouseover=\"alert(2)\" \xff\xfe";
constexpr const char* kEscaped =
    "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39; onmouseover=&quot;alert(2)&quot; "
    "\xEF\xBF\xBD\xEF\xBF\xBD";

void expect_inert(const std::string& page, size_t at_least) {
  EXPECT_EQ(lower(page).find("<script"), std::string::npos);
  EXPECT_EQ(page.find("onmouseover=\""), std::string::npos);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_GE(count(page, kEscaped), at_least);
  EXPECT_TRUE(valid_utf8(page));
  EXPECT_EQ(testing::outside_references(page), std::vector<std::string>{});
}

TEST(HtmlEscape, HostileRunRendersAsText) {
  const std::string h = kHostile;
  RunResult result = testing::sample_result();
  result.workload = h;
  result.workload_file = h;
  result.description = h;
  result.replay_command = "clobber run " + h;
  result.version = h;
  result.started_at = h;
  for (CellResult& cell : result.cells) {
    cell.database.server_version = h;
    cell.database.url = h;
    cell.database.settings.push_back({h, h});
    cell.reason = h;
    cell.notes = {h};
    for (InvariantResult& inv : cell.invariants) inv = {h, false, h, h, h};
    for (ExpectationResult& exp : cell.expectations) exp = {h, false, h};
    for (CellError& error : cell.errors) error = {h, h, 1};
    for (RowDifference& d : cell.ledger.differences) d.table = d.column = h;
    cell.anomaly_counts = {{h, 4}};
    for (Anomaly& anomaly : cell.anomalies) {
      anomaly.table = anomaly.column = anomaly.explanation = h;
      anomaly.rules_out = {h};
      for (WitnessTransaction& t : anomaly.transactions) t.type = h;
    }
  }
  Anomaly cycle = result.cells[0].anomalies[0];
  cycle.type = h;
  cycle.edges = {{101, 202, h, h, 1, h}, {202, 101, "rw", h, 1, h}};
  result.cells[0].anomalies.push_back(cycle);
  result.cells[0].anomalies.insert(result.cells[0].anomalies.begin(), cycle);
  const std::string page = html(result);
  expect_inert(page, 40);
  EXPECT_NE(page.find("<title>clobber run: " + std::string(kEscaped) + "</title>"),
            std::string::npos);
}

TEST(HtmlEscape, HostileScenarioRunRendersAsText) {
  const std::string h = kHostile;
  ScenarioRunResult result;
  result.version = h;
  result.started_at = h;
  DatabaseInfo db{DatabaseKind::postgresql, h, h, {{h, h}}};
  result.databases = {db};
  result.isolations = {Isolation::read_committed};
  ScenarioResult& scenario = result.scenarios.emplace_back();
  scenario.name = scenario.id = scenario.description = scenario.file = scenario.anomaly_if = h;
  scenario.sessions = {h, "b"};
  scenario.steps = {{h, h, h}, {"b", h, ""}};
  ScenarioCell cell;
  cell.database = db;
  cell.isolation = Isolation::read_committed;
  cell.how = cell.explanation = cell.reason = h;
  cell.committed = {h};
  TraceEvent first;
  first.at_step = first.step = 1;
  first.session = h;
  first.statement = h;
  first.rows.columns = {h};
  first.rows.rows = {{h}};
  TraceEvent failed;
  failed.at_step = failed.step = 2;
  failed.session = "b";
  failed.statement = h;
  failed.status = StepStatus::failed;
  failed.outcome = Outcome::failure(AbortCause::other, h, h);
  cell.trace = {first, failed};
  scenario.cells.push_back(cell);
  expect_inert(html(result), 20);
}

/// A run over 3 databases x 40 cells, each with the most every list can hold.
RunResult large_result() {
  RunResult result = testing::sample_result();
  const CellResult model = result.cells[0];
  result.cells.clear();
  const DatabaseKind kinds[] = {DatabaseKind::postgresql, DatabaseKind::mysql,
                                DatabaseKind::sqlite};
  for (size_t d = 0; d < 3; ++d) {
    for (size_t c = 0; c < 40; ++c) {
      CellResult cell = model;
      cell.database = {kinds[d],
                       "15.20",
                       fmt::format("db{}://host/clobber", d),
                       {{"lock_timeout", "5s"}, {"statement_timeout", "60s"}}};
      cell.isolation = kAllIsolations[c % 5];
      cell.locking = kAllLockings[c / 5];
      cell.throughput_tps = 100.0 + 37 * c + d;
      cell.timeline.interval_s = 1;
      cell.timeline.intervals.assign(120, {1234, {12, 3, 4, 5, 6}});
      cell.latency_histogram.clear();
      for (int b = 0; b < 40; ++b) cell.latency_histogram.push_back({0.05 * (1 << (b / 2)), 1000});
      cell.ledger.differences.clear();
      for (int64_t key = 0; key < 100; ++key)
        cell.ledger.differences.push_back({"accounts", key, "balance", 1000, 1000, 990});
      cell.ledger.differences_total = 250;
      cell.anomalies.clear();
      for (uint64_t a = 0; a < 100; ++a) {
        Anomaly anomaly;
        anomaly.type = a % 2 ? "lost_update" : "G-single";
        anomaly.table = "accounts";
        anomaly.key = static_cast<int64_t>(a);
        anomaly.column = "balance";
        anomaly.version_read = (uint64_t{1} << 32) | a;
        for (uint64_t t = 0; t < 10; ++t)
          anomaly.transactions.push_back({(uint64_t{t + 1} << 32) | (a * 10 + t), int(t), 1,
                                          "transfer", 10.0 * t, 10.0 * t + 30, 400, 390,
                                          10.0 * t + 20, 10.0 * t + 25, false});
        if (anomaly.type != "lost_update") {
          for (uint64_t t = 0; t < 10; ++t)
            anomaly.edges.push_back({anomaly.transactions[t].id,
                                     anomaly.transactions[(t + 1) % 10].id, t ? "wr" : "rw",
                                     "accounts", int64_t(t),
                                     "T1.2 read accounts[3].balance = 400 written by T2.1; T3.4 "
                                     "wrote the next version (rw): T1.2 did not see it"});
          anomaly.rules_out = {"repeatable_read", "serializable"};
        }
        anomaly.explanation =
            "T1.0 and T0.0 both read accounts[1].balance = 100000 written by the seed; T1.0 "
            "wrote 99999 and committed at +6.9 ms; T0.0 wrote 99996 and committed at +7.8 ms";
        cell.anomalies.push_back(anomaly);
      }
      cell.anomalies_total = 5000;
      cell.anomaly_counts = {{"G-single", 2500}, {"lost_update", 2500}};
      cell.notes = {"note one about what the checks left out", "note two"};
      cell.errors.assign(5, {"40001", std::string(200, 'x'), 3});
      cell.errors_total = 9;
      result.cells.push_back(cell);
    }
  }
  return result;
}

TEST(HtmlRunReport, LargeRunStaysUnderFiveMegabytes) {
  const RunResult result = large_result();
  const std::string page = html(result);
  std::ostringstream json;
  JsonReporter().report(result, json);
  std::cout << "3 databases x 40 cells, 100 anomalies each: HTML " << page.size() << " bytes, JSON "
            << json.str().size() << " bytes\n";
  std::ofstream(testing::artifacts_dir("large") / "large.html") << page;
  EXPECT_LT(page.size(), 5u * 1024 * 1024);
  EXPECT_EQ(count(page, "<details class=\"cell\""), 120u);
  // The JSON is over the 2 MB cap: left out, and the page says so.
  EXPECT_GT(json.str().size(), 2u * 1024 * 1024);
  EXPECT_NE(page.find("is left out: it is over the 2 MB cap"), std::string::npos);
  EXPECT_NE(page.find("3 drawn, 10 listed of 5000 anomalies"), std::string::npos);
  EXPECT_NE(page.find("6 of 10 transactions drawn"), std::string::npos);
  EXPECT_NE(page.find("230 more differing values"), std::string::npos);
}

/// P4 on PostgreSQL: read uncommitted unsupported, read committed lost (bob
/// blocked at step 2 until alice's commit at step 3), repeatable read aborted:
/// the shared sample (tests/reports/sample_scenario_result.h) on its first
/// database, without the pinned scenario.
ScenarioRunResult scenario_sample() {
  ScenarioRunResult result = testing::postgres_scenario_result();
  result.scenarios.resize(1);
  return result;
}

TEST(HtmlScenarioReport, HasTheMatrixAndASequenceDiagramPerCell) {
  const std::string page = html(scenario_sample());
  std::ofstream(testing::artifacts_dir("scenario_sample") / "scenario_sample.html") << page;
  EXPECT_NE(page.find("id=\"scenario-matrix\""), std::string::npos);
  EXPECT_NE(page.find("<th title=\"lost-update\">P4</th>"), std::string::npos);
  EXPECT_NE(page.find("1 anomaly, 1 prevented, 1 unsupported, 0 error"), std::string::npos);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(count(page, fmt::format("id=\"sc-0-{}\"", c)), 1u) << c;
    EXPECT_EQ(count(page, fmt::format("<a href=\"#sc-0-{}\">", c)), 1u) << c;
  }
  EXPECT_NE(matrix_cell(page, "sc-0-1").find("class=\"anomaly\""), std::string::npos);
  EXPECT_NE(matrix_cell(page, "sc-0-2").find("class=\"prevented\""), std::string::npos);
  EXPECT_NE(matrix_cell(page, "sc-0-0").find("class=\"unsupported\" title=\"no such level\""),
            std::string::npos);
  // Two sequence diagrams (the unsupported cell has no trace), each with bob's
  // blocked span and the arrow from alice's commit that released it.
  EXPECT_EQ(count(page, "aria-label=\"sequence diagram of P4\""), 2u);
  EXPECT_EQ(count(page,
                  "class=\"blocked-span\"><title>bob blocked at step 2, released during "
                  "step 3</title>"),
            2u);
  EXPECT_EQ(count(page, "class=\"mark\">releases</text>"), 2u);
  EXPECT_EQ(count(page, "3 (step 2 released by alice's step 3: commit)"), 2u);
  EXPECT_NE(page.find("FAILED 40001 (serialization)"), std::string::npos);
  EXPECT_NE(page.find("ROLLED BACK (failed at step 2)"), std::string::npos);
  EXPECT_NE(page.find("class=\"ev failed\""), std::string::npos);
  EXPECT_NE(page.find("&quot;kind&quot;: &quot;scenario&quot;"), std::string::npos);
  EXPECT_EQ(testing::outside_references(page), std::vector<std::string>{});
  EXPECT_EQ(lower(page).find("<script"), std::string::npos);
}

}  // namespace
}  // namespace clobber
