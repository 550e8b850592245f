// One run, all formats: a real run over PostgreSQL and MariaDB, written at once
// to the console, JSON, HTML, JUnit and Markdown, and the five agree on every
// count of every cell. The JSON is the reference; each other format is read
// back from its own text (rates within their printed rounding).
#include <algorithm>
#include <cmath>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/common/clobber_binary.h"

namespace clobber {
namespace {

using Json = nlohmann::json;

/// What every format must say about one cell, from the JSON.
struct Expected {
  std::string database;  // "postgresql 15.20", "mariadb 10.11.19"
  std::string isolation, locking, status;
  bool passed = true;
  int64_t committed = 0, lost = 0;
  double abort_percent = 0, tps = 0;
};

/// The database as every report heads it.
std::string label(const Json& database) {
  std::string version = database["server_version"];
  version = version.substr(0, version.find(' '));
  std::string kind = database["kind"];
  if (const size_t mariadb = version.find("-MariaDB"); mariadb != std::string::npos) {
    kind = "mariadb";
    version.resize(mariadb);
  }
  return kind + " " + version;
}

/// True when `printed` is `value` rounded for print (to a whole number).
bool rounds_to(int64_t printed, double value) {
  return std::abs(static_cast<double>(printed) - value) <= 0.5 + 1e-9;
}

class AllFormats : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string pg = testing::server_url("CLOBBER_TEST_PG_URL");
    const std::string mysql = testing::server_url("CLOBBER_TEST_MYSQL_URL");
    ASSERT_TRUE(pg != "" && mysql != "");
    // Unsupported cells (PostgreSQL's read_uncommitted), passing ones, and
    // naive ones that lose updates and fail the --fail-on gate.
    const std::string workload = std::string(CLOBBER_SOURCE_DIR) + "/workloads/joint_account.yaml";
    const testing::Invocation run = testing::clobber_stdout(
        "run '" + workload + "' --db '" + pg + "' --db '" + mysql +
        "' --isolation read_uncommitted,read_committed,serializable --locking none,for_update"
        " --transactions 240 --seed 7 --quiet --no-color --fail-on 'lost_updates>0'" +
        " --json '" + (dir_ / "r.json").string() + "' --html '" + (dir_ / "r.html").string() +
        "' --junit '" + (dir_ / "r.xml").string() + "' --markdown '" + (dir_ / "r.md").string() +
        "'");
    console_ = run.output;
    ASSERT_EQ(run.exit_code, 1) << "the naive cells lose updates and fail the gate:\n" << console_;
    const Json json = Json::parse(testing::read_file(dir_ / "r.json"));
    for (const Json& cell : json["cells"]) {
      Expected e;
      e.database = label(cell["database"]);
      e.isolation = cell["isolation"];
      e.locking = cell["locking"];
      e.status = cell["status"];
      e.passed = cell["verdict"] != "fail";
      e.committed = cell["transactions"]["committed"];
      e.lost = cell["lost_updates"];
      e.abort_percent = cell["abort_rate"].get<double>() * 100;
      e.tps = cell["throughput_tps"];
      cells_.push_back(e);
    }
    ASSERT_EQ(cells_.size(), 12u);
  }

  size_t count(std::string_view status) const {
    return static_cast<size_t>(std::count_if(
        cells_.begin(), cells_.end(), [&](const Expected& e) { return e.status == status; }));
  }
  size_t failed() const {
    return static_cast<size_t>(std::count_if(cells_.begin(), cells_.end(), [](const Expected& e) {
      return e.status == "ran" && !e.passed;
    }));
  }

  testing::TempDir dir_{"clobber_formats_"};
  std::string console_;
  std::vector<Expected> cells_;  // in run order: database, then isolation, then locking
};

TEST_F(AllFormats, OneRunAgreesOnEveryCount) {
  // The run shows every kind of cell.
  EXPECT_EQ(count("unsupported"), 2u);
  EXPECT_GE(failed(), 2u);
  EXPECT_GE(count("ran") - failed(), 4u);

  // Console: the per-cell table, rows grouped under their database's heading,
  // one row per cell that ran in run order; the columns found by their header
  // (which columns fit depends on the width); unsupported cells in one block.
  {
    const std::regex gap("\\s{2,}");
    const auto fields_of = [&](const std::string& line) {
      std::vector<std::string> fields;
      for (std::sregex_token_iterator it(line.begin(), line.end(), gap, -1), end; it != end; ++it)
        fields.push_back(*it);
      return fields;
    };
    std::vector<std::string> header;
    std::vector<std::pair<std::string, std::vector<std::string>>> rows;  // database, fields
    std::string database;
    std::istringstream lines(console_);
    for (std::string line; std::getline(lines, line);) {
      if (header.empty()) {
        if (line.starts_with("isolation ")) header = fields_of(line);
        continue;
      }
      if (line.empty() || line.starts_with("not run")) break;
      if (line.starts_with(" ")) continue;  // an error cell's reason under it
      const std::vector<std::string> fields = fields_of(line);
      if (fields.size() == 1) {
        database = line;  // a database's heading
        continue;
      }
      rows.emplace_back(database, fields);
    }
    const auto column = [&](std::string_view name) {
      const auto found = std::find(header.begin(), header.end(), name);
      return found == header.end() ? header.size() : static_cast<size_t>(found - header.begin());
    };
    for (const char* name : {"isolation", "locking", "committed", "tps", "lost upd", "verdict"})
      ASSERT_LT(column(name), header.size()) << name << " in\n" << console_;
    std::vector<const Expected*> ran;
    for (const Expected& e : cells_)
      if (e.status != "unsupported") ran.push_back(&e);
    ASSERT_EQ(rows.size(), ran.size()) << console_;
    for (size_t i = 0; i < ran.size(); ++i) {
      const Expected& e = *ran[i];
      const auto& [db, row] = rows[i];
      ASSERT_EQ(row.size(), header.size()) << console_;
      EXPECT_EQ(db, e.database);
      EXPECT_EQ(row[column("isolation")], e.isolation);
      EXPECT_EQ(row[column("locking")], e.locking);
      const std::string& verdict = row[column("verdict")];
      if (e.status != "ran") {
        EXPECT_EQ(verdict, "ERROR");
        continue;
      }
      EXPECT_EQ(verdict.substr(0, 4), e.passed ? "PASS" : "FAIL") << verdict;
      EXPECT_EQ(std::stoll(row[column("committed")]), e.committed) << i;
      const std::string& tps = row[column("tps")];
      EXPECT_TRUE(rounds_to(std::stoll(tps), e.tps)) << tps << " vs " << e.tps;
      EXPECT_EQ(std::stoll(row[column("lost upd")]), e.lost) << i;
    }
    // PostgreSQL's read_uncommitted cells, in one line of the unsupported block.
    const size_t block = console_.find("\nnot run (unsupported):\n");
    ASSERT_NE(block, std::string::npos) << console_;
    EXPECT_NE(console_.find("\n  postgresql 15.20 read_uncommitted (every locking): ", block),
              std::string::npos)
        << console_;

    // The comparison: one row per (isolation, locking), one entry per database.
    const std::regex entry("(\\d+)/(\\d+)%/(\\d+)( FAIL)?|unsupported");
    const size_t legend = console_.find("\nper database:");
    ASSERT_NE(legend, std::string::npos) << console_;
    std::string comparison = console_.substr(console_.rfind("\nisolation ", legend));
    comparison.resize(comparison.find("\nper database:"));
    std::vector<std::smatch> entries;
    for (std::sregex_iterator it(comparison.begin(), comparison.end(), entry), end; it != end; ++it)
      entries.push_back(*it);
    ASSERT_EQ(entries.size(), cells_.size());
    const size_t pairs = cells_.size() / 2;
    for (size_t r = 0; r < pairs; ++r)
      for (size_t d = 0; d < 2; ++d) {
        const std::smatch& m = entries[r * 2 + d];
        const Expected& e = cells_[d * pairs + r];
        if (e.status == "unsupported") {
          EXPECT_EQ(m.str(), "unsupported");
          continue;
        }
        EXPECT_EQ(std::stoll(m[1]), e.lost);
        EXPECT_TRUE(rounds_to(std::stoll(m[2]), e.abort_percent)) << m.str();
        EXPECT_TRUE(rounds_to(std::stoll(m[3]), e.tps)) << m.str();
        EXPECT_EQ(m[4].matched, !e.passed) << m.str();
      }
  }

  // Markdown: the matrix, rows (isolation / locking), a column per database.
  {
    const std::string markdown = testing::read_file(dir_ / "r.md");
    const std::regex entry("(❌ )?(\\d+)/(\\d+)%/(\\d+)|unsupported");
    const std::string matrix = markdown.substr(markdown.find("### Matrix"));
    std::vector<std::smatch> entries;
    const std::string table = matrix.substr(0, matrix.find("Each entry"));
    for (std::sregex_iterator it(table.begin(), table.end(), entry), end; it != end; ++it)
      entries.push_back(*it);
    ASSERT_EQ(entries.size(), cells_.size()) << markdown;
    const size_t pairs = cells_.size() / 2;
    for (size_t r = 0; r < pairs; ++r)
      for (size_t d = 0; d < 2; ++d) {
        const std::smatch& m = entries[r * 2 + d];
        const Expected& e = cells_[d * pairs + r];
        if (e.status == "unsupported") {
          EXPECT_EQ(m.str(), "unsupported");
          continue;
        }
        EXPECT_EQ(m[1].matched, !e.passed) << m.str();
        EXPECT_EQ(std::stoll(m[2]), e.lost) << m.str();
        EXPECT_TRUE(rounds_to(std::stoll(m[3]), e.abort_percent)) << m.str();
        EXPECT_TRUE(rounds_to(std::stoll(m[4]), e.tps)) << m.str();
      }
    EXPECT_NE(markdown.find(std::to_string(failed()) + " of "), std::string::npos) << markdown;
  }

  // JUnit: the totals, and each test case passed, failed or skipped as its cell.
  {
    const std::string xml = testing::read_file(dir_ / "r.xml");
    std::smatch totals;
    ASSERT_TRUE(std::regex_search(
        xml, totals,
        std::regex("<testsuites [^>]*tests=\"(\\d+)\" failures=\"(\\d+)\" errors=\"(\\d+)\" "
                   "skipped=\"(\\d+)\"")));
    EXPECT_EQ(std::stoul(totals[1]), cells_.size());
    EXPECT_EQ(std::stoul(totals[2]), failed());
    EXPECT_EQ(std::stoul(totals[3]), 0u);
    EXPECT_EQ(std::stoul(totals[4]), count("unsupported"));
    size_t at = 0;
    for (const Expected& e : cells_) {
      const std::string name = "name=\"" + e.isolation + " / " + e.locking + "\"";
      at = xml.find(name, at);
      ASSERT_NE(at, std::string::npos) << name;
      const std::string testcase = xml.substr(at, xml.find("</testcase>", at) - at);
      EXPECT_EQ(testcase.find("<skipped") != std::string::npos, e.status == "unsupported") << name;
      EXPECT_EQ(testcase.find("<failure") != std::string::npos, e.status == "ran" && !e.passed)
          << name;
      ++at;
    }
  }

  // HTML: each cell's matrix entry and its detail table.
  {
    const std::string html = testing::read_file(dir_ / "r.html");
    for (size_t i = 0; i < cells_.size(); ++i) {
      const Expected& e = cells_[i];
      const std::string link = "<a href=\"#cell-" + std::to_string(i) + "\">";
      const size_t entry = html.find(link);
      ASSERT_NE(entry, std::string::npos) << link;
      const std::string td = html.substr(entry, html.find("</td>", entry) - entry);
      if (e.status == "unsupported") {
        EXPECT_NE(td.find("unsupported"), std::string::npos) << td;
        continue;
      }
      const bool lost_shown =
          td.find(std::to_string(e.lost) + " lost updates") != std::string::npos;
      EXPECT_EQ(lost_shown, e.lost > 0) << td;
      std::smatch rate;
      ASSERT_TRUE(std::regex_search(td, rate, std::regex("abort (\\d+)% · (\\d+) tps"))) << td;
      EXPECT_TRUE(rounds_to(std::stoll(rate[1]), e.abort_percent)) << td;
      EXPECT_TRUE(rounds_to(std::stoll(rate[2]), e.tps)) << td;
      // The folded detail: workers, duration, attempted, committed, ...
      const size_t detail = html.find("id=\"cell-" + std::to_string(i) + "\"");
      ASSERT_NE(detail, std::string::npos);
      std::smatch counts;
      const std::string rest = html.substr(detail, 20000);
      ASSERT_TRUE(std::regex_search(
          rest, counts,
          std::regex("<tr><td>\\d+</td><td>[0-9.]+ s</td><td>\\d+</td><td>(\\d+)</td>")))
          << i;
      EXPECT_EQ(std::stoll(counts[1]), e.committed) << i;
    }
    std::smatch banner;
    ASSERT_TRUE(std::regex_search(
        html, banner, std::regex("(\\d+) met, (\\d+) failed, (\\d+) unsupported, (\\d+) error")));
    EXPECT_EQ(std::stoul(banner[1]), count("ran") - failed());
    EXPECT_EQ(std::stoul(banner[2]), failed());
    EXPECT_EQ(std::stoul(banner[3]), count("unsupported"));
    EXPECT_EQ(std::stoul(banner[4]), 0u);
  }
}

}  // namespace
}  // namespace clobber
