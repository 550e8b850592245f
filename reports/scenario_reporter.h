// Reporters for scenario runs (`clobber scenario`): each reads only the
// scenario result model (harness/scenario/scenario_result.h).
#pragma once

#include <ostream>
#include <string>

#include "harness/scenario/scenario_result.h"

namespace clobber {

/// Renders a ScenarioRunResult in one format.
class ScenarioReporter {
 public:
  virtual ~ScenarioReporter() = default;
  /// Writes the whole report for `result` to `out`.
  virtual void report(const ScenarioRunResult& result, std::ostream& out) const = 0;
};

/// Console: each scenario's header and, when asked, every cell's trace with its
/// verdict; then the matrix (rows database x isolation level, one column per
/// scenario, each entry ANOMALY or how it was prevented) and a summary line.
class ScenarioConsoleReporter : public ScenarioReporter {
 public:
  /// `color`: ANSI colors (only on a terminal); `traces`: print every trace.
  ScenarioConsoleReporter(bool color, bool traces) : color_(color), traces_(traces) {}
  void report(const ScenarioRunResult& result, std::ostream& out) const override;

 private:
  bool color_;
  bool traces_;
};

/// JSON: every scenario with every cell's trace and verdict, then the matrix
/// (docs/scenario-format.md, "JSON").
class ScenarioJsonReporter : public ScenarioReporter {
 public:
  void report(const ScenarioRunResult& result, std::ostream& out) const override;
};

/// The matrix label of a database: its kind and version ("postgresql 15.20",
/// "mariadb 10.11.19").
std::string scenario_database_label(const DatabaseInfo& database);

/// Writes `reporter`'s output to the file at `path`. Throws InputError when the
/// file cannot be written.
void write_scenario_report_file(const ScenarioReporter& reporter, const ScenarioRunResult& result,
                                const std::string& path);

}  // namespace clobber
