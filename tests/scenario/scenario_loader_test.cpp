// The scenario loader on good inputs, the suite in workloads/scenarios/, and
// the SQL helpers (table renaming, DDL targets, condition summaries).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "harness/scenario/scenario_loader.h"
#include "tests/scenario/scenario_checks.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

const std::string kGood = std::string(CLOBBER_SOURCE_DIR) + "/tests/scenario/good/full.yaml";
const fs::path kSuite = fs::path(CLOBBER_SOURCE_DIR) / "workloads" / "scenarios";

TEST(ScenarioLoader, LoadsEverySection) {
  const Scenario s = load_scenario_file(kGood);
  EXPECT_EQ(s.name, "bad");
  EXPECT_EQ(s.id, "bad");  // the name when no id is given
  EXPECT_EQ(s.tables, std::vector<std::string>{"test"});
  ASSERT_EQ(s.setup.size(), 2u);
  EXPECT_EQ(s.sessions, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_TRUE(s.isolation.empty());
  ASSERT_EQ(s.steps.size(), 6u);
  EXPECT_EQ(s.steps[0].action, StepAction::begin);
  EXPECT_EQ(s.steps[1].session, 1u);
  EXPECT_EQ(s.steps[2].action, StepAction::sql);
  EXPECT_EQ(s.steps[2].statement, "select value from test where id = 1");
  EXPECT_EQ(s.steps[2].name, "seen");
  EXPECT_EQ(s.steps[2].where.line, 11);
  EXPECT_EQ(s.steps[4].action, StepAction::commit);
  const AnomalyCondition& c = s.anomaly_if;
  EXPECT_EQ(c.all_committed, (std::vector<size_t>{0, 1}));
  ASSERT_TRUE(c.when.has_value());
  ASSERT_EQ(c.values.size(), 1u);
  EXPECT_EQ(c.values[0].step, 2u);
  EXPECT_EQ(c.sql, "select value from test where id = 1");
  EXPECT_EQ(c.equals, ExpectedRows{{"0"}});
}

TEST(ScenarioLoader, NormalizesStatementsAndReadsEveryEqualsForm) {
  const Scenario s = load_scenario_text(R"(name: forms
id: F
description: every form
tables: test
setup: create table test (id int primary key, value int)
isolation: serializable
sessions: [a]
steps:
  - a: BEGIN;
  - a: "select id, value from test ;"
    as: r
  - a: Commit
anomaly_if:
  when: r.value > 0 and r.id == 1
  sql: select id, value from test order by id
  equals: [[1, 10], [2, 20]]
)",
                                        "forms.yaml");
  EXPECT_EQ(s.id, "F");
  EXPECT_EQ(s.isolation, std::vector<Isolation>{Isolation::serializable});
  EXPECT_EQ(s.steps[0].action, StepAction::begin);
  EXPECT_EQ(s.steps[0].statement, "begin");
  EXPECT_EQ(s.steps[1].statement, "select id, value from test");
  EXPECT_EQ(s.steps[2].action, StepAction::commit);
  ASSERT_EQ(s.anomaly_if.values.size(), 2u);
  EXPECT_EQ(s.anomaly_if.values[0].column, "value");
  EXPECT_EQ(s.anomaly_if.values[1].column, "id");
  EXPECT_EQ(s.anomaly_if.equals, (ExpectedRows{{"1", "10"}, {"2", "20"}}));

  const Scenario column = load_scenario_text(R"(name: column
description: a list of values is one column
tables: [test]
setup: [create table test (id int)]
sessions: [a]
steps: [{a: select 1}]
anomaly_if: {sql: select id from test, equals: [1, 2]}
)",
                                             "column.yaml");
  EXPECT_EQ(column.anomaly_if.equals, (ExpectedRows{{"1"}, {"2"}}));
}

TEST(ScenarioLoader, WhenErrorsPointIntoQuotedText) {
  try {
    load_scenario_text(R"(name: q
description: d
tables: [test]
setup: [create table test (id int)]
sessions: [a]
steps:
  - a: select 1
    as: one
anomaly_if:
  when: "one == two"
)",
                       "q.yaml");
    FAIL() << "loaded";
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().line, 10);
    EXPECT_EQ(error.where().column, 17);  // 'two', inside the quotes
  }
}

TEST(ScenarioLoader, UnreadableFileIsAnInputError) {
  EXPECT_THROW(load_scenario_file("/nonexistent/scenario.yaml"), InputError);
}

TEST(ScenarioFiles, FoldersExpandToTheirYamlFilesInOrder) {
  const std::vector<std::string> files = scenario_files({kSuite.string(), kGood});
  ASSERT_GE(files.size(), 11u);
  EXPECT_TRUE(files.front().ends_with("01_g0_dirty_write.yaml"));
  EXPECT_TRUE(std::is_sorted(files.begin(), files.end() - 1));
  EXPECT_EQ(files.back(), kGood);
  EXPECT_THROW(scenario_files({"/nonexistent"}), InputError);
  const fs::path empty = fs::temp_directory_path() / "clobber_empty_scenarios";
  fs::create_directories(empty);
  EXPECT_THROW(scenario_files({empty.string()}), InputError);
  fs::remove_all(empty);
}

TEST(ScenarioSuite, HasEveryAnomalyDocumented) {
  std::vector<std::string> ids;
  for (const std::string& file : scenario_files({kSuite.string()})) {
    SCOPED_TRACE(file);
    const Scenario s = load_scenario_file(file);
    ids.push_back(s.id);
    EXPECT_NE(s.id, s.name);
    EXPECT_GE(s.description.size(), 40u);
    // Each file opens with a comment giving its sequence and what to expect.
    std::ifstream in(file);
    std::string first;
    std::getline(in, first);
    EXPECT_TRUE(first.starts_with("# ")) << first;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"G0", "G1a", "G1b", "G1c", "OTV", "PMP", "P4",
                                           "G-single", "G2-item", "G2"}));
}

TEST(RenameTables, RenamesUnquotedWordsOnly) {
  const std::vector<std::string> tables{"test", "entry"};
  EXPECT_EQ(rename_tables("update TEST set value = 'test' where id in (select id from entry)",
                          tables, "p_"),
            "update p_test set value = 'test' where id in (select id from p_entry)");
  EXPECT_EQ(rename_tables("select \"test\".x, `entry`, test.value -- test\nfrom test /* entry */",
                          tables, "p_"),
            "select \"test\".x, `entry`, p_test.value -- test\nfrom p_test /* entry */");
  EXPECT_EQ(
      rename_tables("select $$test$$, $t$ entry $t$, testing, 1test from test_2", tables, "p_"),
      "select $$test$$, $t$ entry $t$, testing, 1test from test_2");
  EXPECT_EQ(rename_tables("select 'it''s test' from test", tables, "p_"),
            "select 'it''s test' from p_test");
}

TEST(Describe, SummarizesTheCondition) {
  const Scenario s = load_scenario_file(kGood);
  EXPECT_EQ(describe_condition(s.anomaly_if, s),
            "alice and bob all committed; seen == 10; select value from test where id = 1 "
            "returns 0");
  const Scenario g0 = testing::suite_scenario("01_g0_dirty_write.yaml");
  EXPECT_EQ(describe_condition(g0.anomaly_if, g0),
            "select value from test order by id returns [[11], [22]]");
}

}  // namespace
}  // namespace clobber
