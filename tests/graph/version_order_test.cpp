// The version order (harness/check/version_order.h) alone, on tiny rows: the
// exact order of each row's versions from the numbers writes returned, reads
// saw or the final row holds, and the exact ww, wr and rw edges and dirty
// reads it implies.
#include "harness/check/version_order.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

namespace clobber::graph {
namespace {

constexpr uint32_t kRow = 7;

/// (from, to, kind, gap) of each edge, all of row kRow.
using Dependency = std::tuple<uint32_t, uint32_t, uint32_t, bool>;

/// (number, writer) of each version.
using Placed = std::pair<int64_t, uint32_t>;

RowRead read_of(uint32_t reader, uint32_t writer, uint64_t number, bool writes_row = false,
                bool writer_failed = false) {
  return RowRead{reader, writes_row, writer, number, writer_failed};
}

class VersionOrderTest : public ::testing::Test {
 protected:
  /// Orders row kRow of a history of 8 nodes.
  void order(const std::vector<RowWrite>& writes, const std::vector<RowRead>& reads,
             uint32_t final_writer = kNone) {
    edges_.clear();
    dirty_.clear();
    order_.order(kRow, writes, reads, final_writer, edges_, dirty_);
  }
  std::vector<Placed> versions() const {
    std::vector<Placed> out;
    for (const VersionOrder::Version& v : order_.versions()) out.emplace_back(v.number, v.writer);
    return out;
  }
  std::vector<Dependency> edges() const {
    std::vector<Dependency> out;
    for (const PendingEdge& e : edges_) {
      EXPECT_EQ(row_of(e.info), kRow);
      out.emplace_back(e.from, e.to, kind_of(e.info), gap_of(e.info));
    }
    return out;
  }

  VersionOrder order_{8};
  std::vector<PendingEdge> edges_;
  std::vector<DirtyRead> dirty_;
};

TEST_F(VersionOrderTest, NumberedWritesAreOrderedByTheirNumbers) {
  // PostgreSQL and SQLite: every write returns its version number. Node 1
  // wrote version 1, node 0 version 2 over it, node 2 version 3 over that;
  // node 3 read version 1, node 4 the seed's.
  order({{0, 2, 1}, {1, 1, 0}, {2, 3, 2}}, {read_of(3, 1, 1), read_of(4, kSeed, 0)}, 2);
  EXPECT_EQ(versions(), (std::vector<Placed>{{0, kSeed}, {1, 1}, {2, 0}, {3, 2}}));
  EXPECT_TRUE(order_.ordered());
  EXPECT_EQ(edges(), (std::vector<Dependency>{{1, 0, kWw, false},
                                              {0, 2, kWw, false},
                                              {1, 3, kWr, false},
                                              {3, 0, kRw, false},
                                              {4, 1, kRw, false}}));
  EXPECT_TRUE(dirty_.empty());
  EXPECT_EQ(order_.unplaced_writes(), 0);
  EXPECT_EQ(order_.unordered_rows(), 0);
}

TEST_F(VersionOrderTest, AMissingNumberBetweenTwoVersionsIsAGap) {
  // Version 2 was written by something clobber did not record.
  order({{0, 1, 0}, {1, 3, 1}}, {read_of(2, 0, 1)});
  EXPECT_EQ(versions(), (std::vector<Placed>{{0, kSeed}, {1, 0}, {3, 1}}));
  EXPECT_EQ(edges(),
            (std::vector<Dependency>{{0, 1, kWw, true}, {0, 2, kWr, false}, {2, 1, kRw, true}}));
}

TEST_F(VersionOrderTest, UnnumberedWritesArePlacedByAReadOrByTheFinalRow) {
  // MySQL outside atomic mode: no write returns its number. Node 2 read node
  // 0's write as version 4; the final row holds node 1's, so it is last.
  order({{0, 0, 0}, {1, 0, -1}}, {read_of(2, 0, 4)}, 1);
  EXPECT_EQ(versions(), (std::vector<Placed>{{0, kSeed}, {4, 0}, {kLast, 1}}));
  EXPECT_TRUE(order_.ordered());
  EXPECT_EQ(edges(),
            (std::vector<Dependency>{{0, 1, kWw, true}, {0, 2, kWr, false}, {2, 1, kRw, true}}));
  EXPECT_EQ(order_.unplaced_writes(), 0);
}

TEST_F(VersionOrderTest, UnplacedWritesAssumeNothingAndAreTallied) {
  // Nothing numbers node 0's write and a writer clobber did not record holds the row.
  order({{0, 0, 0}}, {read_of(1, kSeed, 0)}, kNone);
  EXPECT_EQ(versions(), (std::vector<Placed>{{0, kSeed}}));
  EXPECT_TRUE(edges().empty());
  EXPECT_EQ(order_.unplaced_writes(), 1);
  // The tallies run across rows.
  order({{2, 0, 0}, {3, 1, 0}}, {});
  EXPECT_EQ(versions(), (std::vector<Placed>{{0, kSeed}, {1, 3}}));
  EXPECT_EQ(order_.unplaced_writes(), 2);
  EXPECT_EQ(order_.unordered_rows(), 0);
}

TEST_F(VersionOrderTest, ContradictoryNumbersLeaveOutTheWwAndRwEdges) {
  order({{0, 1, 0}, {1, 1, 0}}, {read_of(2, 0, 1)});
  EXPECT_FALSE(order_.ordered());
  EXPECT_EQ(order_.unordered_rows(), 1);
  // What node 2 read it read: only the wr edge is certain.
  EXPECT_EQ(edges(), (std::vector<Dependency>{{0, 2, kWr, false}}));
}

TEST_F(VersionOrderTest, AFinalRowThatContradictsTheNumbersLeavesTheRowUnordered) {
  // The final row holds node 0's version 1, yet node 1 wrote version 2.
  order({{0, 1, 0}, {1, 2, 1}}, {}, 0);
  EXPECT_FALSE(order_.ordered());
  EXPECT_TRUE(edges().empty());
}

TEST_F(VersionOrderTest, LostUpdatesGetNoWwOrRwEdge) {
  // Nodes 0 and 1 both read the seed's version and wrote the row: node 1
  // overwrote node 0's version 1 unseen (find_lost_updates reports it).
  order({{0, 1, 0}, {1, 2, 0}}, {read_of(0, kSeed, 0, true), read_of(1, kSeed, 0, true)}, 1);
  EXPECT_EQ(versions(), (std::vector<Placed>{{0, kSeed}, {1, 0}, {2, 1}}));
  EXPECT_TRUE(edges().empty());
}

TEST_F(VersionOrderTest, AReadThenWriteOfTheNextVersionIsOneWwEdge) {
  // Node 1 read node 0's version 1 and wrote version 2 over it: the ww edge
  // says it all, no wr edge repeats it.
  order({{0, 1, 0}, {1, 2, 1}}, {read_of(1, 0, 1, true)}, 1);
  EXPECT_EQ(edges(), (std::vector<Dependency>{{0, 1, kWw, false}}));
}

TEST_F(VersionOrderTest, ReadsOfAbortedOrIntermediateVersionsAreDirty) {
  // Node 0 aborted after writing version 1 (its write is not committed, so
  // not among the row's); node 2 read it. Node 1 wrote versions 1 and 2;
  // node 3 read its version 1. Reads of unrecorded writers and own writes count for nothing.
  order({{1, 1, 0}, {1, 2, 0}},
        {read_of(2, 0, 1, false, true), read_of(3, 1, 1), read_of(4, kNone, 5), read_of(1, 1, 1)},
        1);
  EXPECT_EQ(versions(), (std::vector<Placed>{{0, kSeed}, {1, 1}, {2, 1}}));
  ASSERT_EQ(dirty_.size(), 2u);
  EXPECT_EQ(dirty_[0].type, kG1a);
  EXPECT_EQ(dirty_[0].reader, 2u);
  EXPECT_EQ(dirty_[0].writer, 0u);
  EXPECT_EQ(dirty_[0].row, kRow);
  EXPECT_EQ(dirty_[0].number, 1);
  EXPECT_EQ(dirty_[1].type, kG1b);
  EXPECT_EQ(dirty_[1].reader, 3u);
  EXPECT_EQ(dirty_[1].writer, 1u);
  EXPECT_EQ(dirty_[1].number, 1);
  EXPECT_EQ(dirty_[1].writer_last, 2);
  // Node 3 still depends on node 1's write; it saw no installed version, so no rw edge.
  EXPECT_EQ(edges(), (std::vector<Dependency>{{1, 3, kWr, false}}));
}

TEST(VersionOrder, CountsItsScratch) {
  VersionOrder order(1000);
  EXPECT_EQ(order.bytes(), 0);
  std::vector<PendingEdge> edges;
  std::vector<DirtyRead> dirty;
  // An unnumbered write sizes the node -> group map: 1,000 entries.
  const std::vector<RowWrite> writes = {{0, 0, 0}};
  order.order(0, writes, {}, kNone, edges, dirty);
  EXPECT_GE(order.bytes(), 1000 * 4);
}

}  // namespace
}  // namespace clobber::graph
