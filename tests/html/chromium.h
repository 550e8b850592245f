// Headless Chromium (Debian's `chromium`) for the HTML report tests: opens a
// file with every name resolving to nothing, dumps its DOM or writes a
// screenshot, and tells what the page logged to the console and what it
// requested. The tests fail, never skip, when Chromium is missing:
// scripts/install_deps.sh installs it.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/clobber_binary.h"

namespace clobber::testing {

/// A fresh, empty folder `name` under artifacts/ in the working directory
/// (ctest runs tests in build/tests/html), for a test's pages and screenshots.
inline std::filesystem::path artifacts_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::current_path() / "artifacts" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// The chromium executable on PATH, or empty.
inline std::filesystem::path chromium_path() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / "chromium";
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

/// What one Chromium run showed.
struct BrowserRun {
  int exit_code = -1;          // -1: killed after the timeout, or by a signal
  std::string dom;             // --dump-dom: the DOM after load
  std::string console;         // the console messages the page logged, one a line
  std::set<std::string> urls;  // every URL requested but the page's own and Chromium's services
};

/// Opens `html` in headless Chromium with `mode` ("--dump-dom" or
/// "--screenshot=PATH"), every host name mapped to nothing, logging to stderr
/// and a network log, all in the folder `work`; kills it after 30 s.
inline BrowserRun open_in_chromium(const std::filesystem::path& html, const std::string& mode,
                                   const std::filesystem::path& work) {
  BrowserRun run;
  const std::filesystem::path chromium = chromium_path();
  if (chromium.empty()) {
    ADD_FAILURE() << "chromium is not installed: run scripts/install_deps.sh (Debian package "
                     "chromium)";
    return run;
  }
  std::filesystem::create_directories(work);
  const std::filesystem::path out_path = work / "chromium.out", err_path = work / "chromium.err";
  const std::filesystem::path net_log = work / "net-log.json";
  const std::string page = "file://" + std::filesystem::absolute(html).string();
  std::vector<std::string> args{chromium.string(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--disable-extensions",
                                "--hide-scrollbars",
                                "--user-data-dir=" + (work / "profile").string(),
                                "--host-resolver-rules=MAP * ~NOTFOUND",
                                "--enable-logging=stderr",
                                "--v=0",
                                "--log-net-log=" + net_log.string(),
                                "--window-size=1280,2000",
                                mode,
                                page};
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(out_path.c_str(), "w", stdout) || !freopen(err_path.c_str(), "w", stderr))
      _exit(127);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "chromium did not end within 30 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  std::filesystem::remove_all(work / "profile");  // megabytes nobody reads
  run.dom = read_file(out_path);
  // Console messages (errors, CSP violations, uncaught exceptions) are logged
  // as "[pid:tid:time:LEVEL:CONSOLE:line] "message", source: ...".
  std::istringstream err(read_file(err_path));
  for (std::string line; std::getline(err, line);)
    if (line.find(":CONSOLE") != std::string::npos) run.console += line + "\n";
  // The network log names every URL requested; Chromium's own update, time
  // and account checks (Google hosts) are not the page's.
  const std::string log = read_file(net_log);
  static const std::regex url(R"re("url":"([a-z-]+://[^"]*)")re");
  static const std::regex own(R"(^https?://[a-z0-9.-]*(google\.com|googleapis\.com|gvt1\.com)/)");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), url); it != std::sregex_iterator();
       ++it) {
    const std::string requested = (*it)[1];
    if (requested != page && !std::regex_search(requested, own)) run.urls.insert(requested);
  }
  return run;
}

/// Every src= or href= in `html` that names something outside the page: a
/// URL with a scheme other than data: or an in-page anchor, or a //host one.
inline std::vector<std::string> outside_references(const std::string& html) {
  static const std::regex reference(R"re(\b(src|href)\s*=\s*["']?\s*([^"'\s>]*))re",
                                    std::regex::icase);
  std::vector<std::string> outside;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference);
       it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[2];
    if (target.rfind("#", 0) == 0 || target.rfind("data:", 0) == 0) continue;
    outside.push_back((*it)[0]);
  }
  return outside;
}

}  // namespace clobber::testing
