#include "harness/cli/progress_line.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/core.h>

#include "reports/reporter.h"

namespace clobber {
namespace {

/// Seconds as people read them: "8s", "1m05s".
std::string seconds(double value) {
  const auto total = static_cast<int64_t>(value + 0.5);
  if (total < 60) return fmt::format("{}s", total);
  return fmt::format("{}m{:02}s", total / 60, total % 60);
}

}  // namespace

std::string ProgressLine::format(const CellProgress& progress) const {
  std::string line = fmt::format(
      "cell {}/{} {} {}/{}: {}", progress.cell, progress.cells,
      database_label(DatabaseInfo{progress.kind, progress.server_version, {}, {}}),
      to_string(progress.isolation), to_string(progress.locking), seconds(progress.elapsed_s));
  if (progress.remaining_s) line += fmt::format(", {} left", seconds(*progress.remaining_s));
  line += fmt::format(", {} committed ({:.0f} tps), {} aborts", progress.committed, progress.tps,
                      progress.aborts);
  if (cells_finished_ > 0)
    line +=
        fmt::format(", {} lost update{} in {} finished cell{}", lost_so_far_,
                    lost_so_far_ == 1 ? "" : "s", cells_finished_, cells_finished_ == 1 ? "" : "s");
  return line;
}

void ProgressLine::snapshot(const CellProgress& progress) {
  std::string line = format(progress);
  if (terminal_) {
    if (columns_ > 1 && line.size() >= columns_) line.resize(columns_ - 1);
    fmt::print(stderr, "\r\x1b[K{}", line);
    drawn_ = true;
  } else {
    fmt::print(stderr, "clobber: progress {}\n", line);
  }
  std::fflush(stderr);
}

void ProgressLine::finished(const CellResult& cell) {
  if (drawn_) fmt::print(stderr, "\r\x1b[K");
  drawn_ = false;
  ++cells_finished_;
  lost_so_far_ += cell.lost_updates;
  const DatabaseInfo& db = cell.database;
  std::string line = fmt::format(
      "clobber: {} {} {}: {}", db.url.empty() ? std::string(to_string(db.kind)) : db.url,
      to_string(cell.isolation), to_string(cell.locking), to_string(cell.status));
  if (cell.status != CellStatus::unsupported)
    line += fmt::format(", {} committed, {} lost updates", cell.transactions.committed,
                        cell.lost_updates);
  if (cell.status == CellStatus::error) line += fmt::format(" ({})", cell.reason);
  fmt::print(stderr, "{}\n", line);
  std::fflush(stderr);
}

size_t terminal_columns(int fd) {
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const long value = std::strtol(columns, nullptr, 10);
    if (value > 0) return static_cast<size_t>(value);
  }
  return 120;
}

}  // namespace clobber
