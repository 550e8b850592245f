// Runs the built clobber binary on every case of the hostile-input corpus
// (tests/hostile/cases/*.case, format in tests/hostile/README.md) whose `needs:`
// is this binary's CLOBBER_HOSTILE_NEEDS, and checks its exit code and output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/common/clobber_binary.h"
#include "tests/hostile/run_clobber.h"

namespace {

namespace fs = std::filesystem;

const fs::path kHostile = fs::path(CLOBBER_SOURCE_DIR) / "tests" / "hostile";

/// One parsed .case file.
struct Case {
  std::string name;
  std::string args;
  int exit_code = -1;
  std::vector<std::string> stderr_fragments;
  std::vector<std::string> stdout_fragments;
  std::vector<std::string> absent;
  std::string needs = "none";
  std::string error;  // a malformed case file: the test fails with this
};

/// GoogleTest prints a case by its name.
void PrintTo(const Case& c, std::ostream* out) {
  *out << c.name;
}

Case read_case(const fs::path& path) {
  Case c;
  c.name = path.stem().string();
  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      c.error = path.string() + ":" + std::to_string(number) + ": expected `key: value`";
      return c;
    }
    const std::string key = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (key == "args")
      c.args = value;
    else if (key == "exit")
      c.exit_code = std::atoi(value.c_str());
    else if (key == "stderr")
      c.stderr_fragments.push_back(value);
    else if (key == "stdout")
      c.stdout_fragments.push_back(value);
    else if (key == "absent")
      c.absent.push_back(value);
    else if (key == "needs")
      c.needs = value;
    else
      c.error = path.string() + ":" + std::to_string(number) + ": unknown key '" + key + "'";
  }
  if (c.args.empty() || c.exit_code < 0) c.error = path.string() + ": needs `args:` and `exit:`";
  if (c.needs != "none" && c.needs != "postgres" && c.needs != "mysql")
    c.error = path.string() + ": needs must be none, postgres or mysql";
  return c;
}

std::vector<Case> cases_for(const std::string& needs) {
  std::vector<Case> out;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(kHostile / "cases"))
    if (entry.path().extension() == ".case") paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  for (const fs::path& path : paths) {
    Case c = read_case(path);
    if (c.needs == needs || !c.error.empty()) out.push_back(std::move(c));
  }
  return out;
}

/// Splits like a shell: spaces separate, single quotes keep text as is.
std::vector<std::string> split_args(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  bool in_word = false, quoted = false;
  for (char ch : text) {
    if (quoted) {
      if (ch == '\'')
        quoted = false;
      else
        current += ch;
    } else if (ch == '\'') {
      quoted = in_word = true;
    } else if (ch == ' ' || ch == '\t') {
      if (in_word) out.push_back(current);
      current.clear();
      in_word = false;
    } else {
      current += ch;
      in_word = true;
    }
  }
  if (in_word) out.push_back(current);
  return out;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

class Hostile : public ::testing::TestWithParam<Case> {};

TEST_P(Hostile, ExitsAndSaysWhatTheCaseExpects) {
  const Case& c = GetParam();
  ASSERT_EQ(c.error, "");
  std::string args = c.args;
  for (const auto& [placeholder, variable] :
       {std::pair<std::string, const char*>{"{pg}", "CLOBBER_TEST_PG_URL"},
        {"{mysql}", "CLOBBER_TEST_MYSQL_URL"}}) {
    if (args.find(placeholder) == std::string::npos) continue;
    const std::string url = clobber::testing::server_url(variable);
    ASSERT_NE(url, "");
    replace_all(args, placeholder, url);
  }
  const clobber::testing::TempDir tmp("clobber_hostile_" + c.name + "_");
  replace_all(args, "{dir}", (kHostile / "inputs").string());
  replace_all(args, "{tmp}", tmp.path().string());
  const clobber::testing::Ran ran = clobber::testing::run_clobber(split_args(args), tmp);
  EXPECT_EQ(ran.exit_code, c.exit_code) << "stdout:\n" << ran.out << "\nstderr:\n" << ran.err;
  for (const std::string& fragment : c.stderr_fragments)
    EXPECT_NE(ran.err.find(fragment), std::string::npos)
        << "stderr lacks: " << fragment << "\nstderr:\n"
        << ran.err;
  for (const std::string& fragment : c.stdout_fragments)
    EXPECT_NE(ran.out.find(fragment), std::string::npos)
        << "stdout lacks: " << fragment << "\nstdout:\n"
        << ran.out;
  for (const std::string& fragment : c.absent) {
    EXPECT_EQ(ran.out.find(fragment), std::string::npos) << "stdout shows: " << fragment;
    EXPECT_EQ(ran.err.find(fragment), std::string::npos) << "stderr shows: " << fragment;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, Hostile, ::testing::ValuesIn(cases_for(CLOBBER_HOSTILE_NEEDS)),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Hostile);

}  // namespace
