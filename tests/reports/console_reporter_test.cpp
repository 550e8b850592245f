// The console table: one aligned row per cell, reasons, failure details, verdict.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reports/reporter.h"
#include "tests/reports/sample_result.h"

namespace clobber {
namespace {

std::string render(const RunResult& result, bool color = false) {
  std::ostringstream out;
  ConsoleReporter(color).report(result, out);
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Index of the first line containing every one of `needles`; -1 when none does.
int find_line(const std::vector<std::string>& lines, std::initializer_list<std::string> needles) {
  for (size_t i = 0; i < lines.size(); ++i) {
    bool all = true;
    for (const std::string& needle : needles)
      all = all && lines[i].find(needle) != std::string::npos;
    if (all) return static_cast<int>(i);
  }
  return -1;
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(ConsoleReporter, HeaderNamesWorkloadSeedAndDatabases) {
  const std::string text = render(testing::sample_result());
  EXPECT_TRUE(contains(text, "joint-account (workloads/joint-account.yaml)"));
  EXPECT_TRUE(contains(text, "Alice and Bob move money"));
  EXPECT_TRUE(
      contains(text, "seed 12345678901234567890 (replay with --seed 12345678901234567890)"));
  EXPECT_TRUE(contains(text, "database postgresql 15.20 at " +
                                 std::string(testing::kSampleMaskedUrl) + " (lock_timeout=5s)"));
  EXPECT_TRUE(contains(text, "database sqlite 3.40.1 at sqlite:/tmp/clobber-x.db"));
}

TEST(ConsoleReporter, OneAlignedRowPerCell) {
  const std::vector<std::string> lines = lines_of(render(testing::sample_result()));
  const int header = find_line(lines, {"database", "isolation", "locking", "verdict"});
  ASSERT_GE(header, 0);
  const std::vector<int> rows = {
      find_line(lines, {"postgresql 15.20", "read_committed", "none", "FAIL"}),
      find_line(lines, {"postgresql 15.20", "serializable", "for_update", "PASS"}),
      find_line(lines, {"sqlite 3.40.1", "read_uncommitted", "for_update", "SKIP"}),
      find_line(lines, {"mysql 10.11.19-MariaDB", "repeatable_read", "optimistic", "ERROR"})};
  for (int row : rows) ASSERT_GT(row, header);

  const std::string& head = lines[header];
  const std::vector<std::string> verdicts = {"FAIL", "PASS", "SKIP", "ERROR"};
  const std::vector<std::string> isolations = {"read_committed", "serializable", "read_uncommitted",
                                               "repeatable_read"};
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string& line = lines[rows[i]];
    EXPECT_EQ(line.rfind(verdicts[i]), head.find("verdict")) << line;
    EXPECT_EQ(line.find(isolations[i]), head.find("isolation")) << line;
    // Right-aligned numbers end where their header ends.
    if (i < 2) {
      const std::string committed = "1100";
      EXPECT_EQ(line.find(" " + committed + " ") + 1 + committed.size(),
                head.find("committed") + std::string("committed").size())
          << line;
    }
  }
  EXPECT_TRUE(contains(lines[rows[0]], "0/4/2/0/1"));
  EXPECT_TRUE(contains(lines[rows[0]], "1.25/7.50/12.12"));
  EXPECT_TRUE(contains(lines[rows[0]], " 219 "));
  EXPECT_TRUE(contains(lines[rows[0]], " 345 "));
  EXPECT_TRUE(contains(lines[rows[0]], " 1/3 "));
  EXPECT_TRUE(contains(lines[rows[1]], " 2/2 "));
}

TEST(ConsoleReporter, UnsupportedAndErrorCellsShowTheirReason) {
  const std::vector<std::string> lines = lines_of(render(testing::sample_result()));
  const int unsupported = find_line(lines, {"sqlite 3.40.1", "SKIP"});
  ASSERT_GE(unsupported, 0);
  EXPECT_EQ(lines[unsupported + 1], "    unsupported: SQLite has no SELECT ... FOR UPDATE");
  EXPECT_TRUE(contains(lines[unsupported], " - "));
  const int error = find_line(lines, {"mysql 10.11.19-MariaDB", "ERROR"});
  ASSERT_GE(error, 0);
  EXPECT_EQ(lines[error + 1], "    error: lost the connection while seeding");
}

TEST(ConsoleReporter, FailedCellDetails) {
  const std::string text = render(testing::sample_result());
  EXPECT_TRUE(contains(text, "FAIL postgresql 15.20 / read_committed / none"));
  EXPECT_FALSE(contains(text, "FAIL postgresql 15.20 / serializable"));
  EXPECT_TRUE(contains(text,
                       "expectation failed: lost_updates = 0 (workloads/joint-account.yaml:40:5); "
                       "actual 12"));
  EXPECT_TRUE(contains(text, "invariant failed: money is conserved: expected = 700, actual 650"));
  EXPECT_FALSE(contains(text, "invariant failed: no overdraft"));
  EXPECT_TRUE(contains(text,
                       "invariant failed: audit: expected = 0, actual error (relation "
                       "\"audit\" does not exist)"));
  EXPECT_TRUE(contains(text, "    error NOTFOUND x3: no row with key 9"));
  EXPECT_TRUE(contains(text, "    ... 1 more distinct errors"));
  EXPECT_TRUE(contains(text, "    faults: chaos killed 4 sessions (2.5/s asked), 5 reconnects"));
  EXPECT_TRUE(contains(text, "ledger: 7 values differ (10 rows checked), lost amount 345"));
  EXPECT_TRUE(contains(text, "accounts[1].balance: expected 100, actual 95"));
  EXPECT_TRUE(contains(text, "accounts[2].balance: expected 200..210, actual 195"));
  EXPECT_TRUE(contains(text, "accounts[5].balance: expected 500, actual 495"));
  EXPECT_FALSE(contains(text, "accounts[6].balance"));
  EXPECT_TRUE(contains(text, "... 2 more"));
  EXPECT_TRUE(contains(text, "anomalies: 4"));
  EXPECT_TRUE(
      contains(text, "lost_update on accounts[1].balance: T101 and T202 both read version 40"));
  EXPECT_TRUE(contains(text, "T103 and T204"));
  EXPECT_FALSE(contains(text, "T104 and T205"));
  EXPECT_TRUE(contains(text, "... 1 more"));
}

TEST(ConsoleReporter, VerdictLine) {
  RunResult result = testing::sample_result();
  EXPECT_TRUE(contains(render(result),
                       "verdict: FAIL - 1 of 2 cells failed their expectations, 1 unsupported, 1 "
                       "could not run"));
  result.explore = true;
  EXPECT_TRUE(contains(render(result), "(--explore: reported, not failing)"));
  result.cells = {result.cells[1], result.cells[2]};
  result.passed = true;
  result.explore = false;
  result.interrupted = true;
  const std::string text = render(result);
  EXPECT_TRUE(contains(text,
                       "verdict: PASS - 1 of 1 cells met their expectations, 1 unsupported "
                       "(interrupted: partial report)"));
  EXPECT_TRUE(contains(text, "interrupted: this is a partial report"));
}

TEST(ConsoleReporter, ColorOnlyWhenAsked) {
  EXPECT_FALSE(contains(render(testing::sample_result(), false), "\x1b["));
  const std::string colored = render(testing::sample_result(), true);
  EXPECT_TRUE(contains(colored, "\x1b[32mPASS\x1b[0m"));
  EXPECT_TRUE(contains(colored, "\x1b[31mFAIL\x1b[0m"));
}

TEST(ConsoleReporter, ColoredRowsStayAligned) {
  const std::vector<std::string> lines = lines_of(render(testing::sample_result(), true));
  const int pass = find_line(lines, {"serializable", "PASS"});
  const int skip = find_line(lines, {"read_uncommitted", "SKIP"});
  ASSERT_GE(pass, 0);
  ASSERT_GE(skip, 0);
  // Both rows carry the same escape codes before the verdict (status uncolored
  // for the ran cell, colored for the unsupported one), so compare without them.
  const auto strip = [](std::string line) {
    for (size_t at; (at = line.find('\x1b')) != std::string::npos;)
      line.erase(at, line.find('m', at) - at + 1);
    return line;
  };
  EXPECT_EQ(strip(lines[pass]).find("PASS"), strip(lines[skip]).find("SKIP"));
}

TEST(ConsoleReporter, MaskedUrlAndNoControlCharacters) {
  RunResult result = testing::sample_result();
  result.cells[3].reason = "bad\x1b[2J\nthing";
  const std::string text = render(result);
  EXPECT_TRUE(contains(text, "bob:***@127.0.0.1"));
  EXPECT_FALSE(contains(text, "\x1b"));
  EXPECT_TRUE(contains(text, "    error: bad [2J thing"));
}

TEST(ConsoleReporter, LongDescriptionIsWrapped) {
  RunResult result = testing::sample_result();
  std::string description;
  for (int i = 0; i < 60; ++i) description += "word" + std::to_string(i) + " ";
  result.description = description + "\nlast";
  const std::vector<std::string> lines = lines_of(render(result));
  std::string joined;
  for (size_t i = 1; i < lines.size() && lines[i].rfind("  word", 0) == 0; ++i) {
    EXPECT_LE(lines[i].size(), 100u) << lines[i];
    joined += lines[i].substr(1);
  }
  EXPECT_EQ(joined, " " + description + "last");
}

TEST(ConsoleReporter, EmptyRun) {
  RunResult result = testing::sample_result();
  result.cells.clear();
  result.passed = true;
  EXPECT_TRUE(contains(render(result), "no cells ran"));
}

}  // namespace
}  // namespace clobber
