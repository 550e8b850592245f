// The comparison of databases: the model built from a RunResult, and its console table.
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reports/comparison_table.h"
#include "reports/reporter.h"

namespace clobber {
namespace {

const DatabaseInfo kPostgres{DatabaseKind::postgresql,
                             "15.20",
                             "postgresql://bob:***@127.0.0.1:5432/clobber",
                             {{"lock_timeout", "5s"}, {"statement_timeout", "30s"}}};
const DatabaseInfo kMysql{
    DatabaseKind::mysql, "10.11.19-MariaDB", "mysql://root@127.0.0.1:3306/clobber", {}};
const DatabaseInfo kSqlite{DatabaseKind::sqlite, "3.40.1", "sqlite:/tmp/a.db", {}};

/// A cell that ran: `committed` transactions, `aborts` serialization failures.
CellResult ran(const DatabaseInfo& db, Isolation isolation, Locking locking, int64_t lost,
               int64_t committed, int64_t aborts, double tps, bool passed = true) {
  CellResult cell;
  cell.database = db;
  cell.isolation = isolation;
  cell.locking = locking;
  cell.transactions.committed = committed;
  cell.aborts.serialization = aborts;
  cell.throughput_tps = tps;
  cell.lost_updates = lost;
  cell.passed = passed;
  return cell;
}

/// A cell that did not run, with `status` unsupported or error.
CellResult not_ran(const DatabaseInfo& db, Isolation isolation, Locking locking,
                   CellStatus status) {
  CellResult cell;
  cell.database = db;
  cell.isolation = isolation;
  cell.locking = locking;
  cell.status = status;
  cell.reason = "because";
  cell.passed = status != CellStatus::error;
  return cell;
}

/// Three databases in the runner's order (database, then isolation, then locking):
/// PostgreSQL ran everything, one cell failed; MySQL has an error cell and was
/// interrupted before its last cell; SQLite cannot lock FOR UPDATE and alone ran
/// serializable/atomic.
RunResult three_databases() {
  constexpr Isolation none = Isolation::none;
  constexpr Isolation serializable = Isolation::serializable;
  constexpr Locking for_update = Locking::for_update;
  RunResult result;
  result.version = "0.1.0";
  result.workload = "joint-account";
  result.seed = 7;
  result.passed = false;
  result.cells = {
      ran(kPostgres, none, Locking::none, 223, 6217, 0, 1243.4),
      ran(kPostgres, none, for_update, 0, 812, 0, 812.2),
      ran(kPostgres, serializable, Locking::none, 0, 800, 200, 160.0),
      ran(kPostgres, serializable, for_update, 3, 498, 2, 99.6, false),
      ran(kMysql, none, Locking::none, 57, 999, 1, 199.8),
      not_ran(kMysql, none, for_update, CellStatus::error),
      ran(kMysql, serializable, Locking::none, 0, 1, 999, 0.2),
      ran(kSqlite, none, Locking::none, 12, 25000, 0, 5000.0),
      not_ran(kSqlite, none, for_update, CellStatus::unsupported),
      ran(kSqlite, serializable, Locking::none, 0, 0, 40, 0.0),
      not_ran(kSqlite, serializable, for_update, CellStatus::unsupported),
      ran(kSqlite, serializable, Locking::atomic, 0, 9000, 0, 1800.0),
  };
  return result;
}

std::string render(const RunResult& result, bool color = false, bool wide = false) {
  std::ostringstream out;
  ConsoleReporter(ConsoleOptions{.color = color, .wide = wide}).report(result, out);
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The comparison table's lines: from its header (not the per-cell table's,
/// which has a committed column) to the line before its legend.
std::vector<std::string> comparison_lines(const std::string& text) {
  const std::vector<std::string> lines = lines_of(text);
  std::vector<std::string> table;
  bool in_table = false;
  for (const std::string& line : lines) {
    if (line.starts_with("per database:")) break;
    if (line.starts_with("isolation ") && line.find("committed") == std::string::npos)
      in_table = true;
    if (in_table) table.push_back(line);
  }
  return table;
}

std::vector<std::string> texts(const ComparisonRow& row) {
  std::vector<std::string> out;
  for (const ComparisonEntry& entry : row.entries) out.push_back(to_string(entry));
  return out;
}

TEST(ComparisonTable, OneColumnPerDatabaseOneRowPerIsolationAndLocking) {
  const ComparisonTable table = build_comparison(three_databases());
  EXPECT_EQ(table.columns,
            (std::vector<std::string>{"postgresql 15.20", "mariadb 10.11.19", "sqlite 3.40.1"}));
  ASSERT_EQ(table.rows.size(), 5u);
  const std::vector<std::pair<Isolation, Locking>> keys = {
      {Isolation::none, Locking::none},
      {Isolation::none, Locking::for_update},
      {Isolation::serializable, Locking::none},
      {Isolation::serializable, Locking::for_update},
      {Isolation::serializable, Locking::atomic}};
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(table.rows[i].isolation, keys[i].first) << i;
    EXPECT_EQ(table.rows[i].locking, keys[i].second) << i;
    EXPECT_EQ(table.rows[i].entries.size(), 3u) << i;
  }
  EXPECT_EQ(texts(table.rows[0]), (std::vector<std::string>{"lost 223 | abort 0% | 1243 tps",
                                                            "lost 57 | abort <1% | 200 tps",
                                                            "lost 12 | abort 0% | 5000 tps"}));
  EXPECT_EQ(texts(table.rows[1]),
            (std::vector<std::string>{"lost 0 | abort 0% | 812 tps", "error", "unsupported"}));
  EXPECT_EQ(texts(table.rows[2]),
            (std::vector<std::string>{"lost 0 | abort 20% | 160 tps", "lost 0 | abort >99% | 0 tps",
                                      "lost 0 | abort 100% | 0 tps"}));
  EXPECT_EQ(texts(table.rows[3]),
            (std::vector<std::string>{"lost 3 | abort <1% | 100 tps FAIL", "-", "unsupported"}));
  EXPECT_EQ(texts(table.rows[4]),
            (std::vector<std::string>{"-", "-", "lost 0 | abort 0% | 1800 tps"}));

  const ComparisonEntry& failed = table.rows[3].entries[0];
  EXPECT_EQ(failed.state, EntryState::failed);
  EXPECT_EQ(failed.lost, "3");
  EXPECT_EQ(failed.abort, "<1%");
  EXPECT_EQ(failed.tps, "100");
  EXPECT_EQ(table.rows[0].entries[0].state, EntryState::passed);
  EXPECT_EQ(table.rows[1].entries[1].state, EntryState::error);
  EXPECT_EQ(table.rows[1].entries[2].state, EntryState::unsupported);
  EXPECT_EQ(table.rows[3].entries[1].state, EntryState::not_run);
  EXPECT_TRUE(table.rows[1].entries[1].lost.empty());
}

TEST(ComparisonTable, SameNameDatabasesAreHeadedByTheirUrl) {
  DatabaseInfo other = kSqlite;
  other.url = "sqlite:/tmp/b.db";
  RunResult result;
  result.cells = {ran(kSqlite, Isolation::none, Locking::none, 1, 10, 0, 10),
                  ran(other, Isolation::none, Locking::none, 2, 10, 0, 10),
                  ran(kPostgres, Isolation::none, Locking::none, 3, 10, 0, 10)};
  const ComparisonTable table = build_comparison(result);
  EXPECT_EQ(table.columns,
            (std::vector<std::string>{"sqlite:/tmp/a.db", "sqlite:/tmp/b.db", "postgresql 15.20"}));
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0].entries[1].lost, "2");
}

TEST(ComparisonTable, ARepeatedCellShowsTheFirst) {
  RunResult result;
  result.cells = {ran(kSqlite, Isolation::none, Locking::none, 1, 10, 0, 10),
                  ran(kSqlite, Isolation::none, Locking::none, 2, 10, 0, 10),
                  ran(kPostgres, Isolation::none, Locking::none, 3, 10, 0, 10)};
  const ComparisonTable table = build_comparison(result);
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0].entries[0].lost, "1");
}

TEST(ComparisonTable, OneDatabaseHasNoComparison) {
  RunResult result = three_databases();
  std::erase_if(result.cells,
                [](const CellResult& cell) { return !same_database(cell.database, kPostgres); });
  const ComparisonTable table = build_comparison(result);
  EXPECT_TRUE(table.columns.empty());
  EXPECT_TRUE(table.rows.empty());

  const std::string text = render(result);
  EXPECT_TRUE(comparison_lines(text).empty()) << text;
  EXPECT_EQ(text.find("per database:"), std::string::npos) << text;
  EXPECT_EQ(text.find("lost 223"), std::string::npos) << text;
  EXPECT_TRUE(build_comparison(RunResult{}).columns.empty());
}

TEST(ComparisonTable, ConsoleTableIsAlignedAfterTheCellTable) {
  const std::string text = render(three_databases());
  const std::vector<std::string> expected = {
      "isolation     locking     postgresql 15.20  mariadb 10.11.19  sqlite 3.40.1",
      "none          none        223/0%/1243       57/<1%/200        12/0%/5000",
      "none          for_update  0/0%/812          error             unsupported",
      "serializable  none        0/20%/160         0/>99%/0          0/100%/0",
      "serializable  for_update  3/<1%/100 FAIL    -                 unsupported",
      "serializable  atomic      -                 -                 0/0%/1800"};
  EXPECT_EQ(comparison_lines(text), expected) << text;
  // After the per-cell table's legend, before the verdict.
  EXPECT_LT(text.find("lost amt: the ledger's expected minus actual"), text.find(expected[0]));
  EXPECT_LT(text.find(expected[0]), text.find("verdict: "));
  EXPECT_NE(text.find("per database: lost updates/aborted attempts among all attempts/committed "
                      "transactions per second;"),
            std::string::npos)
      << text;
}

TEST(ComparisonTable, WideConsoleTableSpellsEntriesOut) {
  const std::string text = render(three_databases(), false, /*wide=*/true);
  const std::vector<std::string> expected = {
      "isolation     locking     postgresql 15.20                      mariadb 10.11.19        "
      "        sqlite 3.40.1",
      "none          none        lost 223 | abort  0% | 1243 tps       lost 57 | abort  <1% | 200 "
      "tps  lost 12 | abort   0% | 5000 tps",
      "none          for_update  lost   0 | abort  0% |  812 tps       error                       "
      "    unsupported",
      "serializable  none        lost   0 | abort 20% |  160 tps       lost  0 | abort >99% |   0 "
      "tps  lost  0 | abort 100% |    0 tps",
      "serializable  for_update  lost   3 | abort <1% |  100 tps FAIL  -                           "
      "    unsupported",
      "serializable  atomic      -                                     -                           "
      "    lost  0 | abort   0% | 1800 tps"};
  EXPECT_EQ(comparison_lines(text), expected) << text;
}

TEST(ComparisonTable, DatabasesThatDoNotFitGoToAnotherTable) {
  RunResult result = three_databases();
  std::ostringstream out;
  ConsoleReporter(ConsoleOptions{.width = 60}).report(result, out);
  const std::vector<std::string> lines = comparison_lines(out.str());
  // postgresql and mariadb side by side (with sqlite: 75 columns), then sqlite.
  ASSERT_EQ(lines.size(), 13u) << out.str();
  EXPECT_EQ(lines[0], "isolation     locking     postgresql 15.20  mariadb 10.11.19");
  EXPECT_EQ(lines[6], "");
  EXPECT_EQ(lines[7], "isolation     locking     sqlite 3.40.1");
  EXPECT_EQ(lines[12], "serializable  atomic      0/0%/1800");
  for (const std::string& line : lines) EXPECT_LE(line.size(), 60u) << line;
}

TEST(ComparisonTable, ColorsDoNotMoveColumns) {
  const std::string colored = render(three_databases(), true);
  EXPECT_NE(colored.find("\x1b[31m3/<1%/100 FAIL  \x1b[0m"), std::string::npos) << colored;
  const std::string stripped = std::regex_replace(colored, std::regex("\x1b\\[[0-9]+m"), "");
  EXPECT_EQ(comparison_lines(stripped), comparison_lines(render(three_databases())));
}

TEST(ComparisonTable, HeaderShowsEachDatabaseAndItsSettingsOnce) {
  const std::string text = render(three_databases());
  const std::string postgres =
      "  database postgresql 15.20 at postgresql://bob:***@127.0.0.1:5432/clobber "
      "(lock_timeout=5s, statement_timeout=30s)\n";
  const size_t at = text.find(postgres);
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_EQ(text.find(postgres, at + 1), std::string::npos) << text;
  EXPECT_EQ(text.find("  database mariadb 10.11.19 at mysql://root@127.0.0.1:3306/clobber, server "
                      "10.11.19-MariaDB\n",
                      at),
            at + postgres.size())
      << text;
  EXPECT_NE(text.find("  database sqlite 3.40.1 at sqlite:/tmp/a.db\n"), std::string::npos);
}

TEST(ComparisonTable, APasswordSettingIsMasked) {
  RunResult result = three_databases();
  for (CellResult& cell : result.cells)
    if (same_database(cell.database, kMysql)) cell.database.settings = {{"password", "s3cret"}};
  const std::string text = render(result);
  EXPECT_NE(
      text.find("mysql://root@127.0.0.1:3306/clobber, server 10.11.19-MariaDB (password=***)"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
}

}  // namespace
}  // namespace clobber
