// Loading a workload from YAML (yaml-cpp). Every error names file:line:column.
#pragma once

#include <string>

#include "harness/workload/workload.h"

namespace clobber {

/// Loads and checks the workload in `path`. Throws InputError on any problem:
/// unreadable file, malformed YAML, unknown keys, wrong types, unknown names,
/// expressions over unknown variables, writes without an earlier read of the row.
Workload load_workload_file(const std::string& path);

/// Same, from text already in memory; `path` is used only in messages.
Workload load_workload_text(const std::string& text, const std::string& path);

/// Parses a `--fail-on` threshold, `METRIC>NUMBER` or `METRIC<NUMBER` (any
/// expectation metric; abort_rate also as a percentage): the bound a cell must
/// keep, which fails it when crossed. Throws InputError naming --fail-on and
/// the column.
MetricBound parse_fail_on(const std::string& text);

/// Parses a duration such as "5s", "250ms", "100us", "2m". Throws InputError.
std::chrono::microseconds parse_duration(const std::string& text, const SourceLocation& where);

}  // namespace clobber
