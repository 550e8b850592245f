// The harness's exceptions. Aborts and rejections are data (see drivers/driver.h);
// these are for failures of the harness itself, each mapped to an exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace clobber {

/// A place in an input file: 1-based line and column.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  /// "file:line:column", or just the file when the position is unknown.
  std::string str() const;
};

/// Bad user input (YAML, flags, URLs, expressions): exit code 2.
class InputError : public std::runtime_error {
 public:
  /// Error at a known place; what() reads "file:line:column: message".
  InputError(SourceLocation where, const std::string& message);
  /// Error without a place (a flag, a URL).
  explicit InputError(const std::string& message);
  /// Where the error is; line 0 when unknown.
  const SourceLocation& where() const { return where_; }
  /// The message without the location prefix.
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string message_;
};

/// A database could not be reached, set up or cleaned up: exit code 3.
class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The connection broke while running admin SQL (Session::query): the statement
/// may or may not have been applied; Session::reconnect() may help.
class ConnectionLost : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};

/// Process exit codes (README.md, "Exit codes"; docs/architecture.md).
enum ExitCode : int {
  kExitPass = 0,
  kExitExpectationFailed = 1,
  kExitBadInput = 2,
  kExitDatabaseError = 3
};

}  // namespace clobber
