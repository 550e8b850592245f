// The SQL checker (harness/sqlcheck/sql_check.h): what it accepts, what it
// rejects, where it points, and which table names it reports for renaming.
#include "harness/sqlcheck/sql_check.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "harness/common/yaml_reader.h"

namespace clobber {
namespace {

const std::vector<std::string> kTables = {"accounts", "entry"};

/// The problem's message, or "" when accepted.
std::string problem(std::string_view sql, SqlContext context = SqlContext::workload_step) {
  const SqlCheck check = check_sql(sql, context, kTables);
  return check.problem ? check.problem->message : "";
}

/// The problem's offset (the text must be rejected).
size_t problem_at(std::string_view sql, SqlContext context = SqlContext::workload_step) {
  const SqlCheck check = check_sql(sql, context, kTables);
  EXPECT_TRUE(check.problem) << sql;
  return check.problem ? check.problem->offset : std::string_view::npos;
}

TEST(SqlCheck, AcceptsTheStatementsOfTheShippedFiles) {
  for (const char* sql : {
           "UPDATE accounts SET balance = balance + :amount WHERE id = :to",
           "SELECT (SELECT SUM(balance) FROM accounts) - (SELECT COUNT(*) FROM entry e WHERE "
           "e.value < 0)",
           "select count(*) from entry where value % 3 = 0;",
           "INSERT INTO entry (id, value) VALUES (1, 10) ON CONFLICT (id) DO UPDATE SET value = 2",
           "INSERT INTO entry (id, value) VALUES (1, 10) ON DUPLICATE KEY UPDATE value = "
           "VALUES(value)",
           "DELETE FROM entry WHERE id IN (SELECT id FROM accounts WHERE balance < -1)",
           "SELECT a.id FROM accounts a JOIN entry e ON e.id = a.id, entry f WHERE a.id = 1 FOR "
           "UPDATE",
           "WITH low AS (SELECT id FROM accounts WHERE balance < 0) SELECT COUNT(*) FROM low",
           "SELECT CAST(balance AS bigint), balance::int, COALESCE(MAX(balance), 0) FROM accounts",
           "SELECT 1 -- a comment\n FROM entry /* another */ WHERE value=-1",
           "SELECT 'it''s' FROM entry WHERE value IS DISTINCT FROM 1",
           "SELECT EXTRACT(YEAR FROM now()) FROM entry",
       })
    EXPECT_EQ(problem(sql), "") << sql;
}

TEST(SqlCheck, ReportsEveryTableReferenceForRenaming) {
  const std::string sql =
      "UPDATE accounts SET balance = 1 WHERE id IN (SELECT id FROM entry, accounts b)";
  const SqlCheck check = check_sql(sql, SqlContext::workload_step, kTables);
  ASSERT_FALSE(check.problem);
  ASSERT_EQ(check.tables.size(), 3u);
  EXPECT_EQ(check.tables[0].offset, sql.find("accounts"));
  EXPECT_EQ(check.tables[1].name, "entry");
  EXPECT_EQ(check.tables[2].offset, sql.rfind("accounts"));
}

TEST(SqlCheck, RejectsUndeclaredQuotedQualifiedAndModifiedNames) {
  EXPECT_EQ(problem_at("DELETE FROM victim"), 12u);
  EXPECT_EQ(problem_at("INSERT INTO victim VALUES (1)"), 12u);
  EXPECT_EQ(problem_at("UPDATE \"accounts\" SET balance = 0"), 7u);
  EXPECT_EQ(problem_at("UPDATE `accounts` SET balance = 0"), 7u);
  EXPECT_EQ(problem_at("UPDATE ONLY accounts SET balance = 0"), 7u);
  EXPECT_EQ(problem_at("UPDATE IGNORE accounts SET balance = 0"), 7u);
  EXPECT_EQ(problem_at("UPDATE public.accounts SET balance = 0"), 7u);
  EXPECT_EQ(problem_at("UPDATE accounts, victim SET victim.x = 1"), 17u);
  EXPECT_EQ(problem_at("UPDATE accounts a JOIN entry e ON a.id = e.id, victim v SET v.x = 1"), 47u);
  EXPECT_EQ(problem_at("UPDATE accounts STRAIGHT_JOIN victim SET x = 1"), 30u);
  EXPECT_EQ(problem_at("SELECT * FROM (accounts, victim)"), 14u);
  EXPECT_EQ(problem_at("INSERT victim VALUES (1)"), 7u);
  EXPECT_EQ(problem_at("DELETE victim FROM victim"), 7u);
  EXPECT_EQ(problem_at("SELECT 1 INTO victim2"), 9u);
  EXPECT_EQ(problem_at("SELECT 1 INTO OUTFILE '/tmp/x'"), 9u);
  EXPECT_EQ(problem_at("WITH victim AS (SELECT 1) DELETE FROM victim"), 38u);
}

TEST(SqlCheck, RejectsWhatTheDialectsReadDifferently) {
  EXPECT_EQ(problem_at("SELECT 1; DROP TABLE victim"), 8u);
  EXPECT_EQ(problem_at("SELECT 'a\\' FROM entry"), 9u);
  EXPECT_EQ(problem_at("SELECT E'a' FROM entry"), 7u);
  EXPECT_EQ(problem_at("SELECT 1 # x"), 9u);
  EXPECT_EQ(problem_at("SELECT 1 --x"), 9u);
  EXPECT_EQ(problem_at("SELECT 1 /*! DROP TABLE victim */"), 9u);
  EXPECT_EQ(problem_at("SELECT 1 /* a /* b */ DROP TABLE victim */"), 14u);
  EXPECT_EQ(problem_at("SELECT $$x$$"), 7u);
  EXPECT_EQ(problem_at("SELECT 1 <=> 2"), 9u);
}

TEST(SqlCheck, RejectsCallsThatCouldWrite) {
  EXPECT_EQ(problem_at("SELECT pg_terminate_backend(1)"), 7u);
  EXPECT_EQ(problem_at("SELECT set_config('search_path', 'victim_schema', false)"), 7u);
  EXPECT_EQ(problem_at("SELECT nextval('victim_seq')"), 7u);
  EXPECT_EQ(problem_at("SELECT pg_catalog.lower('a')"), 18u);
  EXPECT_EQ(problem_at("SELECT balance::regclass FROM accounts"), 16u);
}

TEST(SqlCheck, NonReservedKeywordsBeforeParenthesesAreCallsOutsideTheirSyntax) {
  // PostgreSQL reads these as function names where its grammar has no keyword.
  EXPECT_EQ(problem_at("SELECT key(1) FROM entry"), 7u);
  EXPECT_EQ(problem_at("SELECT text(1) FROM entry"), 7u);
  EXPECT_EQ(problem_at("SELECT value FROM entry WHERE value LIKE ('a')"), 36u);
  EXPECT_EQ(problem_at("SELECT filter(1) FROM entry"), 7u);
  EXPECT_EQ(problem("SELECT COUNT(*) FILTER (WHERE value > 0) OVER (PARTITION BY id ORDER BY "
                    "(value)) FROM entry"),
            "");
  EXPECT_EQ(problem("CREATE TABLE entry (id int, v varchar(20), d decimal(10, 2), PRIMARY KEY "
                    "(id), UNIQUE (v))",
                    SqlContext::scenario_setup),
            "");
}

TEST(SqlCheck, StatementKindsDependOnWhereTheTextIs) {
  EXPECT_NE(problem("DROP TABLE entry", SqlContext::scenario_step), "");
  EXPECT_NE(problem("ALTER TABLE entry RENAME TO escaped", SqlContext::scenario_step), "");
  EXPECT_NE(problem("TRUNCATE entry", SqlContext::scenario_step), "");
  EXPECT_NE(problem("DO $$ BEGIN END $$", SqlContext::scenario_step), "");
  EXPECT_NE(problem("CALL p()", SqlContext::scenario_step), "");
  EXPECT_NE(problem("SET search_path = victim_schema", SqlContext::scenario_step), "");
  EXPECT_NE(problem("SET GLOBAL innodb_lock_wait_timeout = 1", SqlContext::scenario_step), "");
  EXPECT_NE(problem("SET ROLE victim", SqlContext::scenario_step), "");
  EXPECT_EQ(problem("SET lock_timeout = '1s'", SqlContext::scenario_step), "");
  EXPECT_EQ(problem("SET SESSION innodb_lock_wait_timeout = 1", SqlContext::scenario_step), "");
  EXPECT_EQ(problem("SET default_transaction_deferrable = 'on'", SqlContext::scenario_step), "");
  EXPECT_EQ(problem("SET default_transaction_read_only = 1", SqlContext::scenario_step), "");
  EXPECT_NE(
      problem("SET default_transaction_isolation = 'serializable'", SqlContext::scenario_step), "");
  EXPECT_EQ(problem("LOCK TABLE entry IN EXCLUSIVE MODE", SqlContext::scenario_step), "");
  EXPECT_NE(problem("LOCK TABLE victim", SqlContext::scenario_step), "");
  EXPECT_EQ(problem("create table entry (id int primary key, name varchar(20), value int)",
                    SqlContext::scenario_setup),
            "");
  EXPECT_EQ(problem("CREATE TABLE IF NOT EXISTS accounts (id int primary key, e int REFERENCES "
                    "entry (id) ON DELETE CASCADE) ENGINE=InnoDB",
                    SqlContext::scenario_setup),
            "");
  EXPECT_EQ(problem("create unique index entry_value on entry (value)", SqlContext::scenario_setup),
            "");
  EXPECT_NE(problem("create table victim (id int)", SqlContext::scenario_setup), "");
  EXPECT_NE(problem("create table entry partition of victim", SqlContext::scenario_setup), "");
  EXPECT_NE(problem("create table entry (id int) inherits (victim)", SqlContext::scenario_setup),
            "");
  EXPECT_NE(problem("create view entry as select 1", SqlContext::scenario_setup), "");
  EXPECT_NE(problem("create table entry (id int)", SqlContext::scenario_step), "");
  EXPECT_NE(problem("UPDATE entry SET value = 1", SqlContext::read_query), "");
  EXPECT_NE(problem("WITH d AS (DELETE FROM entry RETURNING id) SELECT 1", SqlContext::read_query),
            "");
  EXPECT_EQ(problem("WITH d AS (DELETE FROM entry RETURNING id) SELECT COUNT(*) FROM d"), "");
  EXPECT_NE(problem("SELECT :x FROM entry", SqlContext::read_query), "");
}

/// Where `token` of the scalar under key `key` lies in `text`, as "line:column".
std::string located(const std::string& text, const std::string& key, const std::string& token) {
  const YAML::Node node = YAML::Load(text)[key];
  const std::string value = node.Scalar();
  const SourceLocation at = value_location(text, "f", node, value, value.find(token));
  return std::to_string(at.line) + ":" + std::to_string(at.column);
}

TEST(ValueLocation, MapsAnOffsetInEveryScalarStyleToItsLineAndColumn) {
  EXPECT_EQ(located("a: 1\nsql: select x from victim\n", "sql", "victim"), "2:20");
  EXPECT_EQ(located("sql: 'select ''it''''s'' from victim'\n", "sql", "victim"), "1:31");
  EXPECT_EQ(located("sql: \"select 1 from victim\"\n", "sql", "victim"), "1:21");
  EXPECT_EQ(located("sql: select x\n  from\n    victim\n", "sql", "victim"), "3:5");
  EXPECT_EQ(located("sql: |\n  select x\n    from victim\n", "sql", "victim"), "3:10");
  EXPECT_EQ(located("sql: >-\n  select x\n  from victim\n", "sql", "victim"), "3:8");
  // An escape sequence makes the value differ from the file: the scalar's start.
  EXPECT_EQ(located("sql: \"select \\t1 from victim\"\n", "sql", "victim"), "1:6");
}

TEST(SqlCheck, NeverThrowsOnTruncatedInput) {
  const std::string sql =
      "WITH x (a) AS (SELECT CAST(1 AS int) FROM entry) UPDATE accounts SET b = (SELECT a FROM x)";
  for (size_t n = 0; n <= sql.size(); ++n)
    check_sql(sql.substr(0, n), SqlContext::workload_step, kTables);
  for (size_t n = 0; n <= sql.size(); ++n)
    check_sql(sql.substr(n), SqlContext::scenario_setup, kTables);
}

}  // namespace
}  // namespace clobber
