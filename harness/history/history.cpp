#include "harness/history/history.h"

namespace clobber {

std::string txn_name(uint64_t id) {
  if (id == 0) return "the seed";
  return "T" + std::to_string(txn_worker(id)) + "." + std::to_string(txn_index(id));
}

}  // namespace clobber
