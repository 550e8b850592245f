#include "harness/check/anomaly_explainer.h"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

namespace clobber::graph {

std::vector<std::string> rules_out(AnomalyType type) {
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

std::string join_with_and(const std::vector<std::string>& items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) s += i + 1 == items.size() ? " and " : ", ";
    s += items[i];
  }
  return s;
}

AnomalyExplainer::AnomalyExplainer(const Workload& workload, const Nodes& nodes,
                                   const RowIndex& rows)
    : workload_(workload), nodes_(nodes), rows_(rows) {
  for (const TableDef& table : workload.tables) {
    std::vector<uint32_t> position(table.columns.size(), kNone);
    const auto integers = table.integer_columns();
    for (size_t i = 0; i < integers.size(); ++i) position[integers[i]] = static_cast<uint32_t>(i);
    value_position_.push_back(std::move(position));
  }
}

/// A node's attempt and its records, decoded once: only the few nodes of
/// listed anomalies are explained.
const Records& AnomalyExplainer::decoded(uint32_t node) const {
  auto [it, added] = decoded_.try_emplace(node);
  if (added) nodes_.decode(node, it->second);
  return it->second;
}

/// A committed attempt's record of `row`: its read that `pick` accepts.
template <typename Pick>
const ReadRecord* AnomalyExplainer::find_read(uint32_t node, uint32_t row, Pick pick) const {
  for (const ReadRecord& read : decoded(node).reads)
    if (read.table == rows_.table(row) && read.key == rows_.key(row) && pick(read)) return &read;
  return nullptr;
}

/// A node's first (or last) write of `row`, or null.
const WriteRecord* AnomalyExplainer::find_write(uint32_t node, uint32_t row, bool last) const {
  const WriteRecord* found = nullptr;
  for (const WriteRecord& write : decoded(node).writes) {
    if (write.table != rows_.table(row) || write.key != rows_.key(row)) continue;
    found = &write;
    if (!last) break;
  }
  return found;
}

/// The first column a write changed, or kNone.
uint32_t AnomalyExplainer::column_of(uint32_t node, const WriteRecord* write) const {
  if (!write || write->change_count == 0) return kNone;
  return decoded(node).changes[write->first_change].column;
}

/// The value a write set `column` to, if it did.
std::optional<int64_t> AnomalyExplainer::written(uint32_t node, const WriteRecord* write,
                                                 uint32_t column) const {
  if (!write || column == kNone) return std::nullopt;
  const Records& records = decoded(node);
  for (uint32_t c = write->first_change; c < write->first_change + write->change_count; ++c)
    if (records.changes[c].column == column) return records.changes[c].new_value;
  return std::nullopt;
}

/// The value a read saw of `column`, if it fetched it.
std::optional<int64_t> AnomalyExplainer::seen(uint32_t node, const ReadRecord* read,
                                              uint32_t column) const {
  if (!read || column == kNone) return std::nullopt;
  const uint32_t position = value_position_[read->table][column];
  if (position == kNone || position >= read->value_count) return std::nullopt;
  return decoded(node).values[read->first_value + position];
}

std::string AnomalyExplainer::row_name(uint32_t row) const {
  return fmt::format("{}[{}]", workload_.tables[rows_.table(row)].name, rows_.key(row));
}

/// "on_call = 1", or "" when the value is not known.
std::string AnomalyExplainer::assignment(uint32_t row, uint32_t column,
                                         std::optional<int64_t> value) const {
  if (column == kNone || !value) return "";
  return fmt::format("{} = {}", workload_.tables[rows_.table(row)].columns[column].name, *value);
}

/// "doctors[2].on_call = 1", or "doctors[2]" when the value is not known.
std::string AnomalyExplainer::cell(uint32_t row, uint32_t column,
                                   std::optional<int64_t> value) const {
  const std::string value_text = assignment(row, column, value);
  return value_text.empty() ? row_name(row) : row_name(row) + "." + value_text;
}

WitnessTransaction AnomalyExplainer::witness(uint32_t node, uint32_t row, uint32_t column) const {
  const AttemptRecord& attempt = attempt_of(node);
  WitnessTransaction t;
  t.id = attempt.id;
  t.worker = nodes_.log(node).worker;
  t.attempt = attempt.attempt;
  if (attempt.type < workload_.transactions.size())
    t.type = workload_.transactions[attempt.type].name;
  t.start_ms = static_cast<double>(attempt.start_ns) / 1e6;
  t.commit_ms = static_cast<double>(attempt.end_ns) / 1e6;
  t.read_value =
      seen(node, find_read(node, row, [](const ReadRecord&) { return true; }), column).value_or(0);
  t.written_value = written(node, find_write(node, row, true), column).value_or(0);
  return t;
}

/// The column an edge is about: the one its writer changed.
uint32_t AnomalyExplainer::edge_column(uint32_t from, uint32_t to, uint32_t info) const {
  const uint32_t row = row_of(info);
  if (kind_of(info) == kWr) return column_of(from, find_write(from, row, true));
  return column_of(to, find_write(to, row, false));
}

/// One sentence per edge.
std::string AnomalyExplainer::explain_edge(uint32_t from, uint32_t to, uint32_t info) const {
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

Anomaly AnomalyExplainer::describe(const Graph& graph, AnomalyType type, const Cycle& cycle,
                                   size_t component) const {
  // Start the cycle at its lowest node, for a stable reading order.
  const size_t first = static_cast<size_t>(std::min_element(cycle.from.begin(), cycle.from.end()) -
                                           cycle.from.begin());
  Anomaly a;
  a.type = kAnomalyTypeNames[type];
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
    a.edges.push_back(AnomalyEdge{attempt_of(from).id, attempt_of(e.to).id, kKinds[kind_of(e.info)],
                                  table, rows_.key(row), explain_edge(from, e.to, e.info)});
    names.push_back(name(from));
    kinds.push_back(kind_of(e.info));
  }
  a.rules_out = rules_out(type);
  a.explanation = explain_cycle(type, a, names, kinds, component);
  return a;
}

std::string AnomalyExplainer::explain_cycle(AnomalyType type, const Anomaly& a,
                                            const std::vector<std::string>& names,
                                            const std::vector<uint32_t>& kinds,
                                            size_t component) const {
  const size_t rw = static_cast<size_t>(std::count(kinds.begin(), kinds.end(), kRw));
  const auto row = [&](size_t e) {
    return fmt::format("{}[{}]", a.edges[e].table, a.edges[e].key);
  };
  std::string lead;
  switch (type) {
    case kG0:
      lead = fmt::format("Dirty write (G0): {} overwrote one another's writes in a cycle",
                         join_with_and(names));
      break;
    case kG1c:
      lead = fmt::format(
          "Circular information flow (G1c): {} each saw or overwrote a write of the next, in a "
          "cycle",
          join_with_and(names));
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
            join_with_and(names));
      }
      break;
    default:
      if (names.size() == 2 && rw == 2) {
        lead = fmt::format(
            "Write skew (G2-item): {} and {} each read a row the other then wrote ({} and {}), "
            "neither seeing the other's write",
            names[0], names[1], row(0), row(1));
      } else {
        lead = fmt::format("Write skew (G2-item): {} form a cycle in which {} reads missed a write",
                           join_with_and(names), rw);
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
      lead, join_with_and(a.rules_out), more);
}

Anomaly AnomalyExplainer::describe(const DirtyRead& d) const {
  const uint32_t column = column_of(d.writer, find_write(d.writer, d.row, d.type == kG1a));
  const uint64_t writer_id = attempt_of(d.writer).id;
  const ReadRecord* read = find_read(d.reader, d.row, [&](const ReadRecord& r) {
    return r.version == writer_id && r.version_number == d.number;
  });
  const std::string seen_cell = cell(d.row, column, seen(d.reader, read, column));
  Anomaly a;
  a.type = kAnomalyTypeNames[d.type];
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
  a.explanation = fmt::format("{}; this rules out {}.", lead, join_with_and(a.rules_out));
  return a;
}

}  // namespace clobber::graph
