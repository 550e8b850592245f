// One reporter class per output format; each reads only the result model.
#pragma once

#include <ostream>
#include <string>

#include "harness/result/result.h"

namespace clobber {

/// Renders a RunResult in one format.
class Reporter {
 public:
  virtual ~Reporter() = default;
  /// Writes the whole report for `result` to `out`.
  virtual void report(const RunResult& result, std::ostream& out) const = 0;
};

/// Console tables: one row per cell, then the run verdict.
class ConsoleReporter : public Reporter {
 public:
  /// `color`: ANSI colors for verdicts (only when writing to a terminal).
  explicit ConsoleReporter(bool color = false) : color_(color) {}
  void report(const RunResult& result, std::ostream& out) const override;

 private:
  bool color_;
};

/// The JSON result contract of design.md.
class JsonReporter : public Reporter {
 public:
  void report(const RunResult& result, std::ostream& out) const override;
};

/// Writes `reporter`'s output to the file at `path`. Throws InputError when the
/// file cannot be written.
void write_report_file(const Reporter& reporter, const RunResult& result, const std::string& path);

}  // namespace clobber
