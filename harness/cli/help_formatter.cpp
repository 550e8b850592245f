#include "harness/cli/help_formatter.h"

#include <algorithm>
#include <sstream>

namespace clobber {
namespace {

constexpr size_t kNameColumn = 30;

}  // namespace

WrappingFormatter::WrappingFormatter(size_t width) : width_(width) {
  column_width(kNameColumn);
}

size_t WrappingFormatter::room() const {
  return std::max<size_t>(30, width_ > kNameColumn ? width_ - kNameColumn : 30);
}

std::string WrappingFormatter::wrap(const std::string& text, size_t room) {
  std::string out;
  std::istringstream paragraphs(text);
  for (std::string paragraph; std::getline(paragraphs, paragraph);) {
    if (!out.empty()) out += '\n';
    std::istringstream words(paragraph);
    size_t line = 0;
    for (std::string word; words >> word;) {
      if (line > 0 && line + 1 + word.size() > room) {
        out += '\n';
        line = 0;
      }
      if (line > 0) {
        out += ' ';
        ++line;
      }
      out += word;
      line += word.size();
    }
  }
  return out;
}

std::string WrappingFormatter::make_option_desc(const CLI::Option* option) const {
  return wrap(CLI::Formatter::make_option_desc(option), room());
}

std::string WrappingFormatter::make_subcommand(const CLI::App* command) const {
  std::ostringstream out;
  CLI::detail::format_help(out, command->get_display_name(true),
                           wrap(command->get_description(), room()), column_width_);
  return out.str();
}

std::string WrappingFormatter::make_description(const CLI::App* command) const {
  const std::string description = CLI::Formatter::make_description(command);
  return description.empty() ? description : wrap(description, std::max<size_t>(40, width_)) + "\n";
}

}  // namespace clobber
