#include "reports/report_files.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fmt/core.h>

#include "common/errors.h"

namespace clobber {
namespace {

template <typename Format>
std::unique_ptr<Reporter> make() {
  return std::make_unique<Format>();
}

constexpr std::array kFileFormats{
    FileFormat{"json", "JSON", "Write the JSON result to this file (clobber report re-renders it)",
               &make<JsonReporter>},
    FileFormat{"html", "HTML",
               "Write a self-contained HTML report to this file (opens offline, no script)",
               &make<HtmlReporter>},
    FileFormat{"junit", "JUnit", "Write JUnit XML to this file (one test case per cell)",
               &make<JunitReporter>},
    FileFormat{"markdown", "Markdown",
               "Write a Markdown summary to this file (e.g. $GITHUB_STEP_SUMMARY)",
               &make<MarkdownReporter>},
};

/// The path asked for `format`, or empty.
const std::string& path_of(const ReportPaths& paths, std::string_view format) {
  static const std::string none;
  const auto it = paths.find(format);
  return it == paths.end() ? none : it->second;
}

}  // namespace

std::span<const FileFormat> file_formats() {
  return kFileFormats;
}

void render(const Reporter& reporter, const Results& results, std::ostream& out) {
  std::visit([&](const auto& result) { reporter.report(result, out); }, results);
}

void check_report_paths(const ReportPaths& paths) {
  for (const FileFormat& format : kFileFormats) {
    const std::string& path = path_of(paths, format.name);
    if (path.empty()) continue;
    const bool existed = access(path.c_str(), F_OK) == 0;
    std::FILE* file = std::fopen(path.c_str(), "a");
    if (!file)
      throw InputError(
          fmt::format("--{}: cannot write {}: {}", format.name, path, std::strerror(errno)));
    std::fclose(file);
    if (!existed) std::remove(path.c_str());
  }
}

void write_report_file(const Reporter& reporter, const Results& results, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    throw InputError(SourceLocation{path, 0, 0},
                     std::string("cannot write: ") + std::strerror(errno));
  render(reporter, results, out);
  out.flush();
  if (!out)
    throw InputError(SourceLocation{path, 0, 0},
                     std::string("cannot write: ") + std::strerror(errno));
}

bool write_report_files(const Results& results, const ReportPaths& paths) {
  bool all_written = true;
  for (const FileFormat& format : kFileFormats) {
    const std::string& path = path_of(paths, format.name);
    if (path.empty()) continue;
    try {
      write_report_file(*format.make(), results, path);
      fmt::print(stderr, "clobber: wrote {}\n", path);
    } catch (const std::exception& e) {
      fmt::print(stderr, "clobber: {} (the {} report was not written)\n", e.what(), format.title);
      all_written = false;
    }
  }
  return all_written;
}

}  // namespace clobber
