// Reading a saved JSON result (the contract JsonReporter writes) back into the
// result model, so `clobber report` can re-render a run in any format.
#pragma once

#include <string>

#include "harness/result/result.h"

namespace clobber {

/// Reads the JSON result file at `path`. Throws InputError (exit 2) naming the
/// file and, for malformed JSON, the line and column; for a well-formed file that
/// is not a clobber result, the offending field ("cells[2].isolation").
RunResult read_json_result(const std::string& path);

/// Same, from text already in memory; `path` is used only in messages.
RunResult read_json_result_text(const std::string& text, const std::string& path);

}  // namespace clobber
