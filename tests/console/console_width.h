// What the console width tests share: running the built clobber with stdout a
// pipe or a pseudo-terminal, and measuring the lines it prints.
#pragma once

#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "tests/common/clobber_binary.h"

namespace clobber::testing {

/// What clobber printed on stdout and how it exited.
struct Console {
  std::string text;
  int exit_code = -1;
};

/// Runs `clobber ARGS` (a shell command line after the binary) with stdout a
/// pipe (not a terminal) and stderr discarded.
inline Console console_of(const std::string& args) {
  const Invocation run = clobber_stdout(args);
  return Console{run.output, run.exit_code};
}

/// Runs clobber with `args` on a pseudo-terminal `columns` wide, COLUMNS set
/// to the same; returns everything the terminal showed.
inline Console console_on_terminal(const std::vector<std::string>& args, unsigned short columns) {
  Console console;
  winsize size{};
  size.ws_row = 50;
  size.ws_col = columns;
  int master = -1;
  const pid_t child = forkpty(&master, nullptr, nullptr, &size);
  if (child < 0) return console;
  if (child == 0) {
    setenv("COLUMNS", std::to_string(columns).c_str(), 1);
    std::vector<char*> argv{const_cast<char*>("clobber")};
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(CLOBBER_BINARY, argv.data());
    _exit(127);
  }
  std::array<char, 4096> buffer;
  for (ssize_t n; (n = read(master, buffer.data(), buffer.size())) > 0;)
    console.text.append(buffer.data(), static_cast<size_t>(n));
  close(master);
  int status = 0;
  waitpid(child, &status, 0);
  console.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return console;
}

/// `text` without ANSI escape sequences (ESC [ ... letter) and carriage returns.
inline std::string plain(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && !(text[i] >= '@' && text[i] <= '~')) ++i;
      continue;
    }
    if (text[i] != '\r') out += text[i];
  }
  return out;
}

/// Terminal columns of a line: its UTF-8 code points.
inline size_t columns_of(const std::string& line) {
  size_t columns = 0;
  for (char c : line) columns += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return columns;
}

/// The lines of `text` (escapes stripped) wider than `width` columns, each
/// with its width; empty when everything fits.
inline std::string too_wide(const std::string& text, size_t width) {
  std::istringstream lines(plain(text));
  std::string wide;
  for (std::string line; std::getline(lines, line);)
    if (columns_of(line) > width) wide += std::to_string(columns_of(line)) + ": " + line + "\n";
  return wide;
}

/// The widest line of `text` (escapes stripped), in columns.
inline size_t widest(const std::string& text) {
  std::istringstream lines(plain(text));
  size_t most = 0;
  for (std::string line; std::getline(lines, line);) most = std::max(most, columns_of(line));
  return most;
}

}  // namespace clobber::testing
