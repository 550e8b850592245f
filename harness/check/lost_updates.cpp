#include <algorithm>

#include <fmt/format.h>

#include "harness/check/checks.h"

namespace clobber {
namespace {

/// A durable (or maybe-durable) write: what the check needs of it for every
/// row, and where it is in its worker's log for the rest.
struct WriteRef {
  uint64_t txn;  // locates its attempt: see LogOf
  int64_t key;
  uint64_t version_read;
  uint32_t table;
  uint32_t write : 30;  // its position among its attempt's writes
  uint32_t durable : 1;
  uint32_t autocommit : 1;  // its attempt sent no COMMIT
};

/// The log of a transaction id's worker.
class LogOf {
 public:
  explicit LogOf(const std::vector<WorkerLog>& logs) {
    for (size_t l = 0; l < logs.size(); ++l) {
      if (logs[l].attempts() == 0) continue;  // owns no transaction
      const auto worker = static_cast<size_t>(std::max(logs[l].worker, 0));
      if (worker >= log_.size()) log_.resize(worker + 1, kNone);
      log_[worker] = static_cast<uint32_t>(l);
    }
  }
  /// Index into the logs of `txn`'s, or kNone.
  uint32_t operator()(uint64_t txn) const {
    const int worker = txn_worker(txn);
    return worker >= 0 && static_cast<size_t>(worker) < log_.size()
               ? log_[static_cast<size_t>(worker)]
               : kNone;
  }
  static constexpr uint32_t kNone = UINT32_MAX;

 private:
  std::vector<uint32_t> log_;
};

/// A WriteRef's write, decoded.
struct Written {
  WriteRecord write;
  ColumnChange first_change;  // its first column's (when change_count > 0)
};

/// Everything one transaction did to one row, merged over its writes of it.
struct RowWrite {
  uint64_t txn = 0;
  uint64_t version_read = 0;  // what its first write of the row read
  bool durable = false;       // false: maybe (indeterminate)
  bool on_chain = false;
  uint32_t first = 0;  // its first write of the row: position among the row's refs
  uint32_t last = 0;   // its last write of the row (that happened)
  // Decoded only for rows where a write was lost:
  int64_t written_ns = 0;      // its last write of the row returned
  int64_t last_sent_ns = 0;    // ... and when it was sent
  int64_t commit_sent_ns = 0;  // COMMIT sent (isolation none: its last write of the row sent)
  int64_t committed_ns = 0;    // COMMIT returned (isolation none: its last write returned)
  bool autocommit = false;     // isolation none: each write committed by itself
};

/// One version of a row, created by one write.
struct Version {
  int64_t number;         // clobber_version it created
  bool durable;           // false: maybe (its connection broke)
  size_t writer;          // index of its transaction among the row's writers
  uint64_t version_read;  // the version its transaction read
};

std::string at(double ms) {
  return fmt::format("+{:.1f} ms", ms);
}

double ms(int64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

WitnessTransaction witness(const Workload& workload, const WorkerLog& log,
                           const std::vector<Written>& written, const RowWrite& w,
                           Records& records) {
  log.decode(txn_index(w.txn), records);
  const AttemptRecord& attempt = records.attempts[0];
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
  const Written& first = written[w.first];
  const Written& last = written[w.last];
  if (first.write.change_count > 0) t.read_value = first.first_change.old_value;
  if (last.write.change_count > 0) t.written_value = last.first_change.new_value;
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
  for (const WorkerLog& log : logs) total += log.history.writes();
  refs.reserve(total);
  Records records;
  const LogOf log_of(logs);
  for (uint32_t l = 0; l < logs.size(); ++l)
    for (History::Reader reader = logs[l].reader(false); reader.next(records);) {
      const AttemptRecord& attempt = records.attempts[0];
      for (uint32_t i = 0; i < records.writes.size(); ++i) {
        const WriteRecord& write = records.writes[i];
        // A write names its own attempt: its worker's log, at its index.
        if (write.txn != attempt.id || log_of(write.txn) != l) continue;
        if (write.durability == Durability::durable || write.durability == Durability::maybe)
          refs.push_back(WriteRef{write.txn, write.key, write.version_read, write.table, i,
                                  write.durability == Durability::durable, attempt.commit_ns < 0});
      }
    }
  std::sort(refs.begin(), refs.end(), [](const WriteRef& a, const WriteRef& b) {
    return std::tie(a.table, a.key, a.txn, a.write) < std::tie(b.table, b.key, b.txn, b.write);
  });

  LostUpdates result;
  std::vector<RowWrite> row;
  std::vector<size_t> chain;
  std::vector<Version> versions;
  std::vector<Written> written;  // the row's writes, decoded, by position among its refs
  for (size_t begin = 0; begin < refs.size();) {
    // One row's writes, merged per transaction, sorted by transaction id.
    row.clear();
    size_t end = begin;
    for (; end < refs.size() && refs[end].table == refs[begin].table &&
           refs[end].key == refs[begin].key;
         ++end) {
      const WriteRef& ref = refs[end];
      const auto index = static_cast<uint32_t>(end - begin);
      if (!row.empty() && row.back().txn == ref.txn) {
        // A write whose connection broke after durable ones (isolation none)
        // may never have happened: the transaction's last write is its last durable one.
        RowWrite& w = row.back();
        if (w.durable && !ref.durable) continue;
        w.last = index;
        continue;
      }
      RowWrite w;
      w.txn = ref.txn;
      w.version_read = ref.version_read;
      w.durable = ref.durable;
      w.first = w.last = index;
      w.autocommit = ref.autocommit;
      row.push_back(w);
    }
    const uint32_t table = refs[begin].table;
    const int64_t key = refs[begin].key;
    const size_t row_begin = begin;
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
    // A row whose durable writes are all on the chain lost none. For the
    // others, what the rest needs (version numbers, times, values) is decoded
    // from the logs, a transaction at a time.
    if (std::all_of(row.begin(), row.end(),
                    [](const RowWrite& w) { return w.on_chain || !w.durable; }))
      continue;
    const auto n = static_cast<uint32_t>(end - row_begin);
    written.resize(n);
    for (size_t i = 0; i < row.size(); ++i) {
      RowWrite& w = row[i];
      logs[log_of(w.txn)].decode(txn_index(w.txn), records);
      const AttemptRecord& attempt = records.attempts[0];
      for (uint32_t p = w.first, stop = i + 1 < row.size() ? row[i + 1].first : n; p < stop; ++p) {
        const WriteRecord& write = records.writes[refs[row_begin + p].write];
        written[p] = Written{
            write, write.change_count > 0 ? records.changes[write.first_change] : ColumnChange{}};
      }
      const WriteRecord& last = written[w.last].write;
      w.written_ns = last.done_ns;
      w.last_sent_ns = last.sent_ns;
      w.commit_sent_ns = w.autocommit ? last.sent_ns : attempt.commit_ns;
      w.committed_ns = w.autocommit ? last.done_ns : attempt.end_ns;
    }

    // Every durable write off the chain was overwritten by a writer that never
    // saw it: the first write after it, in the row's version order, that does
    // not descend from it (writes that read it, or read one that did, carried
    // its effect on). Where the database reports the version number each write
    // created (RETURNING, session variables), that order is exact.
    const auto index_of = [&](uint64_t txn) -> size_t {
      const auto it = std::lower_bound(row.begin(), row.end(), txn,
                                       [](const RowWrite& w, uint64_t id) { return w.txn < id; });
      return it != row.end() && it->txn == txn ? static_cast<size_t>(it - row.begin()) : row.size();
    };
    const size_t none = row.size();
    // The row's writes in version order: (version number, write's transaction).
    versions.clear();
    constexpr size_t unnumbered = SIZE_MAX;  // a writer with no version number on this row
    std::vector<size_t> last_position(row.size(), unnumbered);
    for (size_t r = row_begin, i = 0; r < end; ++r) {
      const WriteRecord& write = written[r - row_begin].write;
      while (row[i].txn != write.txn) ++i;
      if (write.version_number > 0)
        versions.push_back(Version{write.version_number, write.durability == Durability::durable, i,
                                   write.version_read});
    }
    // Two writes claim one version number only when all but one never happened
    // (their connection broke around the commit and it did not take): the
    // durable one, or the one on the chain or read by another write, did.
    // Where that does not tell, none of them is placed: the walk treats them
    // as writes without a number.
    std::vector<char> seen(row.size(), 0);
    for (const RowWrite& w : row)
      if (const size_t p = index_of(w.version_read); p != none) seen[p] = 1;
    std::sort(versions.begin(), versions.end(), [&](const Version& a, const Version& b) {
      return a.number != b.number ? a.number < b.number : a.durable > b.durable;
    });
    size_t kept = 0;
    for (size_t a = 0, b = 0; a < versions.size(); a = b) {
      for (b = a + 1; b < versions.size() && versions[b].number == versions[a].number;) ++b;
      size_t happened = b - a == 1 || versions[a].durable ? a : versions.size();
      for (size_t c = a; c < b && happened == versions.size(); ++c) {
        const size_t x = versions[c].writer;
        if (!row[x].on_chain && !seen[x]) continue;
        for (size_t d = a; d < b; ++d)  // a second such claimant: it cannot tell
          if (d != c && (row[versions[d].writer].on_chain || seen[versions[d].writer])) {
            c = b;
            break;
          }
        if (c < b) happened = c;
      }
      if (happened < versions.size()) versions[kept++] = versions[happened];
    }
    versions.resize(kept);
    std::vector<size_t> first_position(row.size(), unnumbered);
    for (size_t v = versions.size(); v-- > 0;) first_position[versions[v].writer] = v;
    for (size_t v = 0; v < versions.size(); ++v) last_position[versions[v].writer] = v;
    std::vector<size_t> chain_position(row.size(), none);
    for (size_t c = 0; c < chain.size(); ++c) chain_position[chain[c]] = c;
    std::vector<char> descends(row.size(), 0);
    // Whether the version a write read descends from the marked writes: the
    // version's writer is marked, or it has no number (its connection broke,
    // so the walk never passed it) and read a version that descends.
    const auto read_descends = [&](uint64_t version_read) {
      for (size_t p = index_of(version_read), steps = 0; p != none && steps <= row.size();
           p = index_of(row[p].version_read), ++steps) {
        if (descends[p]) return true;
        if (last_position[p] != unnumbered) return false;
      }
      return false;
    };
    std::vector<size_t> marked;
    std::vector<std::vector<size_t>> erased_by(row.size());
    for (size_t i = 0; i < row.size(); ++i) {
      if (row[i].on_chain || !row[i].durable) continue;
      ++result.count;
      size_t over = none;
      descends[i] = 1;
      marked.assign(1, i);
      // Its last write of the row must be the last version it created. Writes
      // between its first and its last version were erased by it, but may
      // have read its first and passed it on.
      const WriteRecord& last = written[row[i].last].write;
      const size_t last_v = last_position[i];
      bool exact = last_v != unnumbered && versions[last_v].number == last.version_number;
      for (size_t v = first_position[i] + 1; exact && v < last_v; ++v) {
        const size_t x = versions[v].writer;
        if (!descends[x] && read_descends(versions[v].version_read)) {
          descends[x] = 1;
          marked.push_back(x);
        }
      }
      size_t v = last_v;
      // A gap in the numbers is a write whose number clobber did not get (its
      // connection broke): the walk goes on past it, so the overwriter found is
      // still a later write that never saw this one, if perhaps not the first.
      for (++v; exact; ++v) {
        if (v == versions.size()) {
          exact = false;
          break;
        }
        const size_t x = versions[v].writer;
        if (descends[x]) continue;
        if (!read_descends(versions[v].version_read)) {
          over = x;
          break;
        }
        descends[x] = 1;
        marked.push_back(x);
      }
      for (size_t m : marked) descends[m] = 0;
      if (!exact) {
        // Without version numbers (MySQL outside atomic mode), the eraser is
        // on the chain: the writer of the version this one read, when it
        // wrote the row again after this commit was sent; else the first
        // chain write after that version whose write returned after this
        // commit was sent (the database ran it after that commit, or the
        // times could not say otherwise); else that writer's later write,
        // when it returned after this commit was sent.
        const size_t parent = index_of(row[i].version_read);
        const bool on_chain = parent < none && chain_position[parent] < none;
        const bool rewrote = on_chain && row[parent].first != row[parent].last;
        if (rewrote && row[parent].last_sent_ns >= row[i].commit_sent_ns) {
          over = parent;
        } else {
          size_t c = on_chain ? chain_position[parent] + 1 : 0;
          for (; c < chain.size(); ++c)
            if (row[chain[c]].written_ns >= row[i].commit_sent_ns) break;
          if (c < chain.size()) {
            over = chain[c];
          } else if (rewrote && row[parent].written_ns >= row[i].commit_sent_ns) {
            over = parent;
          }
        }
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
      const Written& first = written[over.first];
      if (first.write.change_count > 0)
        anomaly.column = def.columns[first.first_change.column].name;
      bool same_version = true;
      for (size_t i : erased_by[o]) {
        anomaly.transactions.push_back(
            witness(workload, logs[log_of(row[i].txn)], written, row[i], records));
        same_version = same_version && row[i].version_read == over.version_read;
      }
      anomaly.transactions.push_back(
          witness(workload, logs[log_of(over.txn)], written, over, records));
      anomaly.explanation = explain(anomaly, same_version);
      result.anomalies.push_back(std::move(anomaly));
    }
  }
  return result;
}

}  // namespace clobber
