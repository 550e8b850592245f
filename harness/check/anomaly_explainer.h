// The account a report gives of each anomaly the dependency-graph check
// (dependency_graph.h) found: a cycle (cycle_search.h) or a dirty read
// (version_order.h) turned into an Anomaly (harness/result/result.h) that names
// its transactions, rows, columns and the values they read and wrote, one
// sentence per dependency and one for the whole, with the isolation levels it
// rules out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "harness/check/cycle_search.h"
#include "harness/check/history_index.h"
#include "harness/check/version_order.h"
#include "harness/result/result.h"
#include "harness/workload/workload.h"

namespace clobber::graph {

/// Isolation levels each anomaly type proves were not provided.
std::vector<std::string> rules_out(AnomalyType type);

/// "a", "a and b", "a, b and c".
std::string join_with_and(const std::vector<std::string>& items);

/// Explains anomalies of one history. Each node's records are decoded once,
/// when first needed: only the few nodes of listed anomalies are explained.
class AnomalyExplainer {
 public:
  /// Explains anomalies among `nodes` (the attempts of the workload's logs) and
  /// `rows`; all three must outlive this.
  AnomalyExplainer(const Workload& workload, const Nodes& nodes, const RowIndex& rows);

  /// The anomaly of type `type` that `cycle` of `graph` shows, found in a
  /// strongly connected component of `component` transactions. The account
  /// starts at the cycle's lowest node (history_index.h), for a stable order.
  Anomaly describe(const Graph& graph, AnomalyType type, const Cycle& cycle,
                   size_t component) const;

  /// The anomaly (G1a or G1b) a dirty read shows.
  Anomaly describe(const DirtyRead& d) const;

 private:
  const Records& decoded(uint32_t node) const;
  const AttemptRecord& attempt_of(uint32_t node) const { return decoded(node).attempts[0]; }
  template <typename Pick>
  const ReadRecord* find_read(uint32_t node, uint32_t row, Pick pick) const;
  const WriteRecord* find_write(uint32_t node, uint32_t row, bool last) const;
  uint32_t column_of(uint32_t node, const WriteRecord* write) const;
  std::optional<int64_t> written(uint32_t node, const WriteRecord* write, uint32_t column) const;
  std::optional<int64_t> seen(uint32_t node, const ReadRecord* read, uint32_t column) const;
  std::string row_name(uint32_t row) const;
  std::string assignment(uint32_t row, uint32_t column, std::optional<int64_t> value) const;
  std::string cell(uint32_t row, uint32_t column, std::optional<int64_t> value) const;
  std::string name(uint32_t node) const { return txn_name(attempt_of(node).id); }
  WitnessTransaction witness(uint32_t node, uint32_t row, uint32_t column) const;
  uint32_t edge_column(uint32_t from, uint32_t to, uint32_t info) const;
  std::string explain_edge(uint32_t from, uint32_t to, uint32_t info) const;
  std::string explain_cycle(AnomalyType type, const Anomaly& a,
                            const std::vector<std::string>& names,
                            const std::vector<uint32_t>& kinds, size_t component) const;

  const Workload& workload_;
  const Nodes& nodes_;
  const RowIndex& rows_;
  std::vector<std::vector<uint32_t>> value_position_;      // table, column -> position in a read
  mutable std::unordered_map<uint32_t, Records> decoded_;  // see decoded()
};

}  // namespace clobber::graph
