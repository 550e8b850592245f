// The console table: one aligned row per cell, reasons, failure details, verdict.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reports/reporter.h"
#include "tests/reports/sample_result.h"

namespace clobber {
namespace {

std::string render(const RunResult& result, bool color = false, bool wide = false,
                   size_t width = 120) {
  std::ostringstream out;
  ConsoleReporter(ConsoleOptions{.color = color, .width = width, .wide = wide}).report(result, out);
  return out.str();
}

/// `text` on one line: newlines as spaces, runs of spaces as one (wrapped
/// paragraphs compare as they read).
std::string flat(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
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

TEST(ConsoleReporter, WideKeepsOneAlignedRowPerCellWithEveryColumn) {
  const std::vector<std::string> lines =
      lines_of(render(testing::sample_result(), false, /*wide=*/true));
  const int header =
      find_line(lines, {"database", "isolation", "locking", "status", "rejected", "failed",
                        "aborts s/d/lt/c/o", "retries", "p50/p95/p99 ms", "invariants", "verdict"});
  ASSERT_GE(header, 0);
  const std::vector<int> rows = {
      find_line(lines, {"postgresql 15.20", "read_committed", "none", "FAIL"}),
      find_line(lines, {"postgresql 15.20", "serializable", "for_update", "PASS"}),
      find_line(lines, {"mariadb 10.11.19", "repeatable_read", "optimistic", "ERROR"})};
  for (int row : rows) ASSERT_GT(row, header);

  const std::string& head = lines[header];
  const std::vector<std::string> verdicts = {"FAIL", "PASS", "ERROR"};
  const std::vector<std::string> isolations = {"read_committed", "serializable", "repeatable_read"};
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
  // Unsupported cells are not rows, in --wide either.
  EXPECT_EQ(find_line(lines, {"read_uncommitted", "SKIP"}), -1);
}

TEST(ConsoleReporter, RowsGroupedUnderTheirDatabaseWithinTheWidth) {
  const std::string text = render(testing::sample_result());
  const std::vector<std::string> lines = lines_of(text);
  const int header = find_line(lines, {"isolation", "locking", "committed", "rej/fail", "aborts",
                                       "p50/p99 ms", "lost upd", "lost amt", "inv", "verdict"});
  ASSERT_GE(header, 0) << text;
  EXPECT_FALSE(contains(lines[header], "database")) << text;
  // A database's heading: a line of its own.
  const auto heading = [&](const std::string& name) {
    return static_cast<int>(std::find(lines.begin(), lines.end(), name) - lines.begin());
  };
  const int postgres = heading("postgresql 15.20");
  ASSERT_GT(postgres, header) << text;
  ASSERT_LT(postgres + 1, static_cast<int>(lines.size()));
  const std::string& failed = lines[postgres + 1];
  EXPECT_EQ(failed.find("read_committed"), 0u) << failed;
  EXPECT_TRUE(contains(failed, " 1100 ")) << failed;
  EXPECT_TRUE(contains(failed, " 7 ")) << "aborts in all: " << failed;
  EXPECT_TRUE(contains(failed, " 1.25/12.12 ")) << failed;
  EXPECT_TRUE(contains(failed, " 219 ")) << failed;
  EXPECT_TRUE(contains(failed, " 1/3 ")) << failed;
  EXPECT_EQ(failed.rfind("FAIL"), lines[header].find("verdict")) << failed;
  EXPECT_EQ(heading("mariadb 10.11.19"), find_line(lines, {"ERROR"}) - 1) << text;
  for (const std::string& line : lines) EXPECT_LE(line.size(), 120u) << line;

  // One legend for every column; which way the money went.
  const std::string legend = flat(text);
  EXPECT_TRUE(contains(legend, "committed: transactions committed;")) << legend;
  EXPECT_TRUE(contains(legend, "rej/fail: transactions a check of the workload rolled back"));
  EXPECT_TRUE(contains(legend,
                       "lost amt: the ledger's expected minus actual total (positive: "
                       "money vanished; negative: money created)"))
      << legend;
  EXPECT_TRUE(contains(legend, "lost upd: row writes overwritten")) << legend;
  EXPECT_TRUE(contains(legend, "inv: invariants held/checked")) << legend;
}

TEST(ConsoleReporter, NarrowColumnsGiveWay) {
  const std::string text = render(testing::sample_result(), false, false, 72);
  const std::vector<std::string> lines = lines_of(text);
  const int header = find_line(lines, {"isolation", "locking", "committed", "lost upd", "verdict"});
  ASSERT_GE(header, 0) << text;
  EXPECT_FALSE(contains(lines[header], "retries")) << text;
  EXPECT_LE(lines[header].size(), 72u);
  EXPECT_LE(lines[find_line(lines, {"read_committed", "FAIL"})].size(), 72u);
  EXPECT_TRUE(contains(flat(text), "not shown at 72 columns: retries")) << text;
}

TEST(ConsoleReporter, UnsupportedCellsGroupedAndErrorCellsShowTheirReason) {
  RunResult result = testing::sample_result();
  CellResult other = result.cells[2];  // sqlite read_uncommitted/for_update, unsupported
  other.isolation = Isolation::serializable;
  result.cells.push_back(other);
  const std::vector<std::string> lines = lines_of(render(result));
  const int block = find_line(lines, {"not run (unsupported):"});
  ASSERT_GE(block, 0);
  // One line per (database, reason), however many cells.
  EXPECT_EQ(lines[block + 1],
            "  sqlite 3.40.1 for_update at read_uncommitted, serializable: SQLite has no SELECT "
            "... FOR UPDATE");
  EXPECT_EQ(find_line(lines, {"SKIP"}), -1);
  const int error = find_line(lines, {"repeatable_read", "optimistic", "ERROR"});
  ASSERT_GE(error, 0);
  EXPECT_EQ(lines[error + 1], "    error: lost the connection while seeding");
}

TEST(ConsoleReporter, ExpectedRaceIsNotAPlainPass) {
  RunResult result = testing::sample_result();
  result.cells[1].lost_updates = 5;  // passed: its workload expects the race
  const std::string text = render(result);
  EXPECT_EQ(find_line(lines_of(text), {"serializable", "for_update", "PASS (race)"}) >= 0, true)
      << text;
  EXPECT_TRUE(contains(flat(text), "PASS (race): met its expectations while losing updates"));
  EXPECT_TRUE(contains(text, "cells failed their expectations (1 as an expected race)")) << text;
  EXPECT_TRUE(contains(render(result, false, true), "PASS (expected race)"));
}

TEST(ConsoleReporter, NotesNameTheirCells) {
  RunResult result = testing::sample_result();
  result.cells[0].notes = {"the check left something out"};
  result.cells[1].notes = {"the check left something out", "only here"};
  CellResult third = result.cells[1];
  third.isolation = Isolation::repeatable_read;
  third.notes = {};
  result.cells.push_back(third);
  const std::string text = flat(render(result));
  EXPECT_TRUE(contains(text,
                       "note (2 cells: postgresql 15.20 read_committed/none, "
                       "serializable/for_update): the check left something out"))
      << text;
  EXPECT_TRUE(contains(text, "note (1 cell: postgresql 15.20 serializable/for_update): only here"))
      << text;
  // A note about every cell that ran says so.
  result.cells.pop_back();
  EXPECT_TRUE(contains(flat(render(result)),
                       "note (every cell that ran, 2): the check left something out"));
}

TEST(ConsoleReporter, FirstSentenceOfTheDescriptionUnlessVerbose) {
  RunResult result = testing::sample_result();
  result.description = "First things first. Then the rest, at length.";
  std::ostringstream out;
  ConsoleReporter().report(result, out);
  EXPECT_TRUE(contains(out.str(), "\n  First things first. (--verbose: all of it)\n"));
  EXPECT_FALSE(contains(out.str(), "Then the rest"));
  std::ostringstream verbose;
  ConsoleReporter(ConsoleOptions{.verbose = true}).report(result, verbose);
  EXPECT_TRUE(contains(verbose.str(), "\n  First things first. Then the rest, at length.\n"));
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
  EXPECT_TRUE(contains(flat(render(result)), "(--explore: reported, not failing)"));
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
  const int fail = find_line(lines, {"read_committed", "FAIL"});
  ASSERT_GE(pass, 0);
  ASSERT_GE(fail, 0);
  // The rows carry different escape codes before the verdict (lost updates in
  // red on the failed one), so compare without them.
  const auto strip = [](std::string line) {
    for (size_t at; (at = line.find('\x1b')) != std::string::npos;)
      line.erase(at, line.find('m', at) - at + 1);
    return line;
  };
  EXPECT_EQ(strip(lines[pass]).find("PASS"), strip(lines[fail]).find("FAIL"));
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
