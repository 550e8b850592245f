// The JUnit report parsed with a real XML parser (libxml2, no recovery, no
// network): the expected test cases, failures, errors and skips of the sample
// run and scenario run, and hostile text from files and servers (<script>,
// "]]>", quotes, control characters, invalid UTF-8) still parsing, read back as text.
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include <memory>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "reports/reporter.h"
#include "tests/reports/sample_result.h"
#include "tests/reports/sample_scenario_result.h"

namespace clobber {
namespace {

/// A parsed JUnit document, queried with XPath.
class Junit {
 public:
  explicit Junit(const std::string& text)
      : doc_(xmlReadMemory(text.data(), static_cast<int>(text.size()), "junit.xml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
             xmlFreeDoc) {}
  /// Whether the text parsed as well-formed XML.
  bool parsed() const { return doc_ != nullptr; }
  /// How many nodes `xpath` selects.
  int count(const std::string& xpath) const {
    return static_cast<int>(eval("count(" + xpath + ")"));
  }
  /// The string value of `xpath` (the first node's text, or an attribute).
  std::string text(const std::string& xpath) const {
    std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> context(
        xmlXPathNewContext(doc_.get()), xmlXPathFreeContext);
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> result(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(("string(" + xpath + ")").c_str()),
                               context.get()),
        xmlXPathFreeObject);
    if (!result || !result->stringval) return {};
    return reinterpret_cast<const char*>(result->stringval);
  }

 private:
  double eval(const std::string& xpath) const {
    std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> context(
        xmlXPathNewContext(doc_.get()), xmlXPathFreeContext);
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> result(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), context.get()),
        xmlXPathFreeObject);
    return result ? result->floatval : -1;
  }
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc_;
};

template <typename Result>
std::string junit(const Result& result) {
  std::ostringstream out;
  JunitReporter().report(result, out);
  return out.str();
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(JunitXml, RunHasACasePerCellWithFailuresErrorsAndSkips) {
  const std::string text = junit(testing::sample_result());
  const Junit xml(text);
  ASSERT_TRUE(xml.parsed()) << text;
  EXPECT_EQ(xml.text("/testsuites/@tests"), "4");
  EXPECT_EQ(xml.text("/testsuites/@failures"), "1");
  EXPECT_EQ(xml.text("/testsuites/@errors"), "1");
  EXPECT_EQ(xml.text("/testsuites/@skipped"), "1");
  EXPECT_EQ(xml.count("/testsuites/testsuite"), 3);  // one per database
  EXPECT_EQ(xml.count("//testcase"), 4);
  EXPECT_EQ(xml.text("/testsuites/testsuite[1]/@name"), "postgresql 15.20");
  EXPECT_EQ(xml.text("/testsuites/testsuite[3]/@name"), "mariadb 10.11.19");

  const std::string failed = "//testcase[@name='read_committed / none']";
  EXPECT_EQ(xml.text(failed + "/@classname"), "clobber.joint-account.postgresql 15_20");
  EXPECT_EQ(xml.count(failed + "/failure"), 1);
  EXPECT_TRUE(contains(xml.text(failed + "/failure/@message"), "lost_updates = 0"));
  const std::string details = xml.text(failed + "/failure");
  EXPECT_TRUE(contains(details, "expectation failed: ledger balanced; actual unbalanced"));
  EXPECT_TRUE(contains(details, "relation \"audit\" does not exist"));
  EXPECT_TRUE(contains(details, "first witness: lost_update on accounts[1].balance"));
  EXPECT_TRUE(contains(details, "T-1.202: worker 5, attempt 2, transfer, start 10.625 ms"));
  EXPECT_FALSE(contains(details, "T102"));  // the first witness only

  EXPECT_EQ(xml.count("//testcase[@name='serializable / for_update']/*[self::failure or "
                      "self::error or self::skipped]"),
            0);
  EXPECT_EQ(xml.text("//testcase[@name='read_uncommitted / for_update']/skipped/@message"),
            "SQLite has no SELECT ... FOR UPDATE");
  EXPECT_EQ(xml.text("//testcase[@name='repeatable_read / optimistic']/error/@message"),
            "lost the connection while seeding");
  EXPECT_EQ(xml.text("/testsuites/testsuite[1]/properties/property[@name='seed']/@value"),
            "12345678901234567890");
  EXPECT_TRUE(
      contains(xml.text("/testsuites/testsuite[1]/properties/property[@name='replay']/@value"),
               "--db 'postgresql://app:***@db.internal/shop' --seed 12345678901234567890"));
}

TEST(JunitXml, ScenarioRunHasACasePerScenarioDatabaseAndLevel) {
  const std::string text = junit(testing::sample_scenario_result());
  const Junit xml(text);
  ASSERT_TRUE(xml.parsed()) << text;
  EXPECT_EQ(xml.text("/testsuites/@tests"), "7");
  EXPECT_EQ(xml.text("/testsuites/@failures"), "0");
  EXPECT_EQ(xml.text("/testsuites/@errors"), "1");
  EXPECT_EQ(xml.text("/testsuites/@skipped"), "1");
  EXPECT_EQ(xml.count("/testsuites/testsuite"), 2);  // one per scenario
  EXPECT_EQ(xml.count("/testsuites/testsuite[@name='lost-update (P4)']/testcase"), 6);
  EXPECT_EQ(xml.count("//testcase[@classname='clobber.scenario.P4']"), 6);
  EXPECT_EQ(xml.count("//failure"), 0);  // an anomaly is the result, not a failure
  EXPECT_EQ(xml.text("//testcase[@name='postgresql 15.20 / read_uncommitted']/skipped/@message"),
            "no such level");
  EXPECT_EQ(xml.text("//testcase[@name='mariadb 10.11.19 / repeatable_read']/error/@message"),
            "the script got stuck: bob's step 2 never returned");
  EXPECT_TRUE(contains(
      xml.text("//testsuite[1]/testcase[@name='postgresql 15.20 / read_committed']/system-out"),
      "verdict: anomaly (ANOMALY)"));
  EXPECT_TRUE(contains(xml.text("//testsuite[1]/testcase[@name='postgresql 15.20 / "
                                "repeatable_read']/system-out"),
                       "verdict: prevented (abort 40001)"));
  EXPECT_EQ(xml.text("//testsuite[1]/properties/property[@name='anomaly_if']/@value"),
            "alice and bob all committed");
}

/// Text a hostile workload or server could put in a report.
const std::string kHostile =
    "<script>alert('x')</script> ]]> \"q\" & \x01\x1b[2J\x7f bad\xff\xfe utf\xc3\x28 "
    "surrogate\xed\xa0\x80 cut\xe2\x82";

TEST(JunitXml, HostileTextStillParsesAndReadsBackAsText) {
  RunResult run = testing::sample_result();
  run.workload = kHostile;
  run.replay_command = kHostile;
  run.cells[0].expectations[0].description = kHostile;
  run.cells[0].anomalies[0].explanation = kHostile + "\nsecond line";
  run.cells[0].database.settings.push_back({kHostile, kHostile});
  run.cells[2].reason = kHostile;
  run.cells[3].reason = kHostile;
  const std::string text = junit(run);
  const Junit xml(text);
  ASSERT_TRUE(xml.parsed()) << text;
  EXPECT_FALSE(contains(text, "<script>"));
  EXPECT_FALSE(contains(text, "]]>"));
  EXPECT_EQ(xml.count("//testcase"), 4);
  const std::string name = xml.text("/testsuites/@name");
  EXPECT_TRUE(contains(name, "<script>alert('x')</script> ]]> \"q\" & ")) << name;
  EXPECT_TRUE(contains(name, "bad\xEF\xBF\xBD\xEF\xBF\xBD utf\xEF\xBF\xBD(")) << name;
  EXPECT_FALSE(contains(name, "\x1b"));
  EXPECT_TRUE(contains(xml.text("//skipped/@message"), "<script>"));
  EXPECT_TRUE(contains(xml.text("//error/@message"), "]]>"));
  EXPECT_TRUE(contains(xml.text("//failure/@message"), "<script>alert('x')</script>"));
  EXPECT_TRUE(contains(xml.text("//failure"), "]]> \"q\" &"));
  EXPECT_EQ(xml.text("/testsuites/testsuite[1]/properties/property[@name='replay']/@value"),
            xml.text("/testsuites/@name").substr(std::string("clobber ").size()));

  ScenarioRunResult scenarios = testing::sample_scenario_result();
  scenarios.scenarios[0].name = kHostile;
  scenarios.scenarios[0].id = kHostile;
  scenarios.scenarios[0].anomaly_if = kHostile;
  scenarios.scenarios[0].cells[1].explanation = kHostile;
  scenarios.scenarios[0].cells[5].reason = kHostile;
  const std::string scenario_text = junit(scenarios);
  const Junit scenario_xml(scenario_text);
  ASSERT_TRUE(scenario_xml.parsed()) << scenario_text;
  EXPECT_EQ(scenario_xml.count("//testcase"), 7);
  EXPECT_TRUE(contains(scenario_xml.text("//error/@message"), "<script>"));
  EXPECT_TRUE(contains(scenario_xml.text("//testsuite[1]/@name"), "]]>"));
}

TEST(JunitXml, RandomBytesAlwaysParseAndMarkdownStaysValidUtf8) {
  std::mt19937 random(42);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 40);
  const auto bytes = [&] {
    std::string text(static_cast<size_t>(length(random)), '\0');
    for (char& c : text) c = static_cast<char>(byte(random));
    return text;
  };
  for (int i = 0; i < 300; ++i) {
    RunResult run = testing::sample_result();
    run.workload = bytes();
    run.replay_command = bytes();
    run.cells[0].expectations[0].description = bytes();
    run.cells[0].anomalies[0].transactions[0].type = bytes();
    run.cells[2].reason = bytes();
    run.cells[3].reason = bytes();
    const std::string text = junit(run);
    ASSERT_TRUE(Junit(text).parsed()) << text;
    std::ostringstream markdown;
    MarkdownReporter().report(run, markdown);
    EXPECT_EQ(xmlCheckUTF8(reinterpret_cast<const xmlChar*>(markdown.str().c_str())), 1)
        << markdown.str();
  }
}

/// The sample with a G-single witness first: two edges between T3.7 and T1.2.
RunResult with_dependency_witness() {
  RunResult run = testing::sample_result();
  Anomaly& anomaly = run.cells[0].anomalies[0];
  anomaly.type = "G-single";
  anomaly.transactions[0].id = (4ULL << 32) | 7;
  anomaly.transactions[1].id = (2ULL << 32) | 2;
  anomaly.edges = {{anomaly.transactions[0].id, anomaly.transactions[1].id, "rw", "accounts", 1,
                    "T3.7 did not see the write of T1.2"},
                   {anomaly.transactions[1].id, anomaly.transactions[0].id, "wr", "accounts", 2,
                    "T3.7 read the write of T1.2"}};
  anomaly.rules_out = {"repeatable_read", "serializable"};
  anomaly.transactions[0].commit_sent_ms = 12.5;
  return run;
}

TEST(JunitXml, DependencyWitnessShowsItsEdgesAndWhatItRulesOut) {
  const Junit xml(junit(with_dependency_witness()));
  ASSERT_TRUE(xml.parsed());
  const std::string details = xml.text("//failure");
  EXPECT_TRUE(contains(details, "first witness: G-single on accounts[1].balance")) << details;
  EXPECT_TRUE(contains(details,
                       "  T3.7: worker 3, attempt 1, transfer, start 10.500 ms, commit sent 12.500 "
                       "ms, returned 12.750 ms, read 400, wrote 380\n"))
      << details;
  EXPECT_TRUE(contains(details,
                       "  rw T3.7 -> T1.2: T3.7 did not see the write of T1.2\n  wr "
                       "T1.2 -> T3.7: T3.7 read the write of T1.2\n  rules out: "
                       "repeatable_read, serializable\n"))
      << details;
  std::ostringstream markdown;
  MarkdownReporter().report(with_dependency_witness(), markdown);
  EXPECT_TRUE(contains(markdown.str(),
                       "  - T3.7: worker 3, attempt 1, transfer, 10.500 → 12.500 (commit sent) → "
                       "12.750 ms, read 400, wrote\n    380\n"
                       "  - T1.2: worker 5, attempt 2, transfer, 10.625 → 13.000 ms, read 400, "
                       "wrote 390\n"
                       "  - rw T3.7 → T1.2: T3.7 did not see the write of T1.2\n"
                       "  - wr T1.2 → T3.7: T3.7 read the write of T1.2\n"
                       "  - rules out: repeatable_read, serializable\n"))
      << markdown.str();
}

TEST(JunitXml, LongMessagesAreCutAndDetailsKept) {
  RunResult run = testing::sample_result();
  run.cells[3].reason = std::string(300, 'x') + "\nend";
  const Junit xml(junit(run));
  ASSERT_TRUE(xml.parsed());
  const std::string message = xml.text("//error/@message");
  EXPECT_EQ(message, std::string(200, 'x') + "…");
  EXPECT_EQ(xml.text("//error"), std::string(300, 'x') + "\nend");
}

}  // namespace
}  // namespace clobber
