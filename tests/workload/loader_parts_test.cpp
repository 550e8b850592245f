// Each part of the workload loader (harness/workload/loader_parts.h) loads its
// YAML section alone, from a document that holds only that section (and the
// tables it refers to), with errors at their file:line:column.
#include "harness/workload/loader_parts.h"

#include <gtest/gtest.h>

#include <string>

namespace clobber::loader {
namespace {

/// Loads `key` of `text` with `load`, into `workload`.
template <typename Load>
void load_section(const std::string& text, std::string_view key, Load load) {
  const Loader loader(text, "part.yaml");
  load(loader, loader.section(loader.document(), key));
}

Workload with_tables(const std::string& text) {
  Workload workload;
  load_section(text, "tables",
               [&](const Loader& l, const Ref& ref) { l.load_tables(ref, workload); });
  return workload;
}

const std::string kTables = R"(tables:
  accounts:
    columns: {id: int, owner: text, balance: bigint}
    key: id
    generate: {count: 3, values: {balance: key * 10}}
)";

TEST(LoaderParts, TablesAlone) {
  const Workload workload = with_tables(kTables);
  ASSERT_EQ(workload.tables.size(), 1u);
  EXPECT_EQ(workload.tables[0].columns.size(), 3u);
  ASSERT_TRUE(workload.tables[0].generated);
  EXPECT_EQ(workload.tables[0].generated->count, 3);
}

TEST(LoaderParts, TransactionsAloneOverGivenTables) {
  Workload workload = with_tables(kTables);
  load_section(kTables + R"(transactions:
  take:
    params: {k: {uniform: [1, 3]}}
    steps:
      - read: {table: accounts, key: k, as: a}
      - write: {row: a, set: {balance: a.balance - 1}}
)",
               "transactions",
               [&](const Loader& l, const Ref& ref) { l.load_transactions(ref, workload); });
  ASSERT_EQ(workload.transactions.size(), 1u);
  EXPECT_EQ(workload.transactions[0].steps.size(), 2u);
  EXPECT_EQ(workload.transactions[0].frame_size, 3);  // k, a.id, a.balance
}

TEST(LoaderParts, InvariantsAloneOverGivenTables) {
  Workload workload = with_tables(kTables);
  load_section(kTables + R"(invariants:
  - {name: total, sum: accounts.balance, equals: 60}
  - {name: rich, count: {table: accounts, where: balance >= 20}, at_most: 2}
)",
               "invariants",
               [&](const Loader& l, const Ref& ref) { l.load_invariants(ref, workload); });
  ASSERT_EQ(workload.invariants.size(), 2u);
  EXPECT_EQ(workload.invariants[0].form, Invariant::Form::sum);
  EXPECT_EQ(workload.invariants[0].column, 2u);
  EXPECT_EQ(workload.invariants[1].form, Invariant::Form::count);
  EXPECT_EQ(workload.invariants[1].compare, Invariant::Compare::at_most);
}

TEST(LoaderParts, InvariantErrorAtItsPlaceWhenLoadedAlone) {
  Workload workload = with_tables(kTables);
  try {
    load_section(kTables + "invariants:\n  - {name: total, sum: accounts.owner, equals: 1}\n",
                 "invariants",
                 [&](const Loader& l, const Ref& ref) { l.load_invariants(ref, workload); });
    FAIL() << "loaded";
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().file, "part.yaml");
    EXPECT_EQ(error.where().line, 7);
    EXPECT_EQ(error.where().column, 33);  // the o of owner
    EXPECT_EQ(error.message(),
              "column 'owner' of table 'accounts' is text; sum takes an integer column");
  }
}

TEST(LoaderParts, RunAndMatrixAlone) {
  const std::string text = R"(run: {workers: 3, transactions: 50, retry: {max_tries: 2}}
matrix: {isolation: [serializable], locking: all}
)";
  RunSettings run;
  Matrix matrix;
  load_section(text, "run", [&](const Loader& l, const Ref& ref) { l.load_run(ref, run); });
  load_section(text, "matrix",
               [&](const Loader& l, const Ref& ref) { l.load_matrix(ref, matrix); });
  EXPECT_EQ(run.workers, 3);
  EXPECT_EQ(run.transactions, 50);
  EXPECT_EQ(run.retry.max_tries, 2);
  EXPECT_EQ(matrix.isolation, std::vector<Isolation>{Isolation::serializable});
  EXPECT_TRUE(matrix.locking.empty());  // all
}

TEST(LoaderParts, ExpectAlone) {
  Workload workload;
  load_section(R"(expect:
  - where: {database: sqlite, locking: none}
    lost_updates: {min: 1}
    invariants: any
)",
               "expect", [&](const Loader& l, const Ref& ref) { l.load_expect(ref, workload); });
  ASSERT_EQ(workload.expect.size(), 1u);
  EXPECT_EQ(workload.expect[0].databases, std::vector<DatabaseKind>{DatabaseKind::sqlite});
  EXPECT_TRUE(workload.expect[0].invariants_any);
  ASSERT_EQ(workload.expect[0].bounds.size(), 1u);
  EXPECT_EQ(workload.expect[0].bounds[0].min, 1.0);
  EXPECT_EQ(workload.expect[0].bounds[0].where.line, 3);
}

TEST(LoaderParts, MissingSectionIsAnError) {
  const Loader loader("run: {workers: 2}\n", "part.yaml");
  EXPECT_THROW(loader.section(loader.document(), "expect"), InputError);
}

}  // namespace
}  // namespace clobber::loader
