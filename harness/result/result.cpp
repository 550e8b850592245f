#include "harness/result/result.h"

namespace clobber {

int64_t CellResult::attempts() const {
  return transactions.committed + transactions.rejected + transactions.indeterminate +
         aborts.total();
}

double CellResult::abort_rate() const {
  const int64_t all = attempts();
  return all == 0 ? 0.0 : static_cast<double>(aborts.total()) / static_cast<double>(all);
}

std::string_view to_string(CellStatus status) {
  switch (status) {
    case CellStatus::ran:
      return "ran";
    case CellStatus::unsupported:
      return "unsupported";
    case CellStatus::error:
      return "error";
  }
  return "?";
}

}  // namespace clobber
