// The one factory of report files: every file format with its flag, and
// writing the files a command asked for. Adding a format is one reporter file
// and one line in kFileFormats (reports/report_files.cpp).
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "reports/reporter.h"

namespace clobber {

/// A report file format: `--NAME FILE` writes it.
struct FileFormat {
  std::string_view name;                // the flag without its dashes: "html"
  std::string_view title;               // as messages name it: "HTML"
  std::string_view help;                // the flag's help text
  std::unique_ptr<Reporter> (*make)();  // its reporter
};

/// Every report file format, in the order their files are written.
std::span<const FileFormat> file_formats();

/// The report files a command asked for: file path by format name (empty or
/// missing: not asked for).
using ReportPaths = std::map<std::string, std::string, std::less<>>;

/// Fails (InputError) before any work when an asked-for report file cannot be
/// created where asked (a missing folder, no permission), naming its flag, so
/// nothing is run only to be lost. Creates nothing that did not exist.
void check_report_paths(const ReportPaths& paths);

/// Writes `reporter`'s report of `results` to the file at `path`. Throws
/// InputError when the file cannot be written.
void write_report_file(const Reporter& reporter, const Results& results, const std::string& path);

/// Writes every asked-for report file, naming each written one on stderr. A
/// file that cannot be written is reported on stderr and the others are still
/// written. False when any was not.
bool write_report_files(const Results& results, const ReportPaths& paths);

}  // namespace clobber
