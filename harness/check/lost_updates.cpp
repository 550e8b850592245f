#include <algorithm>

#include <fmt/format.h>

#include "harness/check/checks.h"

namespace clobber {
namespace {

/// A durable write, located in its worker's log.
struct WriteRef {
  uint32_t table;
  int64_t key;
  uint64_t version_read;
  uint64_t txn;
  uint32_t worker;
  uint32_t write;
};

std::string ms(int64_t ns) {
  return fmt::format("+{:.1f} ms", static_cast<double>(ns) / 1e6);
}

/// One sentence saying what happened to a group of colliding writers.
std::string explain(const Anomaly& a) {
  const auto& t = a.transactions;
  std::string names;
  for (size_t i = 0; i < t.size(); ++i) {
    if (i) names += i + 1 == t.size() ? " and " : ", ";
    names += txn_name(t[i].id);
  }
  std::string sentence =
      fmt::format("{} {} read {}[{}].{} = {} written by {}", names, t.size() == 2 ? "both" : "all",
                  a.table, a.key, a.column, t[0].read_value, txn_name(a.version_read));
  for (size_t i = 0; i < t.size(); ++i) {
    sentence += fmt::format("; {} wrote {} and committed at {}", txn_name(t[i].id),
                            t[i].written_value, ms(static_cast<int64_t>(t[i].commit_ms * 1e6)));
    if (i > 0) sentence += ", overwriting it";
  }
  if (t.size() == 2) {
    sentence += fmt::format(": {} was lost", t[0].written_value);
  } else {
    sentence += fmt::format(": {} updates were lost", t.size() - 1);
  }
  return sentence + ".";
}

}  // namespace

LostUpdates find_lost_updates(const Workload& workload, const std::vector<WorkerLog>& logs,
                              size_t max_listed) {
  std::vector<WriteRef> refs;
  size_t total = 0;
  for (const WorkerLog& log : logs) total += log.writes.size();
  refs.reserve(total);
  for (uint32_t w = 0; w < logs.size(); ++w)
    for (uint32_t i = 0; i < logs[w].writes.size(); ++i) {
      const WriteRecord& write = logs[w].writes[i];
      if (write.durability == Durability::durable)
        refs.push_back(WriteRef{write.table, write.key, write.version_read, write.txn, w, i});
    }
  std::sort(refs.begin(), refs.end(), [](const WriteRef& a, const WriteRef& b) {
    return std::tie(a.table, a.key, a.version_read, a.txn) <
           std::tie(b.table, b.key, b.version_read, b.txn);
  });

  LostUpdates result;
  for (size_t begin = 0; begin < refs.size();) {
    size_t end = begin + 1;
    size_t distinct = 1;
    while (end < refs.size() && refs[end].table == refs[begin].table &&
           refs[end].key == refs[begin].key && refs[end].version_read == refs[begin].version_read) {
      if (refs[end].txn != refs[end - 1].txn) ++distinct;
      ++end;
    }
    if (distinct > 1) {
      result.count += static_cast<int64_t>(distinct - 1);
      ++result.groups;
      if (result.anomalies.size() < max_listed) {
        Anomaly anomaly;
        anomaly.type = "lost_update";
        const TableDef& table = workload.tables[refs[begin].table];
        anomaly.table = table.name;
        anomaly.key = refs[begin].key;
        anomaly.version_read = refs[begin].version_read;
        for (size_t r = begin; r < end; ++r) {
          if (r > begin && refs[r].txn == refs[r - 1].txn) continue;
          const WorkerLog& log = logs[refs[r].worker];
          const WriteRecord& write = log.writes[refs[r].write];
          const AttemptRecord& attempt = log.attempts[txn_index(write.txn)];
          WitnessTransaction witness;
          witness.id = write.txn;
          witness.worker = log.worker;
          witness.attempt = attempt.attempt;
          witness.type = workload.transactions[attempt.type].name;
          witness.start_ms = static_cast<double>(attempt.start_ns) / 1e6;
          witness.commit_ms = static_cast<double>(attempt.end_ns) / 1e6;
          if (write.change_count > 0) {
            const ColumnChange& change = log.changes[write.first_change];
            anomaly.column = table.columns[change.column].name;
            witness.read_value = change.old_value;
            witness.written_value = change.new_value;
          }
          anomaly.transactions.push_back(witness);
        }
        std::sort(anomaly.transactions.begin(), anomaly.transactions.end(),
                  [](const WitnessTransaction& a, const WitnessTransaction& b) {
                    return a.commit_ms < b.commit_ms;
                  });
        anomaly.explanation = explain(anomaly);
        result.anomalies.push_back(std::move(anomaly));
      }
    }
    begin = end;
  }
  return result;
}

}  // namespace clobber
