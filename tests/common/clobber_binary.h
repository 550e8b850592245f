// What the tests that run the built clobber binary (CLOBBER_BINARY) share:
// running it through the shell, reading the files it writes, shell quoting,
// a temporary directory per test, and the test servers' URLs.
#pragma once

#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace clobber::testing {

/// What a shell command printed and how it exited.
struct Invocation {
  int exit_code = -1;  // -1 when it did not exit normally or could not start
  std::string output;  // what it wrote to the pipe
};

/// What a run of the binary printed, stdout and stderr apart, and how it exited.
struct Separated {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// The exit code in a wait status, -1 when the process did not exit normally.
inline int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The whole of a file, or "" when it does not exist.
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// `text` as one single-quoted shell word.
inline std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// True when `needle` occurs in `text`.
inline bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

/// `text` with each line break and the indent after it as one space: a line
/// the console wrapped to its width reads as one.
inline std::string flat(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      out += text[i];
      continue;
    }
    out += ' ';
    while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
  }
  return out;
}

/// Runs the shell `command` and returns its stdout and exit code.
inline Invocation run_shell(const std::string& command) {
  Invocation run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer;
  for (size_t n; (n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
    run.output.append(buffer.data(), n);
  run.exit_code = exit_code_of(pclose(pipe));
  return run;
}

/// Runs `clobber ARGS` through the shell (ARGS are shell words), stderr merged into stdout.
inline Invocation clobber(const std::string& args) {
  return run_shell(quoted(CLOBBER_BINARY) + " " + args + " 2>&1");
}

/// Runs `clobber ARGS` through the shell with stderr discarded: stdout only.
inline Invocation clobber_stdout(const std::string& args) {
  return run_shell(quoted(CLOBBER_BINARY) + " " + args + " 2>/dev/null");
}

/// Runs `PREFIX clobber ARGS` through the shell (PREFIX: shell words before the
/// binary, e.g. "cd DIR && env X=1"), stdout and stderr apart through the files
/// `out` and `err` in `dir`.
inline Separated clobber_apart(const std::string& args, const std::filesystem::path& dir,
                               const std::string& prefix = "") {
  const std::string command = prefix + (prefix.empty() ? "" : " ") + quoted(CLOBBER_BINARY) + " " +
                              args + " >" + quoted((dir / "out").string()) + " 2>" +
                              quoted((dir / "err").string());
  Separated run;
  run.exit_code = exit_code_of(std::system(command.c_str()));
  run.out = read_file(dir / "out");
  run.err = read_file(dir / "err");
  return run;
}

/// A fresh directory in the system's temporary folder, removed with everything
/// in it on destruction; throws when it cannot be made (gtest fails the test).
class TempDir {
 public:
  /// Makes `<tmp>/<prefix>XXXXXX`.
  explicit TempDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp " + pattern + " failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The directory.
  const std::filesystem::path& path() const { return path_; }
  /// The directory, where a path is wanted.
  operator const std::filesystem::path&() const { return path_; }
  /// `name` in the directory.
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// The test server URL in the environment `variable` (CLOBBER_TEST_PG_URL,
/// CLOBBER_TEST_MYSQL_URL); when unset, fails the test and returns "" (callers
/// stop with ASSERT_NE(url, "")).
inline std::string server_url(const char* variable) {
  const char* url = std::getenv(variable);
  if (url != nullptr && *url != '\0') return url;
  ADD_FAILURE() << variable << " is not set: run the suite with scripts/test.sh, which starts "
                << "throwaway servers and sets it";
  return "";
}

}  // namespace clobber::testing
