// The browser checks of tests/html/html_browser_test.cpp can fail: a page
// that loads an image and a style sheet from outside and runs a failing
// script shows up on the console and in the requests, and a report rendered
// from a saved result (no server needed) passes the same checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "reports/reporter.h"
#include "tests/html/chromium.h"
#include "tests/reports/sample_result.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

TEST(ChromiumChecks, SeeAFetchAndAConsoleError) {
  const fs::path dir = testing::artifacts_dir("fetching");
  const fs::path page = dir / "fetching.html";
  std::ofstream(page) << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
                         "<img src=\"http://127.0.0.1:9/x.png\"><script>missing();</script>"
                         "</body></html>";
  const testing::BrowserRun run = testing::open_in_chromium(page, "--dump-dom", dir / "dom");
  EXPECT_NE(run.console.find("Uncaught ReferenceError: missing is not defined"), std::string::npos)
      << run.console;
  EXPECT_EQ(run.urls.count("http://127.0.0.1:9/x.png"), 1u);
  EXPECT_EQ(testing::outside_references(testing::read_file(page)),
            std::vector<std::string>{"src=\"http://127.0.0.1:9/x.png"});
}

TEST(ChromiumChecks, SeeWhatTheReportsPolicyBlocks) {
  const fs::path dir = testing::artifacts_dir("blocked");
  const fs::path page = dir / "blocked.html";
  std::ostringstream report;
  HtmlReporter().report(testing::sample_result(), report);
  std::string html = report.str();
  html.insert(html.find("</body>"), "<img src=\"http://127.0.0.1:9/x.png\">");
  std::ofstream(page) << html;
  const testing::BrowserRun run = testing::open_in_chromium(page, "--dump-dom", dir / "dom");
  EXPECT_NE(run.console.find("Loading the image 'http://127.0.0.1:9/x.png' violates"),
            std::string::npos)
      << run.console;
  EXPECT_EQ(run.urls, std::set<std::string>{});
  EXPECT_NE(run.dom.find("id=\"isolation-matrix\""), std::string::npos);
}

}  // namespace
}  // namespace clobber
