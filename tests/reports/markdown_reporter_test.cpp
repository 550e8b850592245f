// The Markdown report: lines within 100 columns, tables split per database
// when too wide, and text from files and servers escaped so that it renders
// as text (no HTML, no table breaks, no emphasis).
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reports/reporter.h"
#include "tests/reports/output_test.h"
#include "tests/reports/sample_result.h"
#include "tests/reports/sample_scenario_result.h"

namespace clobber {
namespace {

using testing::matches_output;
using testing::MatchRule;

template <typename Result>
std::string markdown(const Result& result) {
  std::ostringstream out;
  MarkdownReporter().report(result, out);
  return out.str();
}

/// Terminal columns of a line: code points, the emoji the report writes as two.
size_t columns(const std::string& line) {
  size_t width = 0;
  for (size_t i = 0; i < line.size(); ++i)
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++width;
  for (const std::string emoji : {"✅", "❌"})
    for (size_t at = line.find(emoji); at != std::string::npos; at = line.find(emoji, at + 1))
      ++width;
  return width;
}

/// The lines of `text` wider than 100 columns.
std::vector<std::string> wide_lines(const std::string& text) {
  std::vector<std::string> wide;
  for (const std::string& line : testing::output_lines(text))
    if (columns(line) > 100) wide.push_back(line);
  return wide;
}

/// Every (isolation, locking) on each of the sample's three databases, each
/// cell failed like the sample's first, with `number` lost updates and tps.
RunResult three_databases(int64_t number) {
  RunResult run = testing::sample_result();
  const CellResult failed = run.cells[0];
  const std::vector<DatabaseInfo> databases = {run.cells[0].database, run.cells[2].database,
                                               run.cells[3].database};
  run.cells.clear();
  for (const DatabaseInfo& database : databases)
    for (Isolation isolation :
         {Isolation::none, Isolation::read_uncommitted, Isolation::read_committed,
          Isolation::repeatable_read, Isolation::serializable})
      for (Locking locking : {Locking::none, Locking::for_update, Locking::optimistic,
                              Locking::compare_and_set, Locking::atomic}) {
        CellResult cell = failed;
        cell.database = database;
        cell.isolation = isolation;
        cell.locking = locking;
        cell.lost_updates = number;
        cell.throughput_tps = static_cast<double>(number);
        run.cells.push_back(cell);
      }
  return run;
}

TEST(MarkdownReporter, ThreeDatabasesStayWithinOneHundredColumns) {
  const RunResult run = three_databases(1234);
  const std::string text = markdown(run);
  EXPECT_EQ(wide_lines(text), std::vector<std::string>{}) << text;
  // The matrix stays one table: a row per (isolation, locking), a column per database.
  EXPECT_TRUE(
      matches_output(text, {{"^| isolation / locking%sp| postgresql 15.20%sp| sqlite 3.40.1%sp| "
                             "mariadb 10.11.19 |$"},
                            {"^| repeatable_read / compare_and_set%sp| ❌ 1234/%percent/1234%sp| ❌ "
                             "1234/%percent/1234%sp| ❌ "}}));
  // A long workload description, replay command and failure text are wrapped.
  RunResult wordy = run;
  std::string words;
  for (int i = 0; i < 40; ++i) words += "word" + std::to_string(i) + " ";
  wordy.replay_command = "clobber run workloads/x.yaml " + words;
  wordy.cells[0].expectations[0].description = words;
  wordy.cells[0].anomalies[0].explanation = words;
  wordy.cells[1].database.settings = {{"setting", words}};
  const std::string wordy_text = markdown(wordy);
  EXPECT_EQ(wide_lines(wordy_text), std::vector<std::string>{}) << wordy_text;
  EXPECT_TRUE(matches_output(wordy_text, {{"^clobber run workloads/x.yaml word0 %any \\$"},
                                          {"^  word%int %any$", MatchRule::next}}));
}

TEST(MarkdownReporter, AWideMatrixIsSplitIntoOneTablePerDatabase) {
  RunResult run = three_databases(123456);
  // Same kind and version on all three: the columns are headed by their URLs.
  for (size_t i = 0; i < run.cells.size(); ++i) {
    run.cells[i].database.kind = DatabaseKind::postgresql;
    run.cells[i].database.server_version = "15.20";
    run.cells[i].database.url =
        "postgresql://user:***@replica-" + std::to_string(i / 25) + ".db.example.internal/x";
  }
  const std::string text = markdown(run);
  EXPECT_EQ(wide_lines(text), std::vector<std::string>{}) << text;
  // A header longer than 30 columns is cut with "…"; the full URL is in the list above.
  EXPECT_TRUE(matches_output(
      text, {{"^- postgresql 15.20: `postgresql://user:***@replica-0.db.example.internal/x`"},
             {"^| isolation / locking%sp| postgresql://user:\\*\\*\\*@replica…%sp|$"},
             {"^| ---%any|$", MatchRule::next},
             {"^| none / none%sp| ❌ 123456/%percent/123456%sp|$", MatchRule::next},
             {"^| isolation / locking%sp| postgresql://user:\\*\\*\\*@replica…%sp|$"},
             {"^| isolation / locking%sp| postgresql://user:\\*\\*\\*@replica…%sp|$"}}));
}

TEST(MarkdownReporter, TextFromFilesAndServersIsEscaped) {
  RunResult run = testing::sample_result();
  run.workload = "<script>alert(1)</script>";
  run.cells[0].expectations[0].description = "a | b *bold* _x_ `tick` [link](http://x) &amp;";
  run.cells[0].anomalies[0].explanation = "line one\nline two\x1b[2J \xff";
  run.cells[3].reason = "<img src=x onerror=alert(1)>";
  const std::string text = markdown(run);
  for (size_t at = text.find('<'); at != std::string::npos; at = text.find('<', at + 1))
    EXPECT_EQ(text[at - 1], '\\') << "an unescaped <: " << text.substr(at, 20);
  EXPECT_FALSE(text.find('\x1b') != std::string::npos) << text;
  EXPECT_TRUE(matches_output(
      text,
      {{"^## ❌ clobber: \\<script\\>alert(1)\\</script\\> FAIL$"},
       {"^- expectation failed: a \\| b \\*bold\\* \\_x\\_ \\`tick\\` \\[link\\](http://x) "
        "\\&amp;; actual 12$"},
       {"both read version %int and both wrote it", MatchRule::never},
       {"line one line two \\[2J \xEF\xBF\xBD$"},
       {"^- mariadb 10.11.19 · repeatable_read / optimistic: \\<img src=x onerror=alert(1)\\>$"}}));
  // Inside a table a `|` is escaped too, so it cannot open a column.
  ScenarioRunResult scenarios = testing::sample_scenario_result();
  scenarios.scenarios[0].id = "a|b<i>";
  EXPECT_TRUE(matches_output(markdown(scenarios),
                             {{"^| a\\|b\\<i\\> | n/a%sp| ANOMALY%sp| abort 40001%sp|$"}}));
}

TEST(MarkdownReporter, AWrappedLineNeverStartsABlock) {
  RunResult run = testing::sample_result();
  std::string text = "x";
  for (int i = 0; i < 60; ++i) text += " -";
  for (int i = 0; i < 60; ++i) text += " 1.";
  for (int i = 0; i < 60; ++i) text += " #";
  run.cells[0].expectations[0].description = text;
  int continued = 0;
  bool failed_section = false;
  for (const std::string& line : testing::output_lines(markdown(run))) {
    failed_section = failed_section || line == "### Failed";
    if (!failed_section || !line.starts_with("  ") || line.starts_with("  - T")) continue;
    ++continued;
    EXPECT_TRUE(line.starts_with("  \\- -") || line.starts_with("  1\\. 1.") ||
                line.starts_with("  \\# #") || line.starts_with("  both wrote it"))
        << line;
  }
  EXPECT_GE(continued, 3);
}

TEST(MarkdownReporter, ReplayCommandWithBackticksKeepsItsFence) {
  RunResult run = testing::sample_result();
  run.replay_command = "clobber run 'w```x.yaml' --seed 1";
  EXPECT_TRUE(
      matches_output(markdown(run), {{"^````sh$"},
                                     {"^clobber run 'w```x.yaml' --seed 1$", MatchRule::next},
                                     {"^````$", MatchRule::next}}));
}

TEST(MarkdownReporter, PassingRunAndEmptyRun) {
  RunResult run = testing::sample_result();
  run.cells = {run.cells[1]};
  run.passed = true;
  EXPECT_TRUE(matches_output(markdown(run), {{"^## ✅ clobber: joint-account PASS$"},
                                             {"^1 of 1 cells met their expectations.$"},
                                             {"### Failed", MatchRule::never}}));
  run.cells.clear();
  EXPECT_TRUE(matches_output(markdown(run),
                             {{"^no cell ran to the end.$"}, {"### Matrix", MatchRule::never}}));
}

}  // namespace
}  // namespace clobber
