#include "harness/check/history_index.h"

namespace clobber::graph {

Nodes::Nodes(const std::vector<WorkerLog>& logs) : logs_(logs) {
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

void Nodes::decode(uint32_t node, Records& out) const {
  const size_t l = log_index(node);
  logs_[l].decode(node - base_[l], out);
}

RowIndex::RowIndex() {
  slots_.assign(1024, Slot{0, 0, kNone});
}

void RowIndex::grow() {
  std::vector<Slot> old(slots_.size() * 2, Slot{0, 0, kNone});
  old.swap(slots_);
  for (const Slot& slot : old) {
    if (slot.row == kNone) continue;
    size_t i = hash(slot.table, slot.key) & (slots_.size() - 1);
    while (slots_[i].row != kNone) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = slot;
  }
}

}  // namespace clobber::graph
