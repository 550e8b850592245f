#include "harness/check/cycle_search.h"

namespace clobber::graph {
namespace {

/// Edges searched per component and class before settling for the cycles found.
constexpr int64_t kSearchBudget = int64_t{1} << 22;

bool allowed(Search search, uint32_t kind) {
  switch (search) {
    case Search::ww:
      return kind == kWw;
    case Search::no_rw:
      return kind != kRw;
    default:
      return true;
  }
}

}  // namespace

Graph make_graph(uint32_t nodes, std::span<const PendingEdge> pending, int64_t& bytes) {
  Graph graph;
  graph.offsets.assign(nodes + 1, 0);
  for (const PendingEdge& e : pending) ++graph.offsets[e.from + 1];
  for (uint32_t v = 0; v < nodes; ++v) graph.offsets[v + 1] += graph.offsets[v];
  graph.edges.resize(pending.size());
  std::vector<uint32_t> fill(graph.offsets.begin(), graph.offsets.end() - 1);
  for (const PendingEdge& e : pending) graph.edges[fill[e.from]++] = Edge{e.to, e.info};
  bytes = bytes_of(graph.offsets, graph.edges, fill);
  return graph;
}

void CycleSearch::enter(uint32_t c, std::span<const uint32_t> members) {
  component_ = c;
  members_ = members;
  for (uint32_t i = 0; i < members.size(); ++i) local_[members[i]] = i;
}

void CycleSearch::leave() {
  for (const uint32_t v : members_) local_[v] = kNone;
}

Cycle CycleSearch::shortest(Search search, std::span<const uint32_t> starts) {
  const uint32_t states = search == Search::single_rw ? 2 : 1;
  const size_t size = members_.size() * states;
  if (seen_.size() < size) {
    seen_.resize(size, 0);
    depth_.resize(size);
    parent_.resize(size);
    via_.resize(size);
  }
  Cycle best;
  int64_t budget = kSearchBudget;
  for (const uint32_t start : starts) {
    if (budget <= 0 || best.size() == 2) break;
    Cycle cycle = from(search, states, start, best.size() ? best.size() : kNone, budget);
    if (cycle.size() && (!best.size() || cycle.size() < best.size())) best = std::move(cycle);
  }
  return best;
}

/// Shortest accepted walk from `start` back to it, shorter than `limit`.
Cycle CycleSearch::from(Search search, uint32_t states, uint32_t start, size_t limit,
                        int64_t& budget) {
  if (++stamp_ == 0) {
    std::fill(seen_.begin(), seen_.end(), 0);
    stamp_ = 1;
  }
  queue_.clear();
  const uint32_t root = local_[start] * states;
  seen_[root] = stamp_;
  depth_[root] = 0;
  queue_.push_back(root);
  for (size_t head = 0; head < queue_.size(); ++head) {
    const uint32_t state = queue_[head];
    if (depth_[state] + 1 >= limit) break;
    const uint32_t v = members_[state / states];
    const uint32_t used = state % states;
    const uint32_t first = graph_.offsets[v];
    const auto out = graph_.out(v);
    budget -= static_cast<int64_t>(out.size());
    for (uint32_t i = 0; i < out.size(); ++i) {
      const Edge& e = out[i];
      const uint32_t kind = kind_of(e.info);
      if (component_of_[e.to] != component_ || !allowed(search, kind)) continue;
      uint32_t next_used = used;
      if (search == Search::single_rw && kind == kRw) {
        if (used == 1) continue;
        next_used = 1;
      }
      if (e.to == start) {
        if (search == Search::single_rw && next_used == 0) continue;
        return trace(state, states, v, first + i);
      }
      const uint32_t next = local_[e.to] * states + next_used;
      if (seen_[next] == stamp_) continue;
      seen_[next] = stamp_;
      depth_[next] = depth_[state] + 1;
      parent_[next] = state;
      via_[next] = first + i;
      queue_.push_back(next);
    }
  }
  return {};
}

/// The cycle ending with edge `last` out of state `state` (node `v`).
Cycle CycleSearch::trace(uint32_t state, uint32_t states, uint32_t v, uint32_t last) {
  Cycle cycle;
  cycle.from.push_back(v);
  cycle.edge.push_back(last);
  while (depth_[state] > 0) {
    const uint32_t prev = parent_[state];
    cycle.from.push_back(members_[prev / states]);
    cycle.edge.push_back(via_[state]);
    state = prev;
  }
  std::reverse(cycle.from.begin(), cycle.from.end());
  std::reverse(cycle.edge.begin(), cycle.edge.end());
  return cycle;
}

std::pair<AnomalyType, Cycle> most_specific_cycle(const Graph& graph, Tarjan& tarjan,
                                                  CycleSearch& search,
                                                  const std::vector<uint32_t>& component_of,
                                                  uint32_t c, std::span<const uint32_t> members) {
  const auto inside = [&](const Edge& e) { return component_of[e.to] == c; };
  const Components ww = tarjan.run(
      graph, members, [&](const Edge& e) { return inside(e) && kind_of(e.info) == kWw; });
  if (ww.count() > 0) return {kG0, search.shortest(Search::ww, ww.members)};
  // No ww-only cycle exists here, so every ww+wr cycle has a wr edge.
  const Components no_rw = tarjan.run(
      graph, members, [&](const Edge& e) { return inside(e) && kind_of(e.info) != kRw; });
  if (no_rw.count() > 0) return {kG1c, search.shortest(Search::no_rw, no_rw.members)};
  // Every cycle now has an rw edge; one with exactly one is G-single.
  if (Cycle cycle = search.shortest(Search::single_rw, members); cycle.size())
    return {kGSingle, std::move(cycle)};
  Cycle cycle = search.shortest(Search::any, members);
  const AnomalyType type = rw_edges(graph, cycle) == 1 ? kGSingle : kG2Item;  // 1: missed in budget
  return {type, std::move(cycle)};
}

size_t rw_edges(const Graph& graph, const Cycle& cycle) {
  size_t rw = 0;
  for (const uint32_t e : cycle.edge) rw += kind_of(graph.edges[e].info) == kRw;
  return rw;
}

}  // namespace clobber::graph
