// Loading scenarios from YAML (yaml-cpp). Every error names file:line:column
// and is an InputError (exit code 2). The format: docs/scenario-format.md.
#pragma once

#include <string>
#include <vector>

#include "harness/scenario/scenario.h"

namespace clobber {

/// Loads and checks the scenario in `path`. Throws InputError on any problem:
/// unreadable file, malformed YAML, unknown keys, wrong types, unknown sessions
/// or step names, unbalanced begin/commit, DDL on undeclared tables.
Scenario load_scenario_file(const std::string& path);

/// Same, from text already in memory; `path` is used only in messages.
Scenario load_scenario_text(const std::string& text, const std::string& path);

/// The scenario files named by `paths`: a file as given, a folder as its
/// *.yaml and *.yml files in name order. Throws InputError for a path that does
/// not exist or a folder without scenarios.
std::vector<std::string> scenario_files(const std::vector<std::string>& paths);

}  // namespace clobber
