#include "harness/check/dependency_graph.h"

#include <algorithm>
#include <array>
#include <limits>
#include <span>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

namespace clobber {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kSeed = kNone - 1;  // the "writer" of every row's version 0
constexpr int64_t kLast = std::numeric_limits<int64_t>::max();  // placed last: the final row

/// Edge kinds, stored in the low bits of Edge::info.
enum Kind : uint32_t { kWw = 0, kWr = 1, kRw = 2 };
constexpr uint32_t kGapBit = 4;  // the version after the one read (or written) is not known
constexpr uint32_t kRowShift = 3;
constexpr uint32_t kMaxRows = 1u << (32 - kRowShift);
constexpr uint32_t kMaxNodes = 1u << 31;  // RowRead::reader has 31 bits

/// Edges searched per component and class before settling for the cycles found.
constexpr int64_t kSearchBudget = int64_t{1} << 22;

/// The anomaly types, in the order counts are reported.
enum Type : uint8_t { kG0, kG1a, kG1b, kG1c, kGSingle, kG2Item, kTypeCount };
constexpr std::array<const char*, kTypeCount> kTypeNames = {"G0",  "G1a",      "G1b",
                                                            "G1c", "G-single", "G2-item"};

/// One dependency in the adjacency arrays: the target node and row << 3 | gap | kind.
struct Edge {
  uint32_t to;
  uint32_t info;
};

uint32_t kind_of(uint32_t info) {
  return info & 3u;
}
uint32_t row_of(uint32_t info) {
  return info >> kRowShift;
}
bool gap_of(uint32_t info) {
  return (info & kGapBit) != 0;
}

/// An edge before the adjacency arrays are built.
struct PendingEdge {
  uint32_t from;
  uint32_t to;
  uint32_t info;
};

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

/// A version in a row's order.
struct Version {
  int64_t number;
  uint32_t writer;
  uint32_t group;  // kNone for the seed
};

/// A committed read that saw a version which never committed (G1a) or was not
/// its writer's last (G1b).
struct DirtyRead {
  Type type;
  uint32_t reader;
  uint32_t writer;
  uint32_t row;
  int64_t number;
  int64_t writer_last;  // G1b: the writer's last version number of the row
};

/// Sum of the bytes held by vectors.
template <typename... V>
int64_t bytes_of(const V&... v) {
  return static_cast<int64_t>(((v.capacity() * sizeof(typename V::value_type)) + ... + 0));
}

/// Attempts numbered 0..n-1 across the worker logs, in log order.
class Nodes {
 public:
  explicit Nodes(const std::vector<WorkerLog>& logs) : logs_(logs) {
    base_.reserve(logs.size() + 1);
    uint32_t total = 0;
    for (size_t l = 0; l < logs.size(); ++l) {
      base_.push_back(total);
      total += static_cast<uint32_t>(logs[l].attempts());
      const auto worker = static_cast<size_t>(std::max(logs[l].worker, 0));
      if (worker >= log_of_worker_.size()) log_of_worker_.resize(worker + 1, kNone);
      log_of_worker_[worker] = static_cast<uint32_t>(l);
    }
    base_.push_back(total);
  }

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
  void decode(uint32_t node, Records& out) const {
    const size_t l = log_index(node);
    logs_[l].decode(node - base_[l], out);
  }
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

/// Row ids for (table, key): an open-addressing hash table in flat arrays.
class RowIndex {
 public:
  RowIndex() { slots_.assign(1024, Slot{0, 0, kNone}); }

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

  uint32_t size() const { return static_cast<uint32_t>(tables_.size()); }
  uint32_t table(uint32_t row) const { return tables_[row]; }
  int64_t key(uint32_t row) const { return keys_[row]; }
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

  void grow() {
    std::vector<Slot> old(slots_.size() * 2, Slot{0, 0, kNone});
    old.swap(slots_);
    for (const Slot& slot : old) {
      if (slot.row == kNone) continue;
      size_t i = hash(slot.table, slot.key) & (slots_.size() - 1);
      while (slots_[i].row != kNone) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::vector<uint32_t> tables_;
  std::vector<int64_t> keys_;
};

/// Adjacency arrays (CSR) of the dependency graph.
struct Graph {
  std::vector<uint32_t> offsets;  // node -> first edge; one more entry at the end
  std::vector<Edge> edges;
  std::span<const Edge> out(uint32_t node) const {
    return {edges.data() + offsets[node], edges.data() + offsets[node + 1]};
  }
};

/// Strongly connected components of two or more nodes, members contiguous.
struct Components {
  std::vector<uint32_t> members;
  std::vector<uint32_t> starts = {0};  // first member of each component, then members.size()
  size_t count() const { return starts.size() - 1; }
  std::span<const uint32_t> of(size_t c) const {
    return {members.data() + starts[c], members.data() + starts[c + 1]};
  }
};

/// Iterative Tarjan over the subgraph of `nodes` whose edges `keep(edge)` admits.
/// Scratch arrays are indexed by node and left reset for the next call.
class Tarjan {
 public:
  explicit Tarjan(uint32_t nodes) : index_(nodes, kNone), low_(nodes, 0), on_stack_(nodes, 0) {}

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
  size_t size() const { return edge.size(); }
};

/// Shortest cycles inside one strongly connected component, by breadth-first
/// search over (node, rw edges used) states.
class CycleSearch {
 public:
  CycleSearch(const Graph& graph, const std::vector<uint32_t>& component_of, uint32_t nodes)
      : graph_(graph), component_of_(component_of), local_(nodes, kNone) {}

  /// Prepares the search of component `c` with the given members.
  void enter(uint32_t c, std::span<const uint32_t> members) {
    component_ = c;
    members_ = members;
    for (uint32_t i = 0; i < members.size(); ++i) local_[members[i]] = i;
  }
  /// Resets the scratch of the current component.
  void leave() {
    for (const uint32_t v : members_) local_[v] = kNone;
  }

  /// The shortest cycle of the searched kind through any of `starts` (tried in
  /// order while the budget lasts, the first one always), or an empty cycle.
  Cycle shortest(Search search, std::span<const uint32_t> starts) {
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

 private:
  bool allowed(Search search, uint32_t kind) const {
    switch (search) {
      case Search::ww:
        return kind == kWw;
      case Search::no_rw:
        return kind != kRw;
      default:
        return true;
    }
  }

  /// Shortest accepted walk from `start` back to it, shorter than `limit`.
  Cycle from(Search search, uint32_t states, uint32_t start, size_t limit, int64_t& budget) {
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
  Cycle trace(uint32_t state, uint32_t states, uint32_t v, uint32_t last) {
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

  const Graph& graph_;
  const std::vector<uint32_t>& component_of_;
  std::vector<uint32_t> local_;  // node -> index among the component's members
  uint32_t component_ = 0;
  std::span<const uint32_t> members_;
  uint32_t stamp_ = 0;
  std::vector<uint32_t> seen_, depth_, parent_, via_, queue_;
};

/// Isolation levels each anomaly type proves were not provided.
std::vector<std::string> rules_out(Type type) {
  switch (type) {
    case kG0:
      return {"read_uncommitted", "read_committed", "repeatable_read", "serializable"};
    case kG1a:
    case kG1b:
    case kG1c:
      return {"read_committed", "repeatable_read", "serializable"};
    case kGSingle:
      return {"repeatable_read", "serializable"};
    default:
      return {"serializable"};
  }
}

/// "a", "a and b", "a, b and c".
std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) s += i + 1 == items.size() ? " and " : ", ";
    s += items[i];
  }
  return s;
}

/// Builds the graph and the anomalies of one history.
class Checker {
 public:
  Checker(const Workload& workload, const std::vector<WorkerLog>& logs,
          const std::vector<TableSnapshot>& final_state, size_t max_listed, uint32_t batch_records)
      : workload_(workload),
        logs_(logs),
        final_state_(final_state),
        max_listed_(max_listed),
        batch_records_(batch_records),
        nodes_(logs) {
    for (const TableDef& table : workload.tables) {
      std::vector<uint32_t> position(table.columns.size(), kNone);
      const auto integers = table.integer_columns();
      for (size_t i = 0; i < integers.size(); ++i) position[integers[i]] = static_cast<uint32_t>(i);
      value_position_.push_back(std::move(position));
    }
  }

  DependencyGraph run() {
    resolve_outcomes();
    Graph graph = build_graph();
    find_cycles(graph);
    for (size_t t = 0; t < kTypeCount; ++t)
      if (counts_[t] > 0) {
        result_.counts.push_back(AnomalyCount{kTypeNames[t], counts_[t]});
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

    // Versions in order, and the dependencies they imply, row by row. The
    // rows' records are gathered a batch of rows at a time (one more pass over
    // the history per batch), `batch` at most unless one row has more.
    std::vector<PendingEdge> pending;
    pending.reserve(read_start[rows] + write_start[rows]);  // about one edge per record
    std::vector<RowRead> reads;
    std::vector<RowWrite> writes;
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
      for (uint32_t r = first; r < last; ++r)
        order_row(r,
                  std::span(writes.data() + (write_start[r] - write_start[first]),
                            writes.data() + (write_start[r + 1] - write_start[first])),
                  std::span(reads.data() + (read_start[r] - read_start[first]),
                            reads.data() + (read_start[r + 1] - read_start[first])),
                  pending);
      peak(
          bytes_of(read_start, write_start, reads, writes, pending, group_of_, groups_, versions_));
    }
    reads = {};
    writes = {};
    group_of_ = {};

    // Adjacency arrays.
    Graph graph;
    graph.offsets.assign(nodes_.size() + 1, 0);
    for (const PendingEdge& e : pending) ++graph.offsets[e.from + 1];
    for (uint32_t v = 0; v < nodes_.size(); ++v) graph.offsets[v + 1] += graph.offsets[v];
    graph.edges.resize(pending.size());
    {
      std::vector<uint32_t> fill(graph.offsets.begin(), graph.offsets.end() - 1);
      for (const PendingEdge& e : pending) graph.edges[fill[e.from]++] = Edge{e.to, e.info};
      peak(bytes_of(pending, graph.offsets, graph.edges, fill));
    }
    result_.edges = static_cast<int64_t>(graph.edges.size());
    return graph;
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

  void add_edge(std::vector<PendingEdge>& pending, uint32_t from, uint32_t to, uint32_t row,
                Kind kind, bool gap) {
    pending.push_back(PendingEdge{from, to, row << kRowShift | (gap ? kGapBit : 0u) | kind});
  }

  /// One row: its version order from the version numbers, then its ww, wr and
  /// rw edges and dirty reads.
  void order_row(uint32_t row, std::span<const RowWrite> writes, std::span<const RowRead> reads,
                 std::vector<PendingEdge>& pending) {
    groups_.clear();
    versions_.clear();
    versions_.push_back(Version{0, kSeed, kNone});
    // A transaction's writes of a row are adjacent: they come from one attempt.
    for (const RowWrite& w : writes) {
      if (groups_.empty() || groups_.back().writer != w.writer)
        groups_.push_back(Group{w.writer, w.read_number});
      Group& g = groups_.back();
      ++g.writes;
      g.last = w.number;
      if (w.number > 0)
        versions_.push_back(Version{w.number, w.writer, static_cast<uint32_t>(groups_.size() - 1)});
    }
    bool unnumbered = false;
    for (Group& g : groups_) {
      g.placed = g.last;
      unnumbered = unnumbered || g.last == 0;
    }
    if (unnumbered) place_by_reads(reads);
    // The final row holds the last version.
    uint32_t final_group = kNone;
    const uint32_t table = rows_.table(row);
    if (table < final_state_.size()) {
      const auto it = final_state_[table].find(rows_.key(row));
      if (it != final_state_[table].end() && !it->second.empty()) {
        const uint32_t writer = nodes_.of(static_cast<uint64_t>(it->second.back()));
        for (uint32_t g = 0; g < groups_.size(); ++g)
          if (groups_[g].writer == writer) final_group = g;
      }
    }
    if (final_group != kNone && groups_[final_group].placed == 0 &&
        !groups_[final_group].conflicting) {
      groups_[final_group].placed = kLast;
      versions_.push_back(Version{kLast, groups_[final_group].writer, final_group});
    }
    std::sort(versions_.begin(), versions_.end(),
              [](const Version& a, const Version& b) { return a.number < b.number; });
    bool ordered = true;
    for (size_t i = 1; i < versions_.size(); ++i)
      ordered = ordered && versions_[i].number != versions_[i - 1].number;
    if (final_group != kNone)
      ordered = ordered && versions_.back().group == final_group &&
                groups_[final_group].placed == versions_.back().number;
    if (!ordered) ++unordered_rows_;
    for (const Group& g : groups_)
      if (g.placed == 0) ++unplaced_writes_;

    if (ordered) {
      for (uint32_t i = 1; i < versions_.size(); ++i) {
        const uint32_t a = versions_[i - 1].writer, b = versions_[i].writer;
        Group& g = groups_[versions_[i].group];
        const bool first = !g.ordered;
        g.ordered = true;
        if (a == kSeed || a == b) continue;
        // A first write whose read saw an older version than the one it
        // replaced overwrote that version unseen: a lost update, reported by
        // find_lost_updates, so its ww edge is not searched for cycles.
        if (first && g.read_number >= 0 && versions_[i - 1].number > g.read_number) continue;
        add_edge(pending, a, b, row, kWw, versions_[i].number != versions_[i - 1].number + 1);
      }
    }
    for (const RowRead& r : reads) {
      if (r.writer == kNone || r.writer == r.reader) continue;
      const auto number = static_cast<int64_t>(r.number);
      size_t position = 0;  // the seed's version
      if (r.writer != kSeed) {
        if (r.writer_failed) {
          dirty_read(DirtyRead{kG1a, r.reader, r.writer, row, number, 0});
          continue;
        }
        const auto it = std::lower_bound(versions_.begin(), versions_.end(), number,
                                         [](const Version& v, int64_t n) { return v.number < n; });
        const bool placed = it != versions_.end() && it->number == number && it->writer == r.writer;
        position = placed ? static_cast<size_t>(it - versions_.begin()) : kNone;
        // A reader that wrote the next version itself is already ordered after
        // the writer by that ww edge: the wr edge would only repeat it.
        if (!placed || !ordered || !r.writes_row || position + 1 >= versions_.size() ||
            versions_[position + 1].writer != r.reader)
          add_edge(pending, r.writer, r.reader, row, kWr, false);
        if (!placed) continue;
        const Group& g = groups_[it->group];
        if (g.placed != number) {
          if (g.last > 0 && number < g.last)
            dirty_read(DirtyRead{kG1b, r.reader, r.writer, row, number, g.last});
          continue;
        }
      }
      // A reader that wrote the row itself overwrote what it did not see (or
      // read its own write): a lost update, reported by find_lost_updates,
      // so its rw edge is not searched for cycles.
      if (!ordered || r.writes_row || position + 1 >= versions_.size()) continue;
      const Version& next = versions_[position + 1];
      add_edge(pending, r.reader, next.writer, row, kRw,
               next.number != versions_[position].number + 1);
    }
  }

  /// Places the writes the database did not number (MySQL outside atomic
  /// mode) by the version number a read of them saw, when they are their
  /// writer's only write of the row.
  void place_by_reads(std::span<const RowRead> reads) {
    if (group_of_.empty()) group_of_.assign(nodes_.size(), kNone);
    for (uint32_t g = 0; g < groups_.size(); ++g) group_of_[groups_[g].writer] = g;
    for (const RowRead& r : reads) {
      const auto number = static_cast<int64_t>(r.number);
      if (r.writer >= kSeed || number == 0 || group_of_[r.writer] == kNone) continue;
      Group& g = groups_[group_of_[r.writer]];
      if (g.last > 0 || g.writes != 1) continue;
      g.conflicting = g.conflicting || (g.placed != 0 && g.placed != number);
      g.placed = number;
    }
    for (uint32_t g = 0; g < groups_.size(); ++g) {
      Group& group = groups_[g];
      group_of_[group.writer] = kNone;
      if (group.last > 0) continue;
      if (group.conflicting) {
        group.placed = 0;
      } else if (group.placed > 0) {
        versions_.push_back(Version{group.placed, group.writer, g});
      }
    }
  }

  void dirty_read(const DirtyRead& read) {
    ++counts_[read.type];
    if (dirty_reads_.size() < max_listed_) dirty_reads_.push_back(read);
  }

  // ---- Cycles ---------------------------------------------------------------

  void find_cycles(const Graph& graph) {
    for (const DirtyRead& read : dirty_reads_) result_.anomalies.push_back(describe(read));
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
        result_.anomalies.push_back(describe(graph, type, cycle, members.size()));
    }
  }

  /// The class and shortest cycle found of the most specific class in component `c`.
  static std::pair<Type, Cycle> most_specific_cycle(const Graph& graph, Tarjan& tarjan,
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
    const Type type = rw_edges(graph, cycle) == 1 ? kGSingle : kG2Item;  // 1: missed in budget
    return {type, std::move(cycle)};
  }

  static size_t rw_edges(const Graph& graph, const Cycle& cycle) {
    size_t rw = 0;
    for (const uint32_t e : cycle.edge) rw += kind_of(graph.edges[e].info) == kRw;
    return rw;
  }

  // ---- Explanations ---------------------------------------------------------

  /// A node's attempt and its records, decoded once: only the few nodes of
  /// listed anomalies are explained.
  const Records& decoded(uint32_t node) const {
    auto [it, added] = decoded_.try_emplace(node);
    if (added) nodes_.decode(node, it->second);
    return it->second;
  }
  const AttemptRecord& attempt_of(uint32_t node) const { return decoded(node).attempts[0]; }

  /// A committed attempt's record of `row`: its read that `pick` accepts.
  template <typename Pick>
  const ReadRecord* find_read(uint32_t node, uint32_t row, Pick pick) const {
    for (const ReadRecord& read : decoded(node).reads)
      if (read.table == rows_.table(row) && read.key == rows_.key(row) && pick(read)) return &read;
    return nullptr;
  }

  /// A node's first (or last) write of `row`, or null.
  const WriteRecord* find_write(uint32_t node, uint32_t row, bool last) const {
    const WriteRecord* found = nullptr;
    for (const WriteRecord& write : decoded(node).writes) {
      if (write.table != rows_.table(row) || write.key != rows_.key(row)) continue;
      found = &write;
      if (!last) break;
    }
    return found;
  }

  /// The first column a write changed, or kNone.
  uint32_t column_of(uint32_t node, const WriteRecord* write) const {
    if (!write || write->change_count == 0) return kNone;
    return decoded(node).changes[write->first_change].column;
  }

  /// The value a write set `column` to, if it did.
  std::optional<int64_t> written(uint32_t node, const WriteRecord* write, uint32_t column) const {
    if (!write || column == kNone) return std::nullopt;
    const Records& records = decoded(node);
    for (uint32_t c = write->first_change; c < write->first_change + write->change_count; ++c)
      if (records.changes[c].column == column) return records.changes[c].new_value;
    return std::nullopt;
  }

  /// The value a read saw of `column`, if it fetched it.
  std::optional<int64_t> seen(uint32_t node, const ReadRecord* read, uint32_t column) const {
    if (!read || column == kNone) return std::nullopt;
    const uint32_t position = value_position_[read->table][column];
    if (position == kNone || position >= read->value_count) return std::nullopt;
    return decoded(node).values[read->first_value + position];
  }

  std::string row_name(uint32_t row) const {
    return fmt::format("{}[{}]", workload_.tables[rows_.table(row)].name, rows_.key(row));
  }

  /// "on_call = 1", or "" when the value is not known.
  std::string assignment(uint32_t row, uint32_t column, std::optional<int64_t> value) const {
    if (column == kNone || !value) return "";
    return fmt::format("{} = {}", workload_.tables[rows_.table(row)].columns[column].name, *value);
  }

  /// "doctors[2].on_call = 1", or "doctors[2]" when the value is not known.
  std::string cell(uint32_t row, uint32_t column, std::optional<int64_t> value) const {
    const std::string value_text = assignment(row, column, value);
    return value_text.empty() ? row_name(row) : row_name(row) + "." + value_text;
  }

  std::string name(uint32_t node) const { return txn_name(attempt_of(node).id); }

  WitnessTransaction witness(uint32_t node, uint32_t row, uint32_t column) const {
    const AttemptRecord& attempt = attempt_of(node);
    WitnessTransaction t;
    t.id = attempt.id;
    t.worker = nodes_.log(node).worker;
    t.attempt = attempt.attempt;
    if (attempt.type < workload_.transactions.size())
      t.type = workload_.transactions[attempt.type].name;
    t.start_ms = static_cast<double>(attempt.start_ns) / 1e6;
    t.commit_ms = static_cast<double>(attempt.end_ns) / 1e6;
    t.read_value = seen(node, find_read(node, row, [](const ReadRecord&) { return true; }), column)
                       .value_or(0);
    t.written_value = written(node, find_write(node, row, true), column).value_or(0);
    return t;
  }

  /// The column an edge is about: the one its writer changed.
  uint32_t edge_column(uint32_t from, uint32_t to, uint32_t info) const {
    const uint32_t row = row_of(info);
    if (kind_of(info) == kWr) return column_of(from, find_write(from, row, true));
    return column_of(to, find_write(to, row, false));
  }

  /// One sentence per edge.
  std::string explain_edge(uint32_t from, uint32_t to, uint32_t info) const {
    const uint32_t row = row_of(info);
    const uint32_t column = edge_column(from, to, info);
    const std::string next = gap_of(info) ? "a later version" : "the next version";
    switch (kind_of(info)) {
      case kWw: {
        const std::string value =
            assignment(row, column, written(to, find_write(to, row, false), column));
        return fmt::format("{} wrote {}; {} wrote {} of {}{} (ww): it overwrote that write",
                           name(from),
                           cell(row, column, written(from, find_write(from, row, true), column)),
                           name(to), next, row_name(row), value.empty() ? "" : ", " + value);
      }
      case kWr: {
        const uint64_t from_id = attempt_of(from).id;
        const ReadRecord* r =
            find_read(to, row, [&](const ReadRecord& read) { return read.version == from_id; });
        return fmt::format("{} wrote {} and {} read it (wr): it saw that write", name(from),
                           cell(row, column, seen(to, r, column)), name(to));
      }
      default: {
        const uint64_t to_id = attempt_of(to).id;
        const ReadRecord* r =
            find_read(from, row, [&](const ReadRecord& read) { return read.version != to_id; });
        return fmt::format("{} read {} written by {}; {} wrote {} of {} (rw): {} did not see it",
                           name(from), cell(row, column, seen(from, r, column)),
                           txn_name(r ? r->version : 0), name(to), next, row_name(row), name(from));
      }
    }
  }

  Anomaly describe(const Graph& graph, Type type, const Cycle& cycle, size_t component) const {
    // Start the cycle at its oldest transaction, for a stable reading order.
    const size_t first = static_cast<size_t>(
        std::min_element(cycle.from.begin(), cycle.from.end()) - cycle.from.begin());
    Anomaly a;
    a.type = kTypeNames[type];
    std::vector<std::string> names;
    std::vector<uint32_t> kinds;
    for (size_t k = 0; k < cycle.size(); ++k) {
      const size_t i = (first + k) % cycle.size();
      const uint32_t from = cycle.from[i];
      const Edge& e = graph.edges[cycle.edge[i]];
      const uint32_t row = row_of(e.info);
      const uint32_t column = edge_column(from, e.to, e.info);
      const std::string& table = workload_.tables[rows_.table(row)].name;
      if (k == 0) {
        a.table = table;
        a.key = rows_.key(row);
        if (column != kNone) a.column = workload_.tables[rows_.table(row)].columns[column].name;
      }
      if (std::none_of(a.rows.begin(), a.rows.end(), [&](const AnomalyRow& r) {
            return r.table == table && r.key == rows_.key(row);
          }))
        a.rows.push_back(AnomalyRow{table, rows_.key(row)});
      a.transactions.push_back(witness(from, row, column));
      static constexpr std::array<const char*, 3> kKinds = {"ww", "wr", "rw"};
      a.edges.push_back(AnomalyEdge{attempt_of(from).id, attempt_of(e.to).id,
                                    kKinds[kind_of(e.info)], table, rows_.key(row),
                                    explain_edge(from, e.to, e.info)});
      names.push_back(name(from));
      kinds.push_back(kind_of(e.info));
    }
    a.rules_out = rules_out(type);
    a.explanation = explain_cycle(type, a, names, kinds, component);
    return a;
  }

  std::string explain_cycle(Type type, const Anomaly& a, const std::vector<std::string>& names,
                            const std::vector<uint32_t>& kinds, size_t component) const {
    const size_t rw = static_cast<size_t>(std::count(kinds.begin(), kinds.end(), kRw));
    const auto row = [&](size_t e) {
      return fmt::format("{}[{}]", a.edges[e].table, a.edges[e].key);
    };
    std::string lead;
    switch (type) {
      case kG0:
        lead = fmt::format("Dirty write (G0): {} overwrote one another's writes in a cycle",
                           join(names));
        break;
      case kG1c:
        lead = fmt::format(
            "Circular information flow (G1c): {} each saw or overwrote a write of the next, in a "
            "cycle",
            join(names));
        break;
      case kGSingle:
        if (names.size() == 2) {
          const size_t r = kinds[0] == kRw ? 0 : 1;  // reader -rw-> writer; the other edge back
          if (row(r) == row(1 - r)) {
            lead = fmt::format(
                "Non-repeatable read (G-single): {} read {} both before and after {} wrote it",
                names[r], row(r), names[1 - r]);
          } else {
            lead = fmt::format(
                "Read skew (G-single): {} {} a write of {} by {} but did not see "
                "its write of {}",
                names[r], kinds[1 - r] == kWr ? "saw" : "overwrote", row(1 - r), names[1 - r],
                row(r));
          }
        } else {
          lead = fmt::format(
              "Read skew (G-single): {} form a cycle in which exactly one read missed a write",
              join(names));
        }
        break;
      default:
        if (names.size() == 2 && rw == 2) {
          lead = fmt::format(
              "Write skew (G2-item): {} and {} each read a row the other then wrote ({} and {}), "
              "neither seeing the other's write",
              names[0], names[1], row(0), row(1));
        } else {
          lead =
              fmt::format("Write skew (G2-item): {} form a cycle in which {} reads missed a write",
                          join(names), rw);
        }
        break;
    }
    std::string more;
    if (component > names.size())
      more = fmt::format(
          " (the shortest cycle found among {} transactions that depend on one "
          "another in cycles)",
          component);
    return fmt::format(
        "{}; no serial order of these transactions gives what they read and wrote, which rules "
        "out {}{}.",
        lead, join(a.rules_out), more);
  }

  Anomaly describe(const DirtyRead& d) const {
    const uint32_t column = column_of(d.writer, find_write(d.writer, d.row, d.type == kG1a));
    const uint64_t writer_id = attempt_of(d.writer).id;
    const ReadRecord* read = find_read(d.reader, d.row, [&](const ReadRecord& r) {
      return r.version == writer_id && r.version_number == d.number;
    });
    const std::string seen_cell = cell(d.row, column, seen(d.reader, read, column));
    Anomaly a;
    a.type = kTypeNames[d.type];
    a.table = workload_.tables[rows_.table(d.row)].name;
    a.key = rows_.key(d.row);
    if (column != kNone) a.column = workload_.tables[rows_.table(d.row)].columns[column].name;
    a.version_read = writer_id;
    a.rows.push_back(AnomalyRow{a.table, a.key});
    a.transactions = {witness(d.writer, d.row, column), witness(d.reader, d.row, column)};
    a.rules_out = rules_out(d.type);
    std::string edge, lead;
    if (d.type == kG1a) {
      const AttemptRecord& w = attempt_of(d.writer);
      const std::string fate =
          w.outcome == AttemptOutcome::rejected
              ? "was rejected by a check and rolled back"
              : fmt::format("aborted ({}) and was rolled back", to_string(w.cause));
      edge = fmt::format("{} wrote {}, then {}; {} read it (wr) and committed", name(d.writer),
                         seen_cell, fate, name(d.reader));
      lead = fmt::format("Aborted read (G1a): {} committed having read {}, written by {}, which {}",
                         name(d.reader), seen_cell, name(d.writer), fate);
    } else {
      edge = fmt::format(
          "{} wrote {} as version {} and wrote {} again (version {}) before committing; {} read "
          "version {} (wr)",
          name(d.writer), seen_cell, d.number, row_name(d.row), d.writer_last, name(d.reader),
          d.number);
      lead = fmt::format(
          "Intermediate read (G1b): {} committed having read {} (version {}), which {} replaced "
          "itself with version {} before committing",
          name(d.reader), seen_cell, d.number, name(d.writer), d.writer_last);
    }
    a.edges.push_back(
        AnomalyEdge{writer_id, attempt_of(d.reader).id, "wr", a.table, a.key, std::move(edge)});
    a.explanation = fmt::format("{}; this rules out {}.", lead, join(a.rules_out));
    return a;
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

  const Workload& workload_;
  const std::vector<WorkerLog>& logs_;
  const std::vector<TableSnapshot>& final_state_;
  const size_t max_listed_;
  const uint32_t batch_records_;
  Nodes nodes_;
  RowIndex rows_;
  std::vector<std::vector<uint32_t>> value_position_;  // table, column -> position in a read
  std::vector<Status> status_;
  std::vector<uint32_t> group_of_;  // node -> its group in the row being placed by reads
  std::vector<Group> groups_;
  std::vector<Version> versions_;
  std::vector<DirtyRead> dirty_reads_;
  mutable std::unordered_map<uint32_t, Records> decoded_;  // see decoded()
  std::array<int64_t, kTypeCount> counts_ = {};
  int64_t indeterminate_ = 0, proven_ = 0, unplaced_writes_ = 0, unordered_rows_ = 0;
  DependencyGraph result_;
};

}  // namespace

DependencyGraph check_dependency_graph(const Workload& workload, const std::vector<WorkerLog>& logs,
                                       const std::vector<TableSnapshot>& final_state,
                                       size_t max_listed, uint32_t batch_records) {
  return Checker(workload, logs, final_state, max_listed, batch_records).run();
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
      join(steps));
}

}  // namespace clobber
