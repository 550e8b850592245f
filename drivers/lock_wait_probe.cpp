#include "drivers/lock_wait_probe.h"

#include <algorithm>
#include <cctype>

#include "common/errors.h"

namespace clobber {

std::string_view to_string(BlockDetection detection) {
  switch (detection) {
    case BlockDetection::none:
      return "none";
    case BlockDetection::pg_stat_activity:
      return "pg_stat_activity";
    case BlockDetection::innodb_status:
      return "innodb_status";
    case BlockDetection::timeout:
      return "timeout";
  }
  return "?";
}

std::string LockWaitProbe::id_list(const std::vector<std::string>& ids) {
  std::string list;
  for (const std::string& id : ids) {
    if (id.empty() || !std::all_of(id.begin(), id.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        }))
      throw DatabaseError("bad backend id '" + id + "' for the lock wait probe");
    list += (list.empty() ? "" : ", ") + id;
  }
  return list;
}

const std::string& LockWaitProbe::not_null(const std::optional<std::string>& value) {
  if (!value) throw DatabaseError("the lock wait probe got NULL where an id belongs");
  return *value;
}

}  // namespace clobber
