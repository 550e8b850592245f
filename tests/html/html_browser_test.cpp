// The HTML report in real headless Chromium: the clobber binary runs a short
// workload and the scenario folder over PostgreSQL and MariaDB with --html;
// each page's DOM has its matrix and non-empty SVG charts, the page logs
// nothing to the console (no CSP violation, no error), requests nothing (every
// host name resolves to nothing anyway), and a screenshot is written under
// the build folder (tests/html/artifacts).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <regex>
#include <string>

#include "tests/hostile/run_clobber.h"
#include "tests/html/chromium.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

/// Opens `page` in Chromium twice (DOM, screenshot) and checks what every
/// report must: the matrix `matrix_id` and at least `charts` non-empty SVG
/// charts in the DOM, nothing on the console, nothing requested.
void check_in_chromium(const fs::path& page, const fs::path& dir, const std::string& matrix_id,
                       size_t charts) {
  const std::string html = testing::read_file(page);
  ASSERT_FALSE(html.empty()) << page;
  EXPECT_EQ(testing::outside_references(html), std::vector<std::string>{});

  const testing::BrowserRun dom = testing::open_in_chromium(page, "--dump-dom", dir / "dom");
  EXPECT_EQ(dom.exit_code, 0);
  EXPECT_NE(dom.dom.find("id=\"" + matrix_id + "\""), std::string::npos);
  // A chart: an <svg> holding at least one drawn mark (polyline, path, rect).
  static const std::regex chart(
      R"re(<svg class="chart"[^>]*>(?:(?!</svg>)[\s\S])*?<(polyline points="[0-9]|path d="M|rect x=))re");
  const auto found = std::distance(std::sregex_iterator(dom.dom.begin(), dom.dom.end(), chart),
                                   std::sregex_iterator());
  EXPECT_GE(static_cast<size_t>(found), charts);
  EXPECT_EQ(dom.console, "") << "the page logged to the console";
  EXPECT_EQ(dom.urls, std::set<std::string>{}) << "the page requested something";

  const fs::path png = dir / "screenshot.png";
  const testing::BrowserRun shot =
      testing::open_in_chromium(page, "--screenshot=" + png.string(), dir / "shot");
  EXPECT_EQ(shot.exit_code, 0);
  EXPECT_EQ(shot.console, "");
  ASSERT_TRUE(fs::exists(png));
  EXPECT_GT(fs::file_size(png), 10000u);
  std::cout << "screenshot: " << fs::absolute(png).string() << "\n";
}

TEST(HtmlInChromium, RunOverPostgresAndMariaDb) {
  const fs::path dir = testing::artifacts_dir("run");
  const fs::path page = dir / "run.html";
  const testing::Ran ran = testing::run_clobber(
      {"run", std::string(CLOBBER_SOURCE_DIR) + "/workloads/joint_account.yaml", "--db",
       testing::server_url("CLOBBER_TEST_PG_URL"), "--db",
       testing::server_url("CLOBBER_TEST_MYSQL_URL"), "--isolation",
       "none,read_committed,serializable", "--locking", "none,for_update", "--duration", "300ms",
       "--html", page.string()},
      dir);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  ASSERT_NE(ran.err.find("clobber: wrote " + page.string()), std::string::npos) << ran.err;
  // Charts: the scatter, and per cell two timelines and a latency histogram.
  check_in_chromium(page, dir, "isolation-matrix", 10);
  const std::string html = testing::read_file(page);
  EXPECT_NE(html.find("postgresql 15"), std::string::npos);
  EXPECT_NE(html.find("mariadb 10"), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"lost update witness"), std::string::npos);
}

TEST(HtmlInChromium, ScenarioFolderOverPostgresAndMariaDb) {
  const fs::path dir = testing::artifacts_dir("scenario");
  const fs::path page = dir / "scenarios.html";
  const testing::Ran ran =
      testing::run_clobber({"scenario", std::string(CLOBBER_SOURCE_DIR) + "/workloads/scenarios",
                            "--db", testing::server_url("CLOBBER_TEST_PG_URL"), "--db",
                            testing::server_url("CLOBBER_TEST_MYSQL_URL"), "--html", page.string()},
                           dir);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  // A sequence diagram per cell that ran: 10 scenarios x 9 supported levels.
  check_in_chromium(page, dir, "scenario-matrix", 90);
  const std::string html = testing::read_file(page);
  EXPECT_NE(html.find("class=\"blocked-span\""), std::string::npos);
  EXPECT_NE(html.find("class=\"mark\">releases</text>"), std::string::npos);
}

}  // namespace
}  // namespace clobber
