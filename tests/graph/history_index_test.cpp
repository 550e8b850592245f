// The numbering the dependency-graph check works in
// (harness/check/history_index.h) alone: attempts as nodes across worker
// logs, (table, key) pairs as rows.
#include "harness/check/history_index.h"

#include <gtest/gtest.h>

#include <vector>

namespace clobber::graph {
namespace {

/// Logs of workers 0..n-1 with `attempts[w]` attempts each, attempt i of
/// worker w of type 10 * w + i.
std::vector<WorkerLog> logs_of(const std::vector<size_t>& attempts) {
  std::vector<Records> per_worker(attempts.size());
  for (size_t w = 0; w < attempts.size(); ++w)
    for (size_t i = 0; i < attempts[w]; ++i) {
      AttemptRecord a;
      a.id = make_txn_id(static_cast<int>(w), i);
      a.type = static_cast<uint32_t>(10 * w + i);
      a.outcome = AttemptOutcome::committed;
      per_worker[w].attempts.push_back(a);
    }
  return encode_logs(per_worker);
}

TEST(Nodes, NumberAttemptsAcrossLogsInLogOrder) {
  const std::vector<WorkerLog> logs = logs_of({2, 0, 3});
  const Nodes nodes(logs);
  EXPECT_EQ(nodes.size(), 5u);
  EXPECT_EQ(nodes.base(0), 0u);
  EXPECT_EQ(nodes.base(1), 2u);
  EXPECT_EQ(nodes.base(2), 2u);
  EXPECT_EQ(nodes.of(make_txn_id(0, 1)), 1u);
  EXPECT_EQ(nodes.of(make_txn_id(2, 0)), 2u);
  EXPECT_EQ(nodes.of(make_txn_id(2, 2)), 4u);
  EXPECT_EQ(nodes.log(4).worker, 2);
  EXPECT_EQ(nodes.log(1).worker, 0);
  Records records;
  nodes.decode(3, records);
  ASSERT_EQ(records.attempts.size(), 1u);
  EXPECT_EQ(records.attempts[0].id, make_txn_id(2, 1));
  EXPECT_EQ(records.attempts[0].type, 21u);
}

TEST(Nodes, TheSeedAndUnrecordedTransactionsAreNoNodes) {
  const std::vector<WorkerLog> logs = logs_of({2, 1});
  const Nodes nodes(logs);
  EXPECT_EQ(nodes.of(0), kSeed);
  EXPECT_EQ(nodes.of(make_txn_id(0, 2)), kNone);  // past the worker's last attempt
  EXPECT_EQ(nodes.of(make_txn_id(5, 0)), kNone);  // a worker with no log
}

TEST(RowIndex, NumbersRowsInTheOrderFirstAdded) {
  RowIndex rows;
  EXPECT_EQ(rows.find_or_add(1, 7), 0u);
  EXPECT_EQ(rows.find_or_add(0, 7), 1u);  // the same key of another table
  EXPECT_EQ(rows.find_or_add(1, -3), 2u);
  EXPECT_EQ(rows.find_or_add(1, 7), 0u);
  EXPECT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows.table(1), 0u);
  EXPECT_EQ(rows.key(2), -3);
  EXPECT_EQ(rows.find(0, 7), 1u);
  EXPECT_EQ(rows.find(0, 8), kNone);
}

TEST(RowIndex, KeepsEveryRowAsItGrows) {
  RowIndex rows;
  const int64_t before = rows.bytes();
  for (int64_t k = 0; k < 5000; ++k) ASSERT_EQ(rows.find_or_add(3, k * 1'000'003), k);
  EXPECT_GT(rows.bytes(), before);
  EXPECT_EQ(rows.size(), 5000u);
  for (int64_t k = 0; k < 5000; ++k) {
    ASSERT_EQ(rows.find(3, k * 1'000'003), static_cast<uint32_t>(k));
    ASSERT_EQ(rows.key(static_cast<uint32_t>(k)), k * 1'000'003);
  }
}

TEST(BytesOf, SumsTheCapacityOfEachVector) {
  std::vector<uint32_t> a;
  a.reserve(10);
  std::vector<int64_t> b;
  b.reserve(3);
  EXPECT_EQ(bytes_of(a, b), static_cast<int64_t>(a.capacity() * 4 + b.capacity() * 8));
  EXPECT_EQ(bytes_of(), 0);
}

}  // namespace
}  // namespace clobber::graph
