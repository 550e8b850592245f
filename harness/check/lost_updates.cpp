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
  uint32_t first = 0;          // its first write of the row
  uint32_t last = 0;           // its last write of the row
  int64_t written_ns = 0;      // its first write of the row returned: it had replaced a version
  int64_t commit_sent_ns = 0;  // COMMIT sent (isolation none: its last write of the row sent)
  int64_t committed_ns = 0;    // COMMIT returned (isolation none: its last write returned)
  bool autocommit = false;     // isolation none: each write committed by itself
};

std::string at(double ms) {
  return fmt::format("+{:.1f} ms", ms);
}

double ms(int64_t ns) {
  return static_cast<double>(ns) / 1e6;
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
  t.start_ms = ms(attempt.start_ns);
  t.write_ms = ms(w.written_ns);
  t.commit_sent_ms = ms(w.commit_sent_ns);
  t.commit_ms = ms(w.committed_ns);
  t.autocommit = w.autocommit;
  const WriteRecord& first = log.writes[w.first];
  const WriteRecord& last = log.writes[w.last];
  if (first.change_count > 0) t.read_value = log.changes[first.first_change].old_value;
  if (last.change_count > 0) t.written_value = log.changes[last.first_change].new_value;
  return t;
}

/// One sentence: who read what, who wrote what when, and what was lost. Each
/// erased write's time is when its commit was sent (the database committed it
/// then or later); the overwriter's are when its write and its commit returned
/// (the database had done them by then). The database committed every erased
/// write before it ran the overwriting write, so the times read in order.
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
                       at(t[i].commit_sent_ms));
  } else {
    s = fmt::format("{} read {} = {} written by {}", txn_name(over.id), cell, over.read_value,
                    txn_name(a.version_read));
    for (size_t i = 0; i < lost; ++i)
      s += fmt::format("; then {} wrote {} and committed at {}", txn_name(t[i].id),
                       t[i].written_value, at(t[i].commit_sent_ms));
  }
  s += fmt::format("; {} wrote {} at {}", txn_name(over.id), over.written_value, at(over.write_ms));
  if (!over.autocommit) s += fmt::format(" and committed at {}", at(over.commit_ms));
  s += fmt::format(", overwriting {} without having seen {}", lost == 1 ? "it" : "them",
                   lost == 1 ? "it" : "them");
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
      const AttemptRecord& attempt = logs[ref.worker].attempts[txn_index(ref.txn)];
      const bool autocommit = attempt.commit_ns < 0;
      if (!row.empty() && row.back().txn == ref.txn) {
        RowWrite& w = row.back();
        w.last = ref.write;
        if (autocommit) {
          w.commit_sent_ns = write.sent_ns;
          w.committed_ns = write.done_ns;
        }
        continue;
      }
      RowWrite w;
      w.txn = ref.txn;
      w.version_read = write.version_read;
      w.overwrote = write.overwrote;
      w.durable = write.durability == Durability::durable;
      w.worker = ref.worker;
      w.first = w.last = ref.write;
      w.written_ns = write.done_ns;
      w.autocommit = autocommit;
      w.commit_sent_ns = autocommit ? write.sent_ns : attempt.commit_ns;
      w.committed_ns = autocommit ? write.done_ns : attempt.end_ns;
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

    // Every durable write off the chain was overwritten by a writer that never
    // saw it: the first write after it, in the row's version order, that does
    // not descend from it (writes that read it, or read one that did, carried
    // its effect on). Where the database reports the version each write
    // replaced (RETURNING, session variables), that order is exact.
    const auto index_of = [&](uint64_t txn) -> size_t {
      const auto it = std::lower_bound(row.begin(), row.end(), txn,
                                       [](const RowWrite& w, uint64_t id) { return w.txn < id; });
      return it != row.end() && it->txn == txn ? static_cast<size_t>(it - row.begin()) : row.size();
    };
    const size_t none = row.size();
    std::vector<size_t> successor(row.size(), none);
    for (size_t i = 0; i < row.size(); ++i) {
      const size_t p = index_of(row[i].overwrote);
      if (p == none) continue;
      // Two writes claim one predecessor only when one of them may never have
      // happened (its connection broke): the durable one did.
      if (successor[p] == none || (!row[successor[p]].durable && row[i].durable)) successor[p] = i;
    }
    std::vector<size_t> chain_position(row.size(), none);
    for (size_t c = 0; c < chain.size(); ++c) chain_position[chain[c]] = c;
    std::vector<char> descends(row.size(), 0);
    std::vector<size_t> marked;
    std::vector<std::vector<size_t>> erased_by(row.size());
    for (size_t i = 0; i < row.size(); ++i) {
      if (row[i].on_chain || !row[i].durable) continue;
      ++result.count;
      size_t over = none;
      descends[i] = 1;
      marked.assign(1, i);
      bool exact = true;
      for (size_t x = successor[i];; x = successor[x]) {
        if (x == none) {
          exact = false;  // the order is not known past here
          break;
        }
        const size_t parent = index_of(row[x].version_read);
        if (parent == none || !descends[parent]) {
          over = x;
          break;
        }
        descends[x] = 1;
        marked.push_back(x);
      }
      for (size_t m : marked) descends[m] = 0;
      if (!exact) {
        // Without the version each write replaced (MySQL outside atomic mode),
        // the eraser is the first chain write after the version this one read
        // whose write returned after this one's commit was sent: the database
        // ran it after that commit, or the times could not say otherwise.
        const size_t parent = index_of(row[i].version_read);
        size_t c = parent < none && chain_position[parent] < none ? chain_position[parent] + 1 : 0;
        for (; c < chain.size(); ++c)
          if (row[chain[c]].written_ns >= row[i].commit_sent_ns) break;
        if (c < chain.size()) over = chain[c];
      }
      if (over < none) erased_by[over].push_back(i);
    }
    const TableDef& def = workload.tables[table];
    for (size_t o = 0; o < row.size(); ++o) {
      if (erased_by[o].empty()) continue;
      ++result.groups;
      if (result.anomalies.size() >= max_listed) continue;
      const RowWrite& over = row[o];
      std::sort(erased_by[o].begin(), erased_by[o].end(),
                [&](size_t a, size_t b) { return row[a].commit_sent_ns < row[b].commit_sent_ns; });
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
