// Every tests/scenario/bad/*.yaml starts with `# error: LINE:COLUMN: text`:
// loading it must fail with an InputError at exactly that place whose message
// contains text.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "harness/scenario/scenario_loader.h"

namespace clobber {
namespace {

namespace fs = std::filesystem;

const fs::path kBadDir = fs::path(CLOBBER_SOURCE_DIR) / "tests" / "scenario" / "bad";

std::vector<std::string> bad_files() {
  std::vector<std::string> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(kBadDir))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

class BadScenario : public testing::TestWithParam<std::string> {};

TEST_P(BadScenario, FailsAtTheDeclaredPlace) {
  const std::string path = (kBadDir / GetParam()).string();
  std::ifstream in(path);
  std::string first_line;
  std::getline(in, first_line);
  std::smatch match;
  static const std::regex kExpected(R"(^# error: (\d+):(\d+): (.+)$)");
  ASSERT_TRUE(std::regex_match(first_line, match, kExpected))
      << path << " must start with '# error: LINE:COLUMN: message'";
  try {
    load_scenario_file(path);
    FAIL() << path << " loaded without an error";
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().file, path);
    EXPECT_EQ(error.where().line, std::stoi(match[1])) << error.what();
    EXPECT_EQ(error.where().column, std::stoi(match[2])) << error.what();
    EXPECT_NE(error.message().find(match[3]), std::string::npos)
        << error.what() << "\n  expected to contain: " << match[3];
  }
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, BadScenario, testing::ValuesIn(bad_files()), test_name);

TEST(BadScenarios, EnoughFiles) {
  EXPECT_GE(bad_files().size(), 30u);
}

}  // namespace
}  // namespace clobber
