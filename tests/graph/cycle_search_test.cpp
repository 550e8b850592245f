// The graph and its cycle search (harness/check/cycle_search.h) alone, on
// hand-built graphs: the adjacency arrays, the exact strongly connected
// components Tarjan finds, the shortest cycle of each class and the class a
// component is reported as.
#include "harness/check/cycle_search.h"

#include <gtest/gtest.h>

#include <vector>

namespace clobber::graph {
namespace {

PendingEdge edge(uint32_t from, uint32_t to, EdgeKind kind, uint32_t row = 0, bool gap = false) {
  return PendingEdge{from, to, edge_info(row, kind, gap)};
}

Graph graph_of(uint32_t nodes, const std::vector<PendingEdge>& pending) {
  int64_t bytes = 0;
  return make_graph(nodes, pending, bytes);
}

/// The nodes 0..n-1.
std::vector<uint32_t> all_nodes(uint32_t n) {
  std::vector<uint32_t> all(n);
  for (uint32_t v = 0; v < n; ++v) all[v] = v;
  return all;
}

/// Component of each node, as the check maps them (kNone: in none).
std::vector<uint32_t> component_of(const Components& components, uint32_t nodes) {
  std::vector<uint32_t> of(nodes, kNone);
  for (uint32_t c = 0; c < components.count(); ++c)
    for (const uint32_t v : components.of(c)) of[v] = c;
  return of;
}

std::vector<uint32_t> as_vector(std::span<const uint32_t> s) {
  return {s.begin(), s.end()};
}

TEST(EdgeInfo, PacksRowKindAndGap) {
  const uint32_t info = edge_info(12345, kRw, true);
  EXPECT_EQ(row_of(info), 12345u);
  EXPECT_EQ(kind_of(info), uint32_t{kRw});
  EXPECT_TRUE(gap_of(info));
  EXPECT_FALSE(gap_of(edge_info(kMaxRows - 1, kWw, false)));
  EXPECT_EQ(row_of(edge_info(kMaxRows - 1, kWr, false)), kMaxRows - 1);
  EXPECT_EQ(kind_of(edge_info(kMaxRows - 1, kWr, false)), uint32_t{kWr});
}

TEST(MakeGraph, GroupsEdgesBySourceInPendingOrder) {
  int64_t bytes = 0;
  const Graph g = make_graph(
      4, std::vector<PendingEdge>{edge(2, 0, kRw, 5), edge(0, 1, kWw), edge(2, 3, kWr)}, bytes);
  EXPECT_EQ(g.offsets, (std::vector<uint32_t>{0, 1, 1, 3, 3}));
  ASSERT_EQ(g.out(2).size(), 2u);
  EXPECT_EQ(g.out(2)[0].to, 0u);
  EXPECT_EQ(row_of(g.out(2)[0].info), 5u);
  EXPECT_EQ(g.out(2)[1].to, 3u);
  EXPECT_EQ(g.out(0)[0].to, 1u);
  EXPECT_TRUE(g.out(1).empty());
  EXPECT_TRUE(g.out(3).empty());
  // offsets and fill (5 + 4 entries of 4 bytes) and three 8-byte edges, at least.
  EXPECT_GE(bytes, 5 * 4 + 4 * 4 + 3 * 8);
}

// 0 -> 1 -> 2 -> 0 and 3 <-> 4 are cycles, 2 -> 3 joins them one way only,
// 6 -> 7 is no cycle and 5 has no edge.
std::vector<PendingEdge> two_cycles() {
  return {edge(0, 1, kWw), edge(1, 2, kWr), edge(2, 0, kRw), edge(2, 3, kWw),
          edge(3, 4, kWw), edge(4, 3, kWw), edge(6, 7, kRw)};
}

TEST(Tarjan, FindsExactlyTheComponentsOfTwoOrMoreInReverseTopologicalOrder) {
  const Graph g = graph_of(8, two_cycles());
  Tarjan tarjan(8);
  const Components c = tarjan.run(g, all_nodes(8), [](const Edge&) { return true; });
  ASSERT_EQ(c.count(), 2u);
  // {3, 4} first: {0, 1, 2} has an edge into it. Members come off the stack.
  EXPECT_EQ(as_vector(c.of(0)), (std::vector<uint32_t>{4, 3}));
  EXPECT_EQ(as_vector(c.of(1)), (std::vector<uint32_t>{2, 1, 0}));
  EXPECT_EQ(c.starts, (std::vector<uint32_t>{0, 2, 5}));
  // The scratch is reset: a second run finds the same.
  const Components again = tarjan.run(g, all_nodes(8), [](const Edge&) { return true; });
  EXPECT_EQ(again.members, c.members);
  EXPECT_EQ(again.starts, c.starts);
}

TEST(Tarjan, SearchesOnlyTheEdgesKeptAndTheNodesGiven) {
  const Graph g = graph_of(8, two_cycles());
  Tarjan tarjan(8);
  const Components ww =
      tarjan.run(g, all_nodes(8), [](const Edge& e) { return kind_of(e.info) == kWw; });
  ASSERT_EQ(ww.count(), 1u);
  EXPECT_EQ(as_vector(ww.of(0)), (std::vector<uint32_t>{4, 3}));
  const std::vector<uint32_t> first_three = {0, 1, 2};
  const Components inside = tarjan.run(g, first_three, [](const Edge& e) { return e.to < 3; });
  ASSERT_EQ(inside.count(), 1u);
  EXPECT_EQ(as_vector(inside.of(0)), (std::vector<uint32_t>{2, 1, 0}));
}

TEST(Tarjan, AGraphWithoutCyclesHasNoComponents) {
  const Graph g = graph_of(4, {edge(0, 1, kWw), edge(1, 2, kWr), edge(0, 2, kRw)});
  Tarjan tarjan(4);
  EXPECT_EQ(tarjan.run(g, all_nodes(4), [](const Edge&) { return true; }).count(), 0u);
}

// One component, 0..3, with a cycle of every class: 0 -ww-> 1 -ww-> 0 (G0);
// 0 -ww-> 1 -wr-> 2 -wr-> 0 (no rw); 2 -rw-> 3 -wr-> 2 (one rw); and 3 -rw-> 1.
// Listed by source, so an edge's position in Graph::edges is its index here.
std::vector<PendingEdge> every_class() {
  return {edge(0, 1, kWw), edge(1, 0, kWw), edge(1, 2, kWr), edge(2, 0, kWr),
          edge(2, 3, kRw), edge(3, 2, kWr), edge(3, 1, kRw)};
}

class CycleSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    components_ = tarjan_.run(graph_, all_nodes(4), [](const Edge&) { return true; });
    ASSERT_EQ(components_.count(), 1u);
    component_of_ = component_of(components_, 4);
    search_.enter(0, components_.of(0));
  }
  void TearDown() override { search_.leave(); }

  Graph graph_ = graph_of(4, every_class());
  Tarjan tarjan_{4};
  Components components_;
  std::vector<uint32_t> component_of_;
  CycleSearch search_{graph_, component_of_, 4};
};

TEST_F(CycleSearchTest, FindsTheShortestCycleOfEachClass) {
  const std::vector<uint32_t> zero = {0}, two = {2}, three = {3};
  const Cycle ww = search_.shortest(Search::ww, zero);
  EXPECT_EQ(ww.from, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(ww.edge, (std::vector<uint32_t>{0, 1}));
  // Through 2 without rw: 2 -> 0 -> 1 -> 2, never the one-rw 2 -> 3 -> 2.
  const Cycle no_rw = search_.shortest(Search::no_rw, two);
  EXPECT_EQ(no_rw.from, (std::vector<uint32_t>{2, 0, 1}));
  EXPECT_EQ(no_rw.edge, (std::vector<uint32_t>{3, 0, 2}));
  const Cycle single = search_.shortest(Search::single_rw, three);
  EXPECT_EQ(single.from, (std::vector<uint32_t>{3, 2}));
  EXPECT_EQ(single.edge, (std::vector<uint32_t>{5, 4}));
  EXPECT_EQ(rw_edges(graph_, single), 1u);
  const Cycle any = search_.shortest(Search::any, three);
  EXPECT_EQ(any.size(), 2u);
  EXPECT_EQ(any.from[0], 3u);
}

TEST_F(CycleSearchTest, ASearchFollowsOnlyTheEdgesOfItsClass) {
  const std::vector<uint32_t> zero = {0}, two = {2}, three = {3};
  // Every way back to 2 takes a wr edge, every way back to 3 an rw edge.
  EXPECT_EQ(search_.shortest(Search::ww, two).size(), 0u);
  EXPECT_EQ(search_.shortest(Search::no_rw, three).size(), 0u);
  // Through 0 with exactly one rw edge: 0 -ww-> 1 -wr-> 2 -rw-> 3 -wr-> 2 -wr-> 0,
  // passing 2 twice (before and after the rw edge); 3 -rw-> 1 would be a second.
  const Cycle single = search_.shortest(Search::single_rw, zero);
  EXPECT_EQ(single.from, (std::vector<uint32_t>{0, 1, 2, 3, 2}));
  EXPECT_EQ(single.edge, (std::vector<uint32_t>{0, 2, 4, 5, 3}));
  EXPECT_EQ(rw_edges(graph_, single), 1u);
}

TEST_F(CycleSearchTest, TheShortestOverAllStartsWins) {
  // Through 1 the shortest walk without rw is 1 -> 0 -> 1; through 2 it is 3 long.
  const std::vector<uint32_t> starts = {2, 1};
  const Cycle c = search_.shortest(Search::no_rw, starts);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.from, (std::vector<uint32_t>{1, 0}));
}

TEST_F(CycleSearchTest, TheMostSpecificClassWins) {
  const auto [type, cycle] =
      most_specific_cycle(graph_, tarjan_, search_, component_of_, 0, components_.of(0));
  EXPECT_EQ(type, kG0);
  EXPECT_EQ(cycle.edge, (std::vector<uint32_t>{0, 1}));
}

/// The class most_specific_cycle gives the only component of `pending`, and
/// its cycle's rw edges.
std::pair<AnomalyType, size_t> classify(uint32_t nodes, const std::vector<PendingEdge>& pending) {
  const Graph g = graph_of(nodes, pending);
  Tarjan tarjan(nodes);
  const Components components = tarjan.run(g, all_nodes(nodes), [](const Edge&) { return true; });
  EXPECT_EQ(components.count(), 1u);
  const std::vector<uint32_t> of = component_of(components, nodes);
  CycleSearch search(g, of, nodes);
  search.enter(0, components.of(0));
  const auto [type, cycle] = most_specific_cycle(g, tarjan, search, of, 0, components.of(0));
  search.leave();
  EXPECT_EQ(cycle.size(), 2u);
  return {type, rw_edges(g, cycle)};
}

TEST(MostSpecificCycle, ClassifiesByTheEdgesOfTheCycle) {
  using Result = std::pair<AnomalyType, size_t>;
  EXPECT_EQ(classify(2, {edge(0, 1, kWr), edge(1, 0, kWw)}), (Result{kG1c, 0}));
  EXPECT_EQ(classify(2, {edge(0, 1, kWr), edge(1, 0, kRw)}), (Result{kGSingle, 1}));
  // Node 2 hangs off the component and is never searched.
  EXPECT_EQ(classify(3, {edge(0, 1, kRw), edge(1, 0, kRw), edge(1, 2, kWw)}), (Result{kG2Item, 2}));
}

TEST(AnomalyTypeNames, AreTheReportedOnes) {
  EXPECT_STREQ(kAnomalyTypeNames[kG0], "G0");
  EXPECT_STREQ(kAnomalyTypeNames[kG1a], "G1a");
  EXPECT_STREQ(kAnomalyTypeNames[kG1b], "G1b");
  EXPECT_STREQ(kAnomalyTypeNames[kG1c], "G1c");
  EXPECT_STREQ(kAnomalyTypeNames[kGSingle], "G-single");
  EXPECT_STREQ(kAnomalyTypeNames[kG2Item], "G2-item");
}

}  // namespace
}  // namespace clobber::graph
