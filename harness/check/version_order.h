// The version order of one row at a time, and the dependencies it implies
// (dependency_graph.h): each row's committed versions ordered by the version
// numbers (the hidden clobber_version column) that writes returned or reads
// saw, then the ww, wr and rw edges between their writers and readers and the
// dirty reads (G1a, G1b). Exact on PostgreSQL and SQLite; on MySQL a write
// that reports no number is placed by a later read of it, or last when the
// final row holds it, and otherwise left out: no dependency is ever assumed.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "harness/check/cycle_search.h"
#include "harness/check/history_index.h"

namespace clobber::graph {

/// The number a version held by the final row but numbered by nothing is placed by: last.
inline constexpr int64_t kLast = std::numeric_limits<int64_t>::max();

/// A committed read of a row: who read, whose version, which version number.
struct RowRead {
  uint32_t reader : 31;
  uint32_t writes_row : 1;  // the reader wrote the row too
  uint32_t writer;  // a committed or failed node, kSeed, or kNone (not recorded, or unproven)
  uint64_t number : 63;
  uint64_t writer_failed : 1;  // the writer aborted or was rejected
};

/// A committed write of a row.
struct RowWrite {
  uint32_t writer;
  int64_t number;       // 0: not known
  int64_t read_number;  // the version number its read of the row saw; -1: no read (atomic)
};

/// A committed read that saw a version which never committed (G1a) or was not
/// its writer's last (G1b).
struct DirtyRead {
  AnomalyType type;
  uint32_t reader;
  uint32_t writer;
  uint32_t row;
  int64_t number;
  int64_t writer_last;  // G1b: the writer's last version number of the row
};

/// Orders the versions of one row after another, keeping its scratch between
/// rows; it tallies the writes it could not place and the rows it could not order.
class VersionOrder {
 public:
  /// A version in a row's order.
  struct Version {
    int64_t number;   // kLast: placed last by the final row
    uint32_t writer;  // kSeed for version 0
    uint32_t group;   // the writer's group of writes of the row; kNone for the seed
  };

  /// Scratch for a history of `nodes` nodes.
  explicit VersionOrder(uint32_t nodes) : nodes_(nodes) {}

  /// Orders the versions of `row` from its committed `writes` (in node order,
  /// each transaction's adjacent) and `reads`; `final_writer` is the node whose
  /// version the final row holds (kSeed or kNone when none of `writes`). Appends
  /// the row's ww, wr and rw edges to `edges` and its dirty reads to `dirty`.
  /// The ww edge into a write that overwrote a version it did not read, and the
  /// rw edge from a read whose reader wrote the row itself, are lost updates
  /// (find_lost_updates, checks.h) and left out.
  void order(uint32_t row, std::span<const RowWrite> writes, std::span<const RowRead> reads,
             uint32_t final_writer, std::vector<PendingEdge>& edges, std::vector<DirtyRead>& dirty);

  /// The last ordered row's versions by number, the seed's first.
  const std::vector<Version>& versions() const { return versions_; }
  /// Whether the last row's version numbers were consistent, so that its ww
  /// and rw edges were made.
  bool ordered() const { return ordered_; }
  /// Transactions whose writes of a row could not be placed, over all rows so far.
  int64_t unplaced_writes() const { return unplaced_writes_; }
  /// Rows so far whose version numbers contradicted one another.
  int64_t unordered_rows() const { return unordered_rows_; }
  /// The bytes of the scratch arrays.
  int64_t bytes() const { return bytes_of(group_of_, groups_, versions_); }

 private:
  /// One transaction's writes of the row being ordered.
  struct Group {
    uint32_t writer;
    int64_t read_number = -1;  // what its first write read
    uint32_t writes = 0;
    int64_t last = 0;          // number of its last write, 0: not known
    int64_t placed = 0;        // number its installed version is ordered by, 0: not placed
    bool conflicting = false;  // reads attribute different numbers to it
    bool ordered = false;      // its first version has been met in the order
  };

  void place_by_reads(std::span<const RowRead> reads);

  const uint32_t nodes_;
  std::vector<uint32_t> group_of_;  // node -> its group in the row being placed by reads
  std::vector<Group> groups_;
  std::vector<Version> versions_;
  bool ordered_ = true;
  int64_t unplaced_writes_ = 0, unordered_rows_ = 0;
};

}  // namespace clobber::graph
