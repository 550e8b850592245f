// The dependency graph itself and the search for its cycles (README.md, "How
// it decides"): the ww, wr and rw edges between nodes (history_index.h) in
// adjacency arrays, its strongly connected components (iterative Tarjan), and
// in each component the shortest cycle of the most specific anomaly class,
// searched in the order G0 (ww only), G1c (ww and wr), G-single (one rw),
// G2-item (two or more rw). Knows nothing of rows' contents or transactions:
// version_order.h makes the edges, anomaly_explainer.h tells a cycle's story.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "harness/check/history_index.h"

namespace clobber::graph {

/// The kinds of dependency, stored in the low bits of Edge::info.
enum EdgeKind : uint32_t {
  kWw = 0,  // the writer of a version -> the writer of the next one
  kWr = 1,  // the writer of a version -> a reader of it
  kRw = 2   // a reader of a version -> the writer of the next one
};
/// Edge::info's bit for "the version after the one read (or written) is not known".
inline constexpr uint32_t kGapBit = 4;
/// Edge::info's row sits above its kind and gap bits.
inline constexpr uint32_t kRowShift = 3;
/// Rows an edge can name.
inline constexpr uint32_t kMaxRows = 1u << (32 - kRowShift);
/// Nodes the graph can hold (RowRead::reader, version_order.h, has 31 bits).
inline constexpr uint32_t kMaxNodes = 1u << 31;

/// An edge's info: row << kRowShift | gap | kind.
inline uint32_t edge_info(uint32_t row, EdgeKind kind, bool gap) {
  return row << kRowShift | (gap ? kGapBit : 0u) | kind;
}
/// The kind of an edge's info.
inline uint32_t kind_of(uint32_t info) {
  return info & 3u;
}
/// The row of an edge's info.
inline uint32_t row_of(uint32_t info) {
  return info >> kRowShift;
}
/// Whether an edge's info says the next version is not known (a gap).
inline bool gap_of(uint32_t info) {
  return (info & kGapBit) != 0;
}

/// One dependency in the adjacency arrays: the target node and its info.
struct Edge {
  uint32_t to;
  uint32_t info;
};

/// An edge before the adjacency arrays are built.
struct PendingEdge {
  uint32_t from;
  uint32_t to;
  uint32_t info;
};

/// The anomaly types, in the order counts are reported.
enum AnomalyType : uint8_t { kG0, kG1a, kG1b, kG1c, kGSingle, kG2Item, kAnomalyTypeCount };
/// The names reports use for the anomaly types, by AnomalyType.
inline constexpr std::array<const char*, kAnomalyTypeCount> kAnomalyTypeNames = {
    "G0", "G1a", "G1b", "G1c", "G-single", "G2-item"};

/// Adjacency arrays (CSR) of the dependency graph.
struct Graph {
  std::vector<uint32_t> offsets;  // node -> first edge; one more entry at the end
  std::vector<Edge> edges;
  /// The edges out of `node`, in the order they were pending.
  std::span<const Edge> out(uint32_t node) const {
    return {edges.data() + offsets[node], edges.data() + offsets[node + 1]};
  }
};

/// The graph of `nodes` nodes with the `pending` edges. `bytes` is set to the
/// most its arrays and scratch held at once (`pending` not counted).
Graph make_graph(uint32_t nodes, std::span<const PendingEdge> pending, int64_t& bytes);

/// Strongly connected components of two or more nodes, members contiguous.
struct Components {
  std::vector<uint32_t> members;
  std::vector<uint32_t> starts = {0};  // first member of each component, then members.size()
  /// The number of components.
  size_t count() const { return starts.size() - 1; }
  /// The members of component `c`.
  std::span<const uint32_t> of(size_t c) const {
    return {members.data() + starts[c], members.data() + starts[c + 1]};
  }
};

/// Iterative Tarjan over the subgraph of `nodes` whose edges `keep(edge)` admits.
/// Scratch arrays are indexed by node and left reset for the next call.
class Tarjan {
 public:
  /// Scratch for a graph of `nodes` nodes.
  explicit Tarjan(uint32_t nodes) : index_(nodes, kNone), low_(nodes, 0), on_stack_(nodes, 0) {}

  /// The components of two or more of `nodes`, each found after every
  /// component it has an edge into (reverse topological order).
  template <typename Keep>
  Components run(const Graph& graph, std::span<const uint32_t> nodes, Keep keep) {
    Components result;
    uint32_t counter = 0;
    for (const uint32_t root : nodes) {
      if (index_[root] != kNone || graph.offsets[root] == graph.offsets[root + 1]) continue;
      visit(root, counter);
      while (!calls_.empty()) {
        const uint32_t v = calls_.back().node;
        const auto out = graph.out(v);
        if (calls_.back().next < out.size()) {
          const Edge& e = out[calls_.back().next++];
          if (!keep(e)) continue;
          if (index_[e.to] == kNone) {
            visit(e.to, counter);
          } else if (on_stack_[e.to]) {
            low_[v] = std::min(low_[v], index_[e.to]);
          }
          continue;
        }
        if (low_[v] == index_[v]) {
          const size_t first = result.members.size();
          uint32_t w = kNone;
          do {
            w = stack_.back();
            stack_.pop_back();
            on_stack_[w] = 0;
            result.members.push_back(w);
          } while (w != v);
          if (result.members.size() - first >= 2) {
            result.starts.push_back(static_cast<uint32_t>(result.members.size()));
          } else {
            result.members.resize(first);
          }
        }
        calls_.pop_back();
        if (!calls_.empty()) low_[calls_.back().node] = std::min(low_[calls_.back().node], low_[v]);
      }
    }
    for (const uint32_t v : nodes) index_[v] = kNone;
    return result;
  }

  /// The bytes of the scratch arrays.
  int64_t bytes() const { return bytes_of(index_, low_, on_stack_, stack_, calls_); }

 private:
  struct Call {
    uint32_t node;
    size_t next;
  };

  void visit(uint32_t v, uint32_t& counter) {
    index_[v] = low_[v] = counter++;
    stack_.push_back(v);
    on_stack_[v] = 1;
    calls_.push_back(Call{v, 0});
  }

  std::vector<uint32_t> index_;
  std::vector<uint32_t> low_;
  std::vector<uint8_t> on_stack_;
  std::vector<uint32_t> stack_;
  std::vector<Call> calls_;
};

/// Which cycles a breadth-first search looks for.
enum class Search {
  ww,         // G0: ww edges only
  no_rw,      // G1c: ww and wr edges
  single_rw,  // G-single: exactly one rw edge
  any         // G2-item: any cycle
};

/// A cycle: the edges (positions in Graph::edges) with their source nodes, in order.
struct Cycle {
  std::vector<uint32_t> from;
  std::vector<uint32_t> edge;
  /// The number of edges.
  size_t size() const { return edge.size(); }
};

/// Shortest cycles inside one strongly connected component, by breadth-first
/// search over (node, rw edges used) states.
class CycleSearch {
 public:
  /// Searches `graph`, whose nodes `component_of` maps to their component
  /// (kNone: in none); both must outlive this.
  CycleSearch(const Graph& graph, const std::vector<uint32_t>& component_of, uint32_t nodes)
      : graph_(graph), component_of_(component_of), local_(nodes, kNone) {}

  /// Prepares the search of component `c` with the given members.
  void enter(uint32_t c, std::span<const uint32_t> members);
  /// Resets the scratch of the current component.
  void leave();

  /// The shortest cycle of the searched kind through any of `starts` (tried in
  /// order while the budget lasts, the first one always), or an empty cycle.
  Cycle shortest(Search search, std::span<const uint32_t> starts);

 private:
  Cycle from(Search search, uint32_t states, uint32_t start, size_t limit, int64_t& budget);
  Cycle trace(uint32_t state, uint32_t states, uint32_t v, uint32_t last);

  const Graph& graph_;
  const std::vector<uint32_t>& component_of_;
  std::vector<uint32_t> local_;  // node -> index among the component's members
  uint32_t component_ = 0;
  std::span<const uint32_t> members_;
  uint32_t stamp_ = 0;
  std::vector<uint32_t> seen_, depth_, parent_, via_, queue_;
};

/// The class and shortest cycle found of the most specific class in component
/// `c` (whose `members` `search` has entered): G0, else G1c, else G-single,
/// else G2-item. `component_of` maps nodes to components as for `search`.
std::pair<AnomalyType, Cycle> most_specific_cycle(const Graph& graph, Tarjan& tarjan,
                                                  CycleSearch& search,
                                                  const std::vector<uint32_t>& component_of,
                                                  uint32_t c, std::span<const uint32_t> members);

/// The number of rw edges in `cycle`.
size_t rw_edges(const Graph& graph, const Cycle& cycle);

}  // namespace clobber::graph
