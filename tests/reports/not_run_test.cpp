// An invariant a database could not run (InvariantResult::not_run) in every
// reporter: listed with its note, never counted as held or failed.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "harness/check/invariants.h"
#include "reports/json_reader.h"
#include "reports/reporter.h"
#include "tests/reports/sample_result.h"

namespace clobber {
namespace {

/// The sample run with an SQL invariant not run in its passing cell.
RunResult with_not_run() {
  RunResult result = testing::sample_result();
  InvariantResult audit;
  audit.name = "ledger audit";
  audit.expected = "= 0";
  audit.actual = "not run";
  audit.not_run = true;
  audit.note = std::string(kSqlNotRunNote);
  result.cells.at(1).invariants.push_back(audit);
  return result;
}

std::string render(const Reporter& reporter, const RunResult& result) {
  std::ostringstream out;
  reporter.report(result, out);
  return out.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(NotRunInvariant, ConsoleListsItAsANoteAndCountsOnlyWhatRan) {
  const std::string text = render(
      ConsoleReporter(ConsoleOptions{.color = false, .width = 120, .wide = true}), with_not_run());
  EXPECT_TRUE(contains(text, "invariant 'ledger audit' not run: this database runs no SQL"))
      << text;
  EXPECT_TRUE(contains(text, " 2/2 ")) << text;  // held/checked of the passing cell
  EXPECT_FALSE(contains(text, "invariant failed: ledger audit")) << text;
}

TEST(NotRunInvariant, JsonCarriesItAndReadsItBack) {
  const std::string text = render(JsonReporter(), with_not_run());
  EXPECT_TRUE(contains(text, "\"not_run\": true")) << text;
  EXPECT_TRUE(contains(text, "\"note\": \"this database runs no SQL")) << text;
  const Results read = read_json_result_text(text, "saved.json");
  const RunResult& run = std::get<RunResult>(read);
  const InvariantResult& audit = run.cells.at(1).invariants.at(2);
  EXPECT_TRUE(audit.not_run);
  EXPECT_FALSE(audit.passed);
  EXPECT_EQ(audit.note, kSqlNotRunNote);
  EXPECT_FALSE(run.cells.at(1).invariants.at(0).not_run);
}

TEST(NotRunInvariant, JunitHasASkippedTestCaseOfItsOwn) {
  const std::string clean = render(JunitReporter(), testing::sample_result());
  const std::string text = render(JunitReporter(), with_not_run());
  EXPECT_TRUE(contains(text, "name=\"serializable / for_update / invariant ledger audit\""))
      << text;
  EXPECT_TRUE(contains(text, "<skipped message=\"this database runs no SQL")) << text;
  // One more test, one more skip, no more failures than without it.
  EXPECT_TRUE(contains(clean, "tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\"")) << clean;
  EXPECT_TRUE(contains(text, "tests=\"5\" failures=\"1\" errors=\"1\" skipped=\"2\"")) << text;
}

TEST(NotRunInvariant, MarkdownListsItUnderItsOwnHeading) {
  const std::string text = render(MarkdownReporter(), with_not_run());
  EXPECT_TRUE(contains(text, "### Invariants not run")) << text;
  EXPECT_TRUE(contains(text,
                       "- postgresql 15.20 (serializable / for_update): invariant ledger audit not "
                       "run: this database runs\n  no SQL"))
      << text;
}

TEST(NotRunInvariant, HtmlShowsTheRowAsNotRun) {
  const std::string text = render(HtmlReporter(), with_not_run());
  EXPECT_TRUE(contains(text,
                       "<tr class=\"unsupported\"><td>ledger audit</td><td>= 0</td><td>not "
                       "run</td><td>not run: this database runs no SQL"))
      << text.substr(0, 200);
}

}  // namespace
}  // namespace clobber
