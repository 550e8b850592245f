// Runs the built clobber binary (CLOBBER_BINARY) as a child process and
// collects its exit code and output; for the hostile-input tests.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/clobber_binary.h"

namespace clobber::testing {

/// What one run of clobber did.
struct Ran {
  int exit_code = -1;  // -1: killed after the timeout, or by a signal
  std::string out, err;
};

/// Runs clobber with `args`, its output kept in files under `tmp`; kills it
/// (and fails the test) after 60 s.
inline Ran run_clobber(const std::vector<std::string>& args, const std::filesystem::path& tmp) {
  const std::filesystem::path out_path = tmp / "stdout.txt", err_path = tmp / "stderr.txt";
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(out_path.c_str(), "w", stdout) || !freopen(err_path.c_str(), "w", stderr))
      _exit(127);
    std::vector<char*> argv;
    std::string binary = CLOBBER_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (std::string& arg : copy) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  Ran ran;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "clobber did not end within 60 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status)) ran.exit_code = WEXITSTATUS(status);
  ran.out = read_file(out_path);
  ran.err = read_file(err_path);
  return ran;
}

}  // namespace clobber::testing
