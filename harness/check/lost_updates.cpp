#include <algorithm>

#include <fmt/format.h>

#include "harness/check/checks.h"

namespace clobber {
namespace {

/// A durable (or maybe-durable) write, located in its worker's log.
struct WriteRef {
  uint32_t table;
  int64_t key;
  uint64_t txn;
  uint32_t worker;
  uint32_t write;
};

/// Everything one transaction did to one row, merged over its writes of it.
struct RowWrite {
  uint64_t txn = 0;
  uint64_t version_read = 0;             // what its first write of the row read
  uint64_t overwrote = kUnknownVersion;  // what its first write of the row replaced
  bool durable = false;                  // false: maybe (indeterminate)
  bool on_chain = false;
  uint32_t worker = 0;
  uint32_t first = 0;  // its first write of the row
  uint32_t last = 0;   // its last write of the row
  int64_t end_ns = 0;
};

std::string at(double ms) {
  return fmt::format("+{:.1f} ms", ms);
}

WitnessTransaction witness(const Workload& workload, const std::vector<WorkerLog>& logs,
                           const RowWrite& w) {
  const WorkerLog& log = logs[w.worker];
  const AttemptRecord& attempt = log.attempts[txn_index(w.txn)];
  WitnessTransaction t;
  t.id = w.txn;
  t.worker = log.worker;
  t.attempt = attempt.attempt;
  t.type = workload.transactions[attempt.type].name;
  t.start_ms = static_cast<double>(attempt.start_ns) / 1e6;
  t.commit_ms = static_cast<double>(attempt.end_ns) / 1e6;
  const WriteRecord& first = log.writes[w.first];
  const WriteRecord& last = log.writes[w.last];
  if (first.change_count > 0) t.read_value = log.changes[first.first_change].old_value;
  if (last.change_count > 0) t.written_value = log.changes[last.first_change].new_value;
  return t;
}

/// One sentence: who read what, who wrote what when, and what was lost.
std::string explain(const Anomaly& a, bool same_version) {
  const auto& t = a.transactions;  // the lost writers, then the overwriter
  const WitnessTransaction& over = t.back();
  const size_t lost = t.size() - 1;
  const std::string cell = fmt::format("{}[{}].{}", a.table, a.key, a.column);
  std::string s;
  if (same_version) {
    for (size_t i = 0; i < t.size(); ++i) {
      if (i) s += i + 1 == t.size() ? " and " : ", ";
      s += txn_name(t[i].id);
    }
    s += fmt::format(" {} read {} = {} written by {}", t.size() == 2 ? "both" : "all", cell,
                     over.read_value, txn_name(a.version_read));
    for (size_t i = 0; i < lost; ++i)
      s += fmt::format("; {} wrote {} and committed at {}", txn_name(t[i].id), t[i].written_value,
                       at(t[i].commit_ms));
  } else {
    s = fmt::format("{} read {} = {} written by {}", txn_name(over.id), cell, over.read_value,
                    txn_name(a.version_read));
    for (size_t i = 0; i < lost; ++i)
      s += fmt::format("; then {} wrote {} and committed at {}", txn_name(t[i].id),
                       t[i].written_value, at(t[i].commit_ms));
  }
  s += fmt::format("; {} wrote {} and committed at {}, overwriting {} without having seen {}",
                   txn_name(over.id), over.written_value, at(over.commit_ms),
                   lost == 1 ? "it" : "them", lost == 1 ? "it" : "them");
  if (lost == 1) return s + fmt::format(": {} was lost.", t[0].written_value);
  return s + fmt::format(": {} updates were lost.", lost);
}

}  // namespace

LostUpdates find_lost_updates(const Workload& workload, const std::vector<WorkerLog>& logs,
                              const std::vector<TableSnapshot>& final_state, size_t max_listed) {
  std::vector<WriteRef> refs;
  size_t total = 0;
  for (const WorkerLog& log : logs) total += log.writes.size();
  refs.reserve(total);
  for (uint32_t w = 0; w < logs.size(); ++w)
    for (uint32_t i = 0; i < logs[w].writes.size(); ++i) {
      const WriteRecord& write = logs[w].writes[i];
      if (write.durability == Durability::durable || write.durability == Durability::maybe)
        refs.push_back(WriteRef{write.table, write.key, write.txn, w, i});
    }
  std::sort(refs.begin(), refs.end(), [](const WriteRef& a, const WriteRef& b) {
    return std::tie(a.table, a.key, a.txn, a.write) < std::tie(b.table, b.key, b.txn, b.write);
  });

  LostUpdates result;
  std::vector<RowWrite> row;
  std::vector<size_t> chain;
  for (size_t begin = 0; begin < refs.size();) {
    // One row's writes, merged per transaction, sorted by transaction id.
    row.clear();
    size_t end = begin;
    for (; end < refs.size() && refs[end].table == refs[begin].table &&
           refs[end].key == refs[begin].key;
         ++end) {
      const WriteRef& ref = refs[end];
      const WriteRecord& write = logs[ref.worker].writes[ref.write];
      if (!row.empty() && row.back().txn == ref.txn) {
        row.back().last = ref.write;
        continue;
      }
      RowWrite w;
      w.txn = ref.txn;
      w.version_read = write.version_read;
      w.overwrote = write.overwrote;
      w.durable = write.durability == Durability::durable;
      w.worker = ref.worker;
      w.first = w.last = ref.write;
      w.end_ns = logs[ref.worker].attempts[txn_index(ref.txn)].end_ns;
      row.push_back(w);
    }
    const uint32_t table = refs[begin].table;
    const int64_t key = refs[begin].key;
    begin = end;

    // The chain of versions that built the final value, newest first.
    const auto final_row = final_state[table].find(key);
    if (final_row == final_state[table].end()) continue;
    uint64_t version = static_cast<uint64_t>(final_row->second.back());
    chain.clear();
    bool complete = true;
    while (version != 0 && chain.size() <= row.size()) {
      const auto it = std::lower_bound(row.begin(), row.end(), version,
                                       [](const RowWrite& w, uint64_t id) { return w.txn < id; });
      if (it == row.end() || it->txn != version || it->on_chain) {
        complete = false;  // a writer clobber did not record: judge nothing here
        break;
      }
      it->on_chain = true;
      chain.push_back(static_cast<size_t>(it - row.begin()));
      version = it->version_read;
    }
    if (!complete) continue;
    std::reverse(chain.begin(), chain.end());  // oldest first

    // Every durable write off the chain was overwritten unseen. Its overwriter
    // is the write that reports having replaced it, where the database says
    // so (RETURNING); otherwise the first chain write that committed after it.
    const auto index_of = [&](uint64_t txn) -> size_t {
      const auto it = std::lower_bound(row.begin(), row.end(), txn,
                                       [](const RowWrite& w, uint64_t id) { return w.txn < id; });
      return it != row.end() && it->txn == txn ? static_cast<size_t>(it - row.begin()) : row.size();
    };
    std::vector<size_t> successor(row.size(), row.size());
    for (size_t i = 0; i < row.size(); ++i)
      if (const size_t p = index_of(row[i].overwrote); p < row.size()) successor[p] = i;
    std::vector<std::vector<size_t>> erased_by(row.size());
    for (size_t i = 0; i < row.size(); ++i) {
      if (row[i].on_chain || !row[i].durable) continue;
      ++result.count;
      size_t over = successor[i];
      if (over == row.size() && !chain.empty()) {
        size_t c = 0;
        while (c + 1 < chain.size() && row[chain[c]].end_ns < row[i].end_ns) ++c;
        over = chain[c];
      }
      if (over < row.size()) erased_by[over].push_back(i);
    }
    const TableDef& def = workload.tables[table];
    for (size_t o = 0; o < row.size(); ++o) {
      if (erased_by[o].empty()) continue;
      ++result.groups;
      if (result.anomalies.size() >= max_listed) continue;
      const RowWrite& over = row[o];
      std::sort(erased_by[o].begin(), erased_by[o].end(),
                [&](size_t a, size_t b) { return row[a].end_ns < row[b].end_ns; });
      Anomaly anomaly;
      anomaly.type = "lost_update";
      anomaly.table = def.name;
      anomaly.key = key;
      anomaly.version_read = over.version_read;
      const WriteRecord& first = logs[over.worker].writes[over.first];
      if (first.change_count > 0)
        anomaly.column = def.columns[logs[over.worker].changes[first.first_change].column].name;
      bool same_version = true;
      for (size_t i : erased_by[o]) {
        anomaly.transactions.push_back(witness(workload, logs, row[i]));
        same_version = same_version && row[i].version_read == over.version_read;
      }
      anomaly.transactions.push_back(witness(workload, logs, over));
      anomaly.explanation = explain(anomaly, same_version);
      result.anomalies.push_back(std::move(anomaly));
    }
  }
  return result;
}

}  // namespace clobber
