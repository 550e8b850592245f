// The progress clobber run prints on stderr while cells run: on a terminal one
// status line redrawn in place (pgbench -P, k6), elsewhere a plain line every
// interval; plus one line per finished cell.
#pragma once

#include <cstdint>
#include <string>

#include "harness/result/result.h"
#include "harness/runner/progress.h"

namespace clobber {

/// Formats and prints progress to stderr. Not thread-safe beyond what the
/// runner guarantees: snapshots and finished cells never overlap.
class ProgressLine {
 public:
  /// `terminal`: stderr is a terminal (redraw one line, cut to `columns`).
  ProgressLine(bool terminal, size_t columns) : terminal_(terminal), columns_(columns) {}
  /// A snapshot of the running cell.
  void snapshot(const CellProgress& progress);
  /// A cell finished: clears the status line and prints the cell's outcome.
  void finished(const CellResult& cell);

  /// The text of a snapshot's line, without a trailing newline.
  std::string format(const CellProgress& progress) const;

 private:
  bool terminal_;
  size_t columns_;
  bool drawn_ = false;       // a status line is on the terminal now
  int64_t lost_so_far_ = 0;  // lost updates of the finished cells
  int cells_finished_ = 0;
};

/// Columns of the terminal on `fd` (TIOCGWINSZ), else $COLUMNS, else 120.
size_t terminal_columns(int fd);

}  // namespace clobber
