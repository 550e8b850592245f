#include "harness/check/version_order.h"

#include <algorithm>

namespace clobber::graph {
namespace {

void add_edge(std::vector<PendingEdge>& edges, uint32_t from, uint32_t to, uint32_t row,
              EdgeKind kind, bool gap) {
  edges.push_back(PendingEdge{from, to, edge_info(row, kind, gap)});
}

}  // namespace

void VersionOrder::order(uint32_t row, std::span<const RowWrite> writes,
                         std::span<const RowRead> reads, uint32_t final_writer,
                         std::vector<PendingEdge>& edges, std::vector<DirtyRead>& dirty) {
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
  for (uint32_t g = 0; g < groups_.size(); ++g)
    if (groups_[g].writer == final_writer) final_group = g;
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
  ordered_ = ordered;
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
      add_edge(edges, a, b, row, kWw, versions_[i].number != versions_[i - 1].number + 1);
    }
  }
  for (const RowRead& r : reads) {
    if (r.writer == kNone || r.writer == r.reader) continue;
    const auto number = static_cast<int64_t>(r.number);
    size_t position = 0;  // the seed's version
    if (r.writer != kSeed) {
      if (r.writer_failed) {
        dirty.push_back(DirtyRead{kG1a, r.reader, r.writer, row, number, 0});
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
        add_edge(edges, r.writer, r.reader, row, kWr, false);
      if (!placed) continue;
      const Group& g = groups_[it->group];
      if (g.placed != number) {
        if (g.last > 0 && number < g.last)
          dirty.push_back(DirtyRead{kG1b, r.reader, r.writer, row, number, g.last});
        continue;
      }
    }
    // A reader that wrote the row itself overwrote what it did not see (or
    // read its own write): a lost update, reported by find_lost_updates,
    // so its rw edge is not searched for cycles.
    if (!ordered || r.writes_row || position + 1 >= versions_.size()) continue;
    const Version& next = versions_[position + 1];
    add_edge(edges, r.reader, next.writer, row, kRw, next.number != versions_[position].number + 1);
  }
}

/// Places the writes the database did not number (MySQL outside atomic mode)
/// by the version number a read of them saw, when they are their writer's only
/// write of the row.
void VersionOrder::place_by_reads(std::span<const RowRead> reads) {
  if (group_of_.empty()) group_of_.assign(nodes_, kNone);
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

}  // namespace clobber::graph
