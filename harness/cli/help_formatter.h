// `--help` that fits the terminal: CLI11's formatter with every description
// wrapped to the width left beside the option column.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace clobber {

/// CLI11's formatter, wrapping option and subcommand descriptions to `width`
/// columns in all (the terminal's, at most 120).
class WrappingFormatter : public CLI::Formatter {
 public:
  /// Wraps to `width` columns, the option names in a column of 30.
  explicit WrappingFormatter(size_t width);
  std::string make_option_desc(const CLI::Option* option) const override;
  std::string make_subcommand(const CLI::App* command) const override;
  std::string make_description(const CLI::App* command) const override;

 private:
  /// `text` broken into lines of at most `room` columns.
  static std::string wrap(const std::string& text, size_t room);
  /// Columns beside the option names.
  size_t room() const;

  size_t width_;
};

}  // namespace clobber
