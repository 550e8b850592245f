// Reading a saved JSON result (the contract JsonReporter writes) back into the
// result model, so `clobber report` can re-render a run or a scenario run in
// any format.
#pragma once

#include <string>

#include "reports/reporter.h"

namespace clobber {

/// Reads the JSON result file at `path`: a run or a scenario run, by its
/// `kind` (a file without one is a run). Throws InputError (exit 2) naming the
/// file and, for malformed JSON, the line and column; for a well-formed file that
/// is not a clobber result, the offending field ("cells[2].isolation").
Results read_json_result(const std::string& path);

/// Same, from text already in memory; `path` is used only in messages.
Results read_json_result_text(const std::string& text, const std::string& path);

}  // namespace clobber
