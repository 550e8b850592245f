// One reporter class per output format (console, JSON, HTML, JUnit, Markdown);
// each renders both kinds of result, a workload run and a scenario run, and
// reads only the result models (harness/result/result.h,
// harness/scenario/scenario_result.h). reports/report_files.h picks them by flag.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "harness/result/result.h"
#include "harness/scenario/scenario_result.h"

namespace clobber {

/// What a report is about: a workload run (`clobber run`, JSON kind "run") or a
/// scenario run (`clobber scenario`, JSON kind "scenario").
using Results = std::variant<RunResult, ScenarioRunResult>;

/// Renders results in one format.
class Reporter {
 public:
  virtual ~Reporter() = default;
  /// Writes the whole report of a workload run to `out`.
  virtual void report(const RunResult& result, std::ostream& out) const = 0;
  /// Writes the whole report of a scenario run to `out`.
  virtual void report(const ScenarioRunResult& result, std::ostream& out) const = 0;
};

/// Writes the report of whichever kind `results` holds.
void render(const Reporter& reporter, const Results& results, std::ostream& out);

/// How the console report is laid out.
struct ConsoleOptions {
  bool color = false;    // ANSI colors (only on a terminal)
  bool traces = false;   // print every scenario cell's trace
  size_t width = 120;    // columns the report fits (the terminal's, else 120)
  bool wide = false;     // every column whatever the width (--wide)
  bool verbose = false;  // the workload's whole description (--verbose)
};

/// Console tables. A run: one row per cell (grouped by database; unsupported
/// cells in one block), the comparison, failed cells' details and the verdict.
/// A scenario run: each scenario's header and, when asked, every cell's trace;
/// then the matrix (rows database x isolation level, one column per scenario,
/// split into several tables when it is wider than the width) and a summary.
/// Lines fit `ConsoleOptions::width` unless `wide` (or a single word is longer).
class ConsoleReporter : public Reporter {
 public:
  /// Lays the report out as `options` say.
  explicit ConsoleReporter(ConsoleOptions options = {}) : options_(options) {}
  void report(const RunResult& result, std::ostream& out) const override;
  void report(const ScenarioRunResult& result, std::ostream& out) const override;

 private:
  ConsoleOptions options_;
};

/// JSON: the result contract of docs/reports.md; every document says its
/// `kind`. reports/json_reader.cpp reads both kinds back.
class JsonReporter : public Reporter {
 public:
  void report(const RunResult& result, std::ostream& out) const override;
  void report(const ScenarioRunResult& result, std::ostream& out) const override;
};

/// JUnit XML (docs/reports.md, "JUnit"). A run: one test suite per database,
/// one test case per cell (skipped: unsupported; error: could not run;
/// failure: failed expectations and the first witness). A scenario run: one
/// suite per scenario, one case per database x isolation level (error and
/// skipped likewise; an anomaly passes, the verdict in its system-out).
class JunitReporter : public Reporter {
 public:
  void report(const RunResult& result, std::ostream& out) const override;
  void report(const ScenarioRunResult& result, std::ostream& out) const override;
};

/// A Markdown summary for $GITHUB_STEP_SUMMARY or a pull-request comment
/// (docs/reports.md, "Markdown"): the verdict, the matrix, what failed with one
/// witness each; lines within 100 columns where they can be.
class MarkdownReporter : public Reporter {
 public:
  void report(const RunResult& result, std::ostream& out) const override;
  void report(const ScenarioRunResult& result, std::ostream& out) const override;
};

/// HTML: one self-contained page (inline CSS and SVG, no script, a CSP that
/// forbids every fetch) with the banner, the matrix, charts and folded details
/// of every cell, a glossary and the raw JSON; docs/reports.md says what is
/// capped. reports/html_reporter.cpp.
class HtmlReporter : public Reporter {
 public:
  void report(const RunResult& result, std::ostream& out) const override;
  void report(const ScenarioRunResult& result, std::ostream& out) const override;
};

/// How every report names a database: its kind and version, MariaDB told
/// apart from MySQL ("postgresql 15.20", "mariadb 10.11.19", "sqlite 3.40.1").
std::string database_label(const DatabaseInfo& database);

/// How a report tells `database` apart from the others of `all`: its
/// database_label, followed by its masked URL when another has the same label.
std::string database_name_among(const DatabaseInfo& database,
                                const std::vector<const DatabaseInfo*>& all);

}  // namespace clobber
