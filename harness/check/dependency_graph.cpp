#include "harness/check/dependency_graph.h"

#include <algorithm>
#include <array>
#include <span>
#include <utility>

#include <fmt/format.h>

#include "harness/check/anomaly_explainer.h"
#include "harness/check/cycle_search.h"
#include "harness/check/history_index.h"
#include "harness/check/version_order.h"

namespace clobber {
namespace graph {
namespace {

/// Builds the graph and the anomalies of one history: which attempts
/// committed, each row's records gathered in batches and ordered
/// (version_order.h), the graph's cycles (cycle_search.h) and their accounts
/// (anomaly_explainer.h).
class Checker {
 public:
  Checker(const Workload& workload, const std::vector<WorkerLog>& logs,
          const std::vector<TableSnapshot>& final_state, size_t max_listed, uint32_t batch_records)
      : logs_(logs),
        final_state_(final_state),
        max_listed_(max_listed),
        batch_records_(batch_records),
        nodes_(logs),
        explainer_(workload, nodes_, rows_) {}

  DependencyGraph run() {
    resolve_outcomes();
    Graph graph = build_graph();
    find_cycles(graph);
    for (size_t t = 0; t < kAnomalyTypeCount; ++t)
      if (counts_[t] > 0) {
        result_.counts.push_back(AnomalyCount{kAnomalyTypeNames[t], counts_[t]});
        result_.total += counts_[t];
      }
    add_notes();
    return std::move(result_);
  }

 private:
  enum class Status : uint8_t { committed, indeterminate, failed };

  // ---- Which attempts committed ---------------------------------------------

  /// Committed attempts, and indeterminate ones a committed observation proves.
  void resolve_outcomes() {
    status_.assign(nodes_.size(), Status::failed);
    Records records;
    for (size_t l = 0; l < logs_.size(); ++l)
      for (History::Reader reader = logs_[l].reader(false); reader.next(records);) {
        const uint32_t v = nodes_.base(l) + static_cast<uint32_t>(reader.index());
        const AttemptOutcome outcome = records.attempts[0].outcome;
        if (outcome == AttemptOutcome::committed) {
          status_[v] = Status::committed;
          ++result_.transactions;
        } else if (outcome == AttemptOutcome::indeterminate) {
          status_[v] = Status::indeterminate;
          ++indeterminate_;
        }
      }
    if (indeterminate_ == 0) return;
    std::vector<uint32_t> queue;  // committed attempts whose observations prove others
    for (uint32_t v = 0; v < nodes_.size(); ++v)
      if (status_[v] == Status::committed) queue.push_back(v);
    const auto prove = [&](uint64_t id) {
      const uint32_t v = nodes_.of(id);
      if (v >= kSeed || status_[v] != Status::indeterminate) return;
      status_[v] = Status::committed;
      ++proven_;
      ++result_.transactions;
      queue.push_back(v);
    };
    for (const TableSnapshot& table : final_state_)
      for (const auto& [key, row] : table)
        if (!row.empty()) prove(static_cast<uint64_t>(row.back()));
    for (size_t head = 0; head < queue.size(); ++head) {
      nodes_.decode(queue[head], records);
      for (const ReadRecord& read : records.reads) prove(read.version);
      for (const WriteRecord& write : records.writes) {
        prove(write.version_read);
        if (write.overwrote != kUnknownVersion) prove(write.overwrote);
      }
    }
    peak(bytes_of(queue));
  }

  // ---- The graph ------------------------------------------------------------

  /// Calls `visit(node, records)` for every committed attempt, in node order,
  /// `records` holding it decoded.
  template <typename Visit>
  void for_each_committed(Visit visit) const {
    Records records;
    for (size_t l = 0; l < logs_.size(); ++l) {
      const WorkerLog& log = logs_[l];
      for (History::Reader reader = log.reader(false); reader.next(records);) {
        const uint32_t v = nodes_.base(l) + static_cast<uint32_t>(reader.index());
        if (status_[v] == Status::committed) visit(v, records);
      }
    }
  }

  /// Calls `read(record)` and `write(record)` for an attempt's reads and kept writes.
  template <typename Read, typename Write>
  static void for_each_record(const Records& records, Read read, Write write) {
    for (const ReadRecord& r : records.reads) read(r);
    for (const WriteRecord& w : records.writes)
      if (w.durability != Durability::discarded) write(w);
  }

  Graph build_graph() {
    if (nodes_.size() >= kMaxNodes) {
      result_.notes.push_back(
          fmt::format("the history has {} attempts, more than the {} the dependency graph can "
                      "hold: not checked",
                      nodes_.size(), kMaxNodes));
      return Graph{std::vector<uint32_t>(nodes_.size() + 1, 0), {}};
    }
    // Every committed read and write, grouped by row (counting sort).
    std::vector<uint32_t> read_start, write_start;
    const auto count = [&](uint32_t table, int64_t key, std::vector<uint32_t>& start) {
      const uint32_t row = rows_.find_or_add(table, key);
      if (row + 2 > read_start.size()) {
        read_start.resize(row + 2, 0);
        write_start.resize(row + 2, 0);
      }
      ++start[row + 1];
    };
    for_each_committed([&](uint32_t, const Records& a) {
      for_each_record(
          a, [&](const ReadRecord& r) { count(r.table, r.key, read_start); },
          [&](const WriteRecord& w) { count(w.table, w.key, write_start); });
    });
    const uint32_t rows = rows_.size();
    if (rows >= kMaxRows) {
      result_.notes.push_back(
          fmt::format("the history touches {} rows, more than the {} the dependency graph can "
                      "hold: not checked",
                      rows, kMaxRows));
      return Graph{std::vector<uint32_t>(nodes_.size() + 1, 0), {}};
    }
    read_start.resize(rows + 1, 0);
    write_start.resize(rows + 1, 0);
    for (uint32_t r = 0; r < rows; ++r) {
      read_start[r + 1] += read_start[r];
      write_start[r + 1] += write_start[r];
    }

    // Versions in order, and the dependencies they imply, row by row.
    const std::vector<PendingEdge> pending = order_rows(read_start, write_start);

    // Adjacency arrays.
    int64_t graph_bytes = 0;
    Graph graph = make_graph(nodes_.size(), pending, graph_bytes);
    peak(bytes_of(pending) + graph_bytes);
    result_.edges = static_cast<int64_t>(graph.edges.size());
    return graph;
  }

  /// The dependencies of every row, in row order: the rows' records gathered
  /// a batch of rows at a time (one more pass over the history per batch),
  /// `batch` records at most unless one row has more, and each row's versions
  /// ordered (version_order.h). Row r's records are [start[r], start[r + 1]).
  std::vector<PendingEdge> order_rows(const std::vector<uint32_t>& read_start,
                                      const std::vector<uint32_t>& write_start) {
    const uint32_t rows = rows_.size();
    std::vector<PendingEdge> pending;
    pending.reserve(read_start[rows] + write_start[rows]);  // about one edge per record
    std::vector<RowRead> reads;
    std::vector<RowWrite> writes;
    VersionOrder order(nodes_.size());
    std::vector<DirtyRead> dirty;  // one row's
    const uint64_t records = uint64_t{read_start[rows]} + write_start[rows];
    const uint64_t batch =
        batch_records_ > 0 ? batch_records_
                           : std::max<uint64_t>(kGraphBatchRecords,
                                                (records + kGraphMaxPasses - 1) / kGraphMaxPasses);
    for (uint32_t first = 0, last = 0; first < rows; first = last) {
      last = first + 1;
      while (last < rows && uint64_t{read_start[last + 1]} - read_start[first] +
                                    write_start[last + 1] - write_start[first] <=
                                batch)
        ++last;
      fill_rows(first, last, read_start, write_start, reads, writes);
      for (uint32_t r = first; r < last; ++r) {
        order.order(r,
                    std::span(writes.data() + (write_start[r] - write_start[first]),
                              writes.data() + (write_start[r + 1] - write_start[first])),
                    std::span(reads.data() + (read_start[r] - read_start[first]),
                              reads.data() + (read_start[r + 1] - read_start[first])),
                    final_writer(r), pending, dirty);
        for (const DirtyRead& read : dirty) {
          ++counts_[read.type];
          if (dirty_reads_.size() < max_listed_) dirty_reads_.push_back(read);
        }
        dirty.clear();
      }
      peak(bytes_of(read_start, write_start, reads, writes, pending) + order.bytes());
    }
    unplaced_writes_ = order.unplaced_writes();
    unordered_rows_ = order.unordered_rows();
    return pending;
  }

  /// The node whose version the final row of `row` holds; kSeed or kNone when
  /// the final state has no such row or clobber did not record its writer.
  uint32_t final_writer(uint32_t row) const {
    const uint32_t table = rows_.table(row);
    if (table >= final_state_.size()) return kNone;
    const auto it = final_state_[table].find(rows_.key(row));
    if (it == final_state_[table].end() || it->second.empty()) return kNone;
    return nodes_.of(static_cast<uint64_t>(it->second.back()));
  }

  /// The committed reads and writes of rows [first, last), grouped by row in
  /// node order: row r's at [start[r] - start[first], start[r + 1] - start[first]).
  void fill_rows(uint32_t first, uint32_t last, const std::vector<uint32_t>& read_start,
                 const std::vector<uint32_t>& write_start, std::vector<RowRead>& reads,
                 std::vector<RowWrite>& writes) const {
    reads.resize(read_start[last] - read_start[first]);
    writes.resize(write_start[last] - write_start[first]);
    std::vector<uint32_t> read_fill(read_start.begin() + first, read_start.begin() + last);
    std::vector<uint32_t> write_fill(write_start.begin() + first, write_start.begin() + last);
    const bool all = first == 0 && last == rows_.size();
    // The row of a record in the batch, or kNone.
    const auto batch_row = [&](uint32_t table, int64_t key) {
      const uint32_t row = rows_.find(table, key);
      return row >= first && row < last ? row - first : kNone;
    };
    for_each_committed([&](uint32_t v, const Records& a) {
      // Whether a read's row is written by the same attempt, and which version
      // number each write's read saw: a few records, scanned in place.
      const auto same_row = [](const auto& x, const auto& y) {
        return x.table == y.table && x.key == y.key;
      };
      for_each_record(
          a,
          [&](const ReadRecord& r) {
            const uint32_t row = all ? rows_.find(r.table, r.key) : batch_row(r.table, r.key);
            if (row == kNone) return;
            bool writes_row = false;
            for_each_record(
                a, [](const ReadRecord&) {},
                [&](const WriteRecord& w) { writes_row = writes_row || same_row(r, w); });
            // The writer's fate is looked up here, where readers come in time
            // order and their writers are near in time: cache-friendly.
            uint32_t writer = nodes_.of(r.version);
            const bool failed = writer < kSeed && status_[writer] == Status::failed;
            if (writer < kSeed && status_[writer] == Status::indeterminate) writer = kNone;
            reads[read_fill[row]++ - read_start[first]] =
                RowRead{v, writes_row, writer,
                        static_cast<uint64_t>(std::max<int64_t>(r.version_number, 0)), failed};
          },
          [&](const WriteRecord& w) {
            const uint32_t row = all ? rows_.find(w.table, w.key) : batch_row(w.table, w.key);
            if (row == kNone) return;
            int64_t read_number = -1;
            for_each_record(
                a,
                [&](const ReadRecord& r) {
                  if (same_row(r, w) && r.version == w.version_read) read_number = r.version_number;
                },
                [](const WriteRecord&) {});
            writes[write_fill[row]++ - write_start[first]] =
                RowWrite{v, w.version_number, read_number};
          });
    });
  }

  // ---- Cycles ---------------------------------------------------------------

  void find_cycles(const Graph& graph) {
    for (const DirtyRead& read : dirty_reads_)
      result_.anomalies.push_back(explainer_.describe(read));
    const uint32_t n = nodes_.size();
    Tarjan tarjan(n);
    std::vector<uint32_t> all(n);
    for (uint32_t v = 0; v < n; ++v) all[v] = v;
    const Components components = tarjan.run(graph, all, [](const Edge&) { return true; });
    all = {};
    peak(bytes_of(graph.offsets, graph.edges, components.members, components.starts) +
         tarjan.bytes());
    if (components.count() == 0) return;  // no cycle: nothing more to allocate
    std::vector<uint32_t> component_of(n, kNone);
    for (uint32_t c = 0; c < components.count(); ++c)
      for (const uint32_t v : components.of(c)) component_of[v] = c;
    CycleSearch search(graph, component_of, n);
    peak(bytes_of(graph.offsets, graph.edges, component_of, components.members, components.starts) +
         tarjan.bytes() + static_cast<int64_t>(n) * 4);

    // Tarjan finds components in reverse topological order: list the oldest first.
    for (uint32_t c = static_cast<uint32_t>(components.count()); c-- > 0;) {
      const auto members = components.of(c);
      search.enter(c, members);
      const auto [type, cycle] =
          most_specific_cycle(graph, tarjan, search, component_of, c, members);
      search.leave();
      ++counts_[type];
      if (result_.anomalies.size() < max_listed_)
        result_.anomalies.push_back(explainer_.describe(graph, type, cycle, members.size()));
    }
  }

  void add_notes() {
    if (indeterminate_ > 0)
      result_.notes.push_back(fmt::format(
          "{} of {} indeterminate attempts (connection lost around COMMIT) were proven committed "
          "(a committed read or write saw their version, or the final row holds it) and checked "
          "as such; the others were left out of the dependency graph",
          proven_, indeterminate_));
    if (unplaced_writes_ > 0)
      result_.notes.push_back(fmt::format(
          "{} committed writes could not be placed in their row's version order (the database "
          "returned no version number for them and no later read saw them); no dependency was "
          "assumed through them",
          unplaced_writes_));
    if (unordered_rows_ > 0)
      result_.notes.push_back(fmt::format(
          "{} rows had contradictory version numbers; their ww and rw dependencies were left out",
          unordered_rows_));
  }

  /// Records the bytes of a phase's arrays, plus those that live throughout.
  void peak(int64_t bytes) {
    bytes += nodes_.bytes() + bytes_of(status_) + rows_.bytes();
    result_.peak_bytes = std::max(result_.peak_bytes, bytes);
  }

  const std::vector<WorkerLog>& logs_;
  const std::vector<TableSnapshot>& final_state_;
  const size_t max_listed_;
  const uint32_t batch_records_;
  Nodes nodes_;
  RowIndex rows_;
  AnomalyExplainer explainer_;
  std::vector<Status> status_;
  std::vector<DirtyRead> dirty_reads_;  // the first max_listed_
  std::array<int64_t, kAnomalyTypeCount> counts_ = {};
  int64_t indeterminate_ = 0, proven_ = 0, unplaced_writes_ = 0, unordered_rows_ = 0;
  DependencyGraph result_;
};

}  // namespace
}  // namespace graph

DependencyGraph check_dependency_graph(const Workload& workload, const std::vector<WorkerLog>& logs,
                                       const std::vector<TableSnapshot>& final_state,
                                       size_t max_listed, uint32_t batch_records) {
  return graph::Checker(workload, logs, final_state, max_listed, batch_records).run();
}

std::optional<std::string> raw_sql_note(const Workload& workload) {
  std::vector<std::string> steps;
  for (const TransactionType& type : workload.transactions)
    for (const Step& step : type.steps)
      if (std::holds_alternative<SqlStep>(step.action))
        steps.push_back(fmt::format("'{}' at {}", type.name, step.where.str()));
  if (steps.empty()) return std::nullopt;
  return fmt::format(
      "raw sql steps are excluded from exact checking: their reads and writes are not recorded, "
      "so the lost-update and dependency-graph checks do not see them and the ledger skips the "
      "tables they name: {}",
      graph::join_with_and(steps));
}

}  // namespace clobber
