// Wall-clock time as reports print it.
#pragma once

#include <string>

namespace clobber {

/// The current time as ISO 8601 UTC ("2026-11-30T15:01:07Z"), as runs, scenarios
/// and the table registry record when they started.
std::string utc_now();

}  // namespace clobber
