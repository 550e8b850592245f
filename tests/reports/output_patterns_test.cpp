// Golden pattern tests (the style of google/benchmark's output tests) of the
// console, Markdown and JUnit reports of the sample run and scenario run:
// every line that matters, in order, with placeholders where numbers may vary.
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "reports/reporter.h"
#include "tests/reports/output_test.h"
#include "tests/reports/sample_result.h"
#include "tests/reports/sample_scenario_result.h"

namespace clobber {
namespace {

using testing::matches_output;
using testing::MatchRule;
using testing::OutputPattern;
constexpr MatchRule kNext = MatchRule::next;
constexpr MatchRule kNever = MatchRule::never;

template <typename Result>
std::string render(const Reporter& reporter, const Result& result) {
  std::ostringstream out;
  reporter.report(result, out);
  return out.str();
}

TEST(OutputPatterns, TheMatcherFollowsItsRules) {
  const std::string text = "alpha 12\nbeta 1.5 7%\ngamma\ndelta\n";
  EXPECT_TRUE(matches_output(text, {{"^alpha %int$"}, {"beta %float %percent", kNext}}));
  EXPECT_TRUE(matches_output(text, {{"alpha"}, {"delta"}}));
  EXPECT_FALSE(matches_output(text, {{"alpha"}, {"gamma", kNext}}));  // not the next line
  EXPECT_FALSE(matches_output(text, {{"gamma"}, {"beta"}}));          // out of order
  EXPECT_FALSE(matches_output(text, {{"^lpha"}}));                    // anchored
  EXPECT_FALSE(matches_output(text, {{"alpha %float$"}, {"beta %int "}}));
  EXPECT_TRUE(matches_output(text, {{"alpha"}, {"delta", kNever}, {"gamma"}}));
  EXPECT_FALSE(matches_output(text, {{"alpha"}, {"beta", kNever}, {"gamma"}}));
  EXPECT_FALSE(matches_output(text, {{"beta"}, {"delta", kNever}}));          // checked to the end
  EXPECT_TRUE(matches_output("a (b) [c] x*y|z\n", {{"^a (b) [c] x*y|z$"}}));  // literal
}

TEST(OutputPatterns, ConsoleRun) {
  EXPECT_TRUE(matches_output(
      render(ConsoleReporter(), testing::sample_result()),
      {{"^clobber 0.1.0: joint-account (workloads/joint-account.yaml)$"},
       {"^  Alice and Bob move money out of John's joint account.$", kNext},
       {"^  seed 12345678901234567890 (replay with --seed 12345678901234567890), started "
        "2024-05-01T12:00:00Z$",
        kNext},
       {"^  database postgresql 15.20 at postgresql://bob:***@127.0.0.1:5432/clobber "
        "(lock_timeout=5s)$",
        kNext},
       {"^  database sqlite 3.40.1 at sqlite:/tmp/clobber-x.db$", kNext},
       {"^  database mariadb 10.11.19 at mysql://root@127.0.0.1:3306/clobber, server "
        "10.11.19-MariaDB$",
        kNext},
       {"^isolation%splocking%spcommitted%sprej/fail%spaborts%spretries%sptps%spp50/p99 "
        "ms%splost upd%splost amt%spinv%spverdict$"},
       {"^postgresql 15.20$", kNext},
       {"^read_committed%spnone%sp1100%sp90/7%sp7%sp6%sp219%sp1.25/12.12%sp12%sp345%sp1/3%spFAIL$",
        kNext},
       {"^    error NOTFOUND x3: no row with key 9 (workloads/joint-account.yaml:20:9)$", kNext},
       {"^    ... 1 more distinct errors$", kNext},
       {"^    faults: chaos killed 4 sessions (2.5/s asked), 5 reconnects$", kNext},
       {"^serializable%spfor_update%sp1100%any%sp0%sp0%sp2/2%spPASS$", kNext},
       {"^mariadb 10.11.19$", kNext},
       {"^repeatable_read%spoptimistic%sp-%any%sp-%spERROR$", kNext},
       {"^    error: lost the connection while seeding$", kNext},
       {"^not run (unsupported):$", kNext},
       {"^  sqlite 3.40.1 read_uncommitted/for_update: SQLite has no SELECT ... FOR UPDATE$",
        kNext},
       {"^committed: transactions committed; rej/fail: ", kNext},
       {"negative: money created"},
       {"^isolation%splocking%sppostgresql 15.20%spsqlite 3.40.1%spmariadb 10.11.19$"},
       {"^read_committed%spnone%sp12/%percent/219 FAIL%sp-%sp-$", kNext},
       {"^serializable%spfor_update%sp0/%percent/219%sp-%sp-$", kNext},
       {"^read_uncommitted%spfor_update%sp-%spunsupported%sp-$", kNext},
       {"^repeatable_read%spoptimistic%sp-%sp-%sperror$", kNext},
       {"^per database: lost updates/aborted attempts among all attempts/committed transactions",
        kNext},
       {"FAIL postgresql 15.20 / serializable", kNever},
       {"^FAIL postgresql 15.20 / read_committed / none$"},
       {"^  expectation failed: lost_updates = 0 (workloads/joint-account.yaml:40:5); actual 12$",
        kNext},
       {"^  expectation failed: ledger balanced; actual unbalanced$", kNext},
       {"^  invariant failed: money is conserved: expected = 700, actual 650$", kNext},
       {"^  invariant failed: audit: expected = 0, actual error (relation \"audit\" does not "
        "exist)$",
        kNext},
       {"^  ledger: 7 values differ (10 rows checked), lost amount 345 (expected minus actual: "
        "money vanished)$",
        kNext},
       {"^    accounts[1].balance: expected 100, actual 95$", kNext},
       {"^    accounts[2].balance: expected 200..210, actual 195$", kNext},
       {"accounts[6]", kNever},
       {"^    ... 2 more$"},
       {"^  anomalies: 4$", kNext},
       {"^    lost_update on accounts[1].balance: T101 and T202 both read version 40 and both "
        "wrote it$",
        kNext},
       {"T104 and T205", kNever},
       {"^    ... 1 more$"},
       {"^verdict: FAIL - 1 of 2 cells failed their expectations, 1 unsupported, 1 could not "
        "run$"}}));
}

TEST(OutputPatterns, ConsoleScenarioRun) {
  EXPECT_TRUE(matches_output(
      render(ConsoleReporter(ConsoleOptions{.traces = true}), testing::sample_scenario_result()),
      {{"^Scenario lost-update (P4): p4.yaml$"},
       {"^  Alice and Bob$", kNext},
       {"^  anomaly if: alice and bob all committed$", kNext},
       {"^  postgresql 15.20 at read_uncommitted: unsupported$"},
       {"^    no such level$", kNext},
       {"^  postgresql 15.20 at read_committed: ANOMALY$"},
       {"^    step  session  statement%spresult$", kNext},
       {"^       1  alice    update entry set value = 5%spok, 1 row$", kNext},
       {"^       2  bob      update entry set value = 0%spblocked (lock wait seen in "
        "pg_stat_activity)$",
        kNext},
       {"^       3  alice    commit%spok$", kNext},
       {"^       3  bob      ↳ 2: update entry set value = 0%spok, 1 row$", kNext},
       {"^       4  bob      commit%spok$", kNext},
       {"^    the anomaly happened$", kNext},
       {"^  postgresql 15.20 at repeatable_read: abort 40001$"},
       {"failed 40001 (serialization): could not serialize$"},
       {"rolled back instead: the transaction failed at step 2$", kNext},
       {"^    prevented: bob's step 2 failed$", kNext},
       {"^  mariadb 10.11.19 at repeatable_read: error$"},
       {"^    error: the script got stuck: bob's step 2 never returned$"},
       {"^Scenario pinned (PIN): pin.yaml$"},
       {"^Scenarios: is the anomaly prevented, per database and isolation level$"},
       {"^database%spisolation%spP4%spPIN$", kNext},
       {"^postgresql 15.20  read_committed    ANOMALY      -$", kNext},
       {"^                  repeatable_read   abort 40001  abort 40001$", kNext},
       {"^mariadb 10.11.19  read_uncommitted  ANOMALY      -$", kNext},
       {"^                  read_committed    ANOMALY      -$", kNext},
       {"^                  repeatable_read   error        -$", kNext},
       {"^  P4: lost-update$"},
       {"^  PIN: pinned$", kNext},
       {"^not run (the database does not support the level):$"},
       {"^  postgresql 15.20 read_uncommitted: no such level$", kNext},
       {"^2 scenarios, 7 cells: 3 anomalies, 2 prevented, 1 unsupported, 1 error$"}}));
}

TEST(OutputPatterns, MarkdownRun) {
  EXPECT_TRUE(matches_output(
      render(MarkdownReporter(), testing::sample_result()),
      {{"^## ❌ clobber: joint-account FAIL$", kNext},
       {"^$", kNext},
       {"^1 of 2 cells failed their expectations, 1 unsupported, 1 could not run.$", kNext},
       {"^- workload: joint-account (`workloads/joint-account.yaml`)$"},
       {"^- seed: `12345678901234567890`$", kNext},
       {"^- clobber 0.1.0, started 2024-05-01T12:00:00Z$", kNext},
       {"^- postgresql 15.20: `postgresql://bob:***@127.0.0.1:5432/clobber` (lock_timeout=5s)$",
        kNext},
       {"^- sqlite 3.40.1: `sqlite:/tmp/clobber-x.db`$", kNext},
       {"^- mariadb 10.11.19: `mysql://root@127.0.0.1:3306/clobber`$", kNext},
       {"^```sh$"},
       {"^clobber run workloads/joint-account.yaml --db 'postgresql://app:***@db.internal/shop' "
        "\\$",
        kNext},
       {"^  --seed 12345678901234567890$", kNext},
       {"^```$", kNext},
       {"^### Matrix$"},
       {"^| isolation / locking%sp| postgresql 15.20 | sqlite 3.40.1 | mariadb 10.11.19 |$"},
       {"^| ---%any| ---%any| ---%any| ---%any|$", kNext},
       {"^| read_committed / none%sp| ❌ %int/%percent/%int%sp| -%sp| -%sp|$", kNext},
       {"^| serializable / for_update%sp| 0/%percent/219%sp| -%sp| -%sp|$", kNext},
       {"^| read_uncommitted / for_update | -%sp| unsupported%sp| -%sp|$", kNext},
       {"^| repeatable_read / optimistic%sp| -%sp| -%sp| error%sp|$", kNext},
       {"^### Failed$"},
       {"^#### ❌ postgresql 15.20 · read_committed / none$"},
       {"^- expectation failed: lost_updates = 0 (workloads/joint-account.yaml:40:5); actual 12$"},
       {"^- expectation failed: ledger balanced; actual unbalanced$", kNext},
       {"^- invariant failed: money is conserved: expected = 700, actual 650$", kNext},
       {"^- invariant failed: audit: expected = 0, actual error (relation \"audit\" does not "
        "exist)$",
        kNext},
       {"^- ledger: 7 values differ (10 rows checked), lost amount 345$", kNext},
       {"^- unexpected error NOTFOUND x3: no row with key 9 (workloads/joint-account.yaml:20:9)$",
        kNext},
       {"^- witness (1 of 4): lost_update on accounts\\[1\\].balance: T101 and T202 both read "
        "version 40 and$",
        kNext},
       {"^  both wrote it$", kNext},
       {"^  - T-1.101: worker 3, attempt 1, transfer, 10.500 → 12.750 ms, read 400, wrote 380$",
        kNext},
       {"^  - T-1.202: worker 5, attempt 2, transfer, 10.625 → 13.000 ms, read 400, wrote 390$",
        kNext},
       {"T102", kNever},
       {"^### Could not run$"},
       {"^- mariadb 10.11.19 · repeatable_read / optimistic: lost the connection while seeding$"},
       {"^### Unsupported$"},
       {"^- sqlite 3.40.1 (read_uncommitted / for_update): SQLite has no SELECT ... FOR "
        "UPDATE$"}}));
}

TEST(OutputPatterns, MarkdownScenarioRun) {
  EXPECT_TRUE(matches_output(
      render(MarkdownReporter(), testing::sample_scenario_result()),
      {{"^## ❌ clobber scenarios: cells could not run$", kNext},
       {"^2 scenarios, 7 cells: 3 anomalies, 2 prevented, 1 unsupported, 1 error.$"},
       {"^- postgresql 15.20: `postgresql://postgres:***@localhost/db`$"},
       {"^- mariadb 10.11.19: `mysql://root@127.0.0.1:3306/db` (innodb_snapshot_isolation=OFF)$",
        kNext},
       {"^### postgresql 15.20$"},
       {"^| scenario | read_uncommitted | read_committed | repeatable_read |$"},
       {"^| -------- | ---------------- | -------------- | --------------- |$", kNext},
       {"^| P4       | n/a              | ANOMALY        | abort 40001     |$", kNext},
       {"^| PIN      | -                | -              | abort 40001     |$", kNext},
       {"^### mariadb 10.11.19$"},
       {"^| P4       | ANOMALY          | ANOMALY        | error           |$"},
       {"^| PIN      | -                | -              | -               |$", kNext},
       {"^- P4: lost-update (Alice and Bob)$"},
       {"^- PIN: pinned$", kNext},
       {"^### Could not run$"},
       {"^- P4 · mariadb 10.11.19 · repeatable_read: the script got stuck: bob's step 2 never "
        "returned$"},
       {"^### Unsupported$"},
       {"^- postgresql 15.20 · read_uncommitted: no such level$"}}));
}

TEST(OutputPatterns, JunitRun) {
  EXPECT_TRUE(matches_output(
      render(JunitReporter(), testing::sample_result()),
      {{"^<?xml version=\"1.0\" encoding=\"UTF-8\"?>$", kNext},
       {"^<testsuites name=\"clobber joint-account\" tests=\"4\" failures=\"1\" errors=\"1\" "
        "skipped=\"1\" time=\"%float\">$",
        kNext},
       {"^  <testsuite name=\"postgresql 15.20\" tests=\"2\" failures=\"1\" errors=\"0\" "
        "skipped=\"0\" time=\"%float\" timestamp=\"2024-05-01T12:00:00\">$",
        kNext},
       {"<property name=\"seed\" value=\"12345678901234567890\"/>"},
       {"<property name=\"replay\" value=\"clobber run workloads/joint-account.yaml --db "
        "&apos;postgresql://app:***@db.internal/shop&apos; --seed 12345678901234567890\"/>",
        kNext},
       {"<property name=\"setting.lock_timeout\" value=\"5s\"/>"},
       {"^    <testcase classname=\"clobber.joint-account.postgresql 15_20\" name=\"read_committed "
        "/ none\" time=\"5.013\">$"},
       {"^      <failure message=\"lost_updates = 0 (workloads/joint-account.yaml:40:5): actual 12 "
        "(and 3 more)\" type=\"expectation\">expectation failed: lost_updates = 0 "
        "(workloads/joint-account.yaml:40:5); actual 12$",
        kNext},
       {"^invariant failed: audit: expected = 0, actual error (relation &quot;audit&quot; does "
        "not exist)$"},
       {"^first witness: lost_update on accounts[1].balance: T101 and T202 both read version 40 "
        "and both wrote it$"},
       {"^  T-1.101: worker 3, attempt 1, transfer, start 10.500 ms, commit 12.750 ms, read 400, "
        "wrote 380$",
        kNext},
       {"^  T-1.202: worker 5, attempt 2, transfer, start 10.625 ms, commit 13.000 ms, read 400, "
        "wrote 390$",
        kNext},
       {"^</failure>$", kNext},
       {"^      <system-out>16 workers, 5.013 s: committed 1100 of 1200 (rejected 90, failed 7, "
        "indeterminate 3)$",
        kNext},
       {"<failure", kNever},
       {"^    <testcase classname=\"clobber.joint-account.postgresql 15_20\" "
        "name=\"serializable / for_update\" time=\"%float\">$"},
       {"^  <testsuite name=\"sqlite 3.40.1\" tests=\"1\" failures=\"0\" errors=\"0\" "
        "skipped=\"1\" "},
       {"^    <testcase classname=\"clobber.joint-account.sqlite 3_40_1\" "
        "name=\"read_uncommitted / for_update\" time=\"0.000\">$"},
       {"^      <skipped message=\"SQLite has no SELECT ... FOR UPDATE\"/>$", kNext},
       {"^  <testsuite name=\"mariadb 10.11.19\" tests=\"1\" failures=\"0\" errors=\"1\" "
        "skipped=\"0\" "},
       {"^    <testcase classname=\"clobber.joint-account.mariadb 10_11_19\" "
        "name=\"repeatable_read / optimistic\" time=\"0.000\">$"},
       {"^      <error message=\"lost the connection while seeding\" type=\"error\">lost the "
        "connection while seeding</error>$",
        kNext},
       {"^</testsuites>$"}}));
}

TEST(OutputPatterns, JunitScenarioRun) {
  EXPECT_TRUE(matches_output(
      render(JunitReporter(), testing::sample_scenario_result()),
      {{"^<testsuites name=\"clobber scenarios\" tests=\"7\" failures=\"0\" errors=\"1\" "
        "skipped=\"1\" time=\"3.250\">$"},
       {"^  <testsuite name=\"lost-update (P4)\" tests=\"6\" failures=\"0\" errors=\"1\" "
        "skipped=\"1\" time=\"3.000\" timestamp=\"2024-01-01T00:00:00\">$",
        kNext},
       {"<property name=\"anomaly_if\" value=\"alice and bob all committed\"/>"},
       {"^    <testcase classname=\"clobber.scenario.P4\" name=\"postgresql 15.20 / "
        "read_uncommitted\" time=\"0.000\">$"},
       {"^      <skipped message=\"no such level\"/>$", kNext},
       {"^    <testcase classname=\"clobber.scenario.P4\" name=\"postgresql 15.20 / "
        "read_committed\" time=\"0.250\">$"},
       {"^      <system-out>verdict: anomaly (ANOMALY)$", kNext},
       {"^the anomaly happened$", kNext},
       {"^committed: alice, bob$", kNext},
       {"name=\"postgresql 15.20 / repeatable_read\""},
       {"^      <system-out>verdict: prevented (abort 40001)$", kNext},
       {"^prevented: bob&apos;s step 2 failed$", kNext},
       {"name=\"mariadb 10.11.19 / repeatable_read\" time=\"2.000\">$"},
       {"^      <error message=\"the script got stuck: bob&apos;s step 2 never returned\" "
        "type=\"error\">",
        kNext},
       {"^  <testsuite name=\"pinned (PIN)\" tests=\"1\" failures=\"0\" errors=\"0\" "
        "skipped=\"0\" "},
       {"<failure", kNever},
       {"^</testsuites>$"}}));
}

}  // namespace
}  // namespace clobber
