// The numbering the dependency-graph check (dependency_graph.h) works in: every
// attempt of the history is a node 0..n-1, every (table, key) it touched a row
// 0..m-1, so that the graph, the version order and the explanations hold flat
// arrays of 32-bit ids instead of transaction ids and keys.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "harness/history/history.h"

namespace clobber::graph {

/// No node, row, group or component.
inline constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
/// The "writer" of every row's version 0, the seed.
inline constexpr uint32_t kSeed = kNone - 1;

/// Sum of the bytes the vectors hold (their capacity), for the check's peak.
template <typename... V>
int64_t bytes_of(const V&... v) {
  return static_cast<int64_t>(((v.capacity() * sizeof(typename V::value_type)) + ... + 0));
}

/// Attempts numbered 0..n-1 across the worker logs, in log order.
class Nodes {
 public:
  /// Numbers the attempts of `logs`, which must outlive this.
  explicit Nodes(const std::vector<WorkerLog>& logs);

  /// The number of attempts.
  uint32_t size() const { return base_.back(); }
  /// The first node of log `l`.
  uint32_t base(size_t l) const { return base_[l]; }

  /// The node of a transaction id: kSeed for 0, kNone when clobber did not record it.
  uint32_t of(uint64_t id) const {
    if (id == 0) return kSeed;
    const int worker = txn_worker(id);
    if (worker < 0 || static_cast<size_t>(worker) >= log_of_worker_.size()) return kNone;
    const uint32_t log = log_of_worker_[static_cast<size_t>(worker)];
    if (log == kNone || txn_index(id) >= logs_[log].attempts()) return kNone;
    return base_[log] + static_cast<uint32_t>(txn_index(id));
  }

  /// The log a node's attempt is in.
  const WorkerLog& log(uint32_t node) const { return logs_[log_index(node)]; }
  /// Replaces `out` with a node's attempt and its records.
  void decode(uint32_t node, Records& out) const;
  /// The bytes of the numbering's own arrays.
  int64_t bytes() const { return bytes_of(base_, log_of_worker_); }

 private:
  size_t log_index(uint32_t node) const {
    return static_cast<size_t>(std::upper_bound(base_.begin(), base_.end(), node) - base_.begin()) -
           1;
  }

  const std::vector<WorkerLog>& logs_;
  std::vector<uint32_t> base_;           // first node of each log, then the total
  std::vector<uint32_t> log_of_worker_;  // worker number -> log index
};

/// Row ids for (table, key), numbered in the order first added: an
/// open-addressing hash table in flat arrays.
class RowIndex {
 public:
  /// An empty index.
  RowIndex();

  /// The row of (table, key), added as the next row if it is new.
  uint32_t find_or_add(uint32_t table, int64_t key) {
    for (size_t i = hash(table, key) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      Slot& slot = slots_[i];
      if (slot.row == kNone) {
        slot = Slot{key, table, static_cast<uint32_t>(tables_.size())};
        tables_.push_back(table);
        keys_.push_back(key);
        if (tables_.size() * 2 > slots_.size()) grow();
        return static_cast<uint32_t>(tables_.size()) - 1;
      }
      if (slot.key == key && slot.table == table) return slot.row;
    }
  }

  /// The row of (table, key), which must have been added.
  uint32_t find(uint32_t table, int64_t key) const {
    for (size_t i = hash(table, key) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& slot = slots_[i];
      if (slot.row == kNone || (slot.key == key && slot.table == table)) return slot.row;
    }
  }

  /// The number of rows.
  uint32_t size() const { return static_cast<uint32_t>(tables_.size()); }
  /// The table (its index in Workload::tables) of a row.
  uint32_t table(uint32_t row) const { return tables_[row]; }
  /// The key of a row.
  int64_t key(uint32_t row) const { return keys_[row]; }
  /// The bytes of the index's own arrays.
  int64_t bytes() const { return bytes_of(slots_, tables_, keys_); }

 private:
  struct Slot {
    int64_t key;
    uint32_t table;
    uint32_t row;
  };

  static size_t hash(uint32_t table, int64_t key) {
    uint64_t h = static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull + table * 0xC2B2AE3D27D4EB4Full;
    return static_cast<size_t>(h ^ (h >> 29));
  }

  void grow();

  std::vector<Slot> slots_;
  std::vector<uint32_t> tables_;
  std::vector<int64_t> keys_;
};

}  // namespace clobber::graph
