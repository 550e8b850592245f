#include "reports/reporter.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "harness/common/errors.h"

namespace clobber {

void write_report_file(const Reporter& reporter, const RunResult& result, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    throw InputError(SourceLocation{path, 0, 0},
                     std::string("cannot write: ") + std::strerror(errno));
  reporter.report(result, out);
  out.flush();
  if (!out)
    throw InputError(SourceLocation{path, 0, 0},
                     std::string("cannot write: ") + std::strerror(errno));
}

}  // namespace clobber
