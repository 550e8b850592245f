// The folders' layering (docs/architecture.md, "Folders"): a folder includes
// only folders below it. common/ is the bottom and includes nothing of
// clobber's; drivers/ includes only common/ and itself; and only drivers/
// names a concrete database. Scanned from the source tree, so a new include
// or a new switch on the database that breaks the order fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

/// One `#include "..."` of clobber's own: the file that has it and the path.
struct Include {
  std::string file;
  std::string path;
};

/// Every quoted include in the .h and .cpp files under `folder`.
std::vector<Include> includes_under(const std::string& folder) {
  std::vector<Include> found;
  const fs::path root = fs::path(CLOBBER_SOURCE_DIR) / folder;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string extension = entry.path().extension().string();
    if (!entry.is_regular_file() || (extension != ".h" && extension != ".cpp")) continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      const std::string directive = "#include \"";
      if (!line.starts_with(directive)) continue;
      const size_t end = line.find('"', directive.size());
      found.push_back(Include{fs::relative(entry.path(), CLOBBER_SOURCE_DIR).string(),
                              line.substr(directive.size(), end - directive.size())});
    }
  }
  return found;
}

/// The includes under `folder` outside the folders in `allowed`.
std::vector<std::string> violations(const std::string& folder,
                                    const std::vector<std::string>& allowed) {
  std::vector<std::string> bad;
  for (const Include& include : includes_under(folder)) {
    bool ok = false;
    for (const std::string& prefix : allowed) ok = ok || include.path.starts_with(prefix);
    if (!ok) bad.push_back(include.file + " includes " + include.path);
  }
  return bad;
}

TEST(Layering, CommonIncludesNothingOfClobbers) {
  EXPECT_EQ(violations("common", {"common/"}), std::vector<std::string>{});
}

TEST(Layering, DriversIncludeOnlyCommonAndThemselves) {
  EXPECT_EQ(violations("drivers", {"common/", "drivers/"}), std::vector<std::string>{});
}

/// Each line under the product's folders outside drivers/ that names one
/// concrete database kind (`DatabaseKind::postgresql`, ...), as "file:line".
/// common/types.* declares the kinds and their names, and is exempt.
std::vector<std::string> database_kinds_named_outside_drivers() {
  const std::regex kind(R"(DatabaseKind::(sqlite|postgresql|mysql|redis)\b)");
  std::vector<std::string> found;
  for (const std::string folder : {"common", "harness", "reports"}) {
    const fs::path root = fs::path(CLOBBER_SOURCE_DIR) / folder;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      const std::string extension = entry.path().extension().string();
      if (!entry.is_regular_file() || (extension != ".h" && extension != ".cpp")) continue;
      const std::string file = fs::relative(entry.path(), CLOBBER_SOURCE_DIR).string();
      if (file.starts_with("common/types.")) continue;
      std::ifstream in(entry.path());
      int number = 0;
      for (std::string line; std::getline(in, line);)
        if (++number; std::regex_search(line, kind))
          found.push_back(file + ":" + std::to_string(number));
    }
  }
  return found;
}

TEST(Layering, OnlyDriversNameAConcreteDatabase) {
  // A database's behaviour belongs to its driver (drivers/<database>/): the
  // plan, runner, scenarios and reports ask the driver, never switch on it.
  EXPECT_EQ(database_kinds_named_outside_drivers(), std::vector<std::string>{});
}

TEST(Layering, TheScanSeesIncludes) {
  // A scan that found nothing would pass the tests above for no reason.
  EXPECT_GT(includes_under("drivers").size(), 10u);
  EXPECT_GT(includes_under("common").size(), 1u);
}

}  // namespace
