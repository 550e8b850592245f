// What the console reporters share: ANSI colors, painting only when colors are
// on, and the terminal width of UTF-8 text.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace clobber {

inline constexpr std::string_view kReset = "\x1b[0m";
inline constexpr std::string_view kBold = "\x1b[1m";
inline constexpr std::string_view kDim = "\x1b[2m";
inline constexpr std::string_view kRed = "\x1b[31m";
inline constexpr std::string_view kGreen = "\x1b[32m";
inline constexpr std::string_view kYellow = "\x1b[33m";

/// Wraps text in an ANSI color when colors are on.
class Paint {
 public:
  /// Colors only when `on`.
  explicit Paint(bool on) : on_(on) {}
  /// `text` in `color`, or as it is when colors are off.
  std::string operator()(std::string_view text, std::string_view color) const {
    if (!on_ || color.empty() || text.empty()) return std::string(text);
    return fmt::format("{}{}{}", color, text, kReset);
  }
  /// Each line of `text` in `color` (newlines left uncolored), so that a
  /// wrapped paragraph never carries its color past a line's end.
  std::string lines(std::string_view text, std::string_view color) const {
    std::string out;
    while (!text.empty()) {
      const size_t end = std::min(text.find('\n'), text.size());
      out += (*this)(text.substr(0, end), color);
      if (end < text.size()) out += '\n';
      text.remove_prefix(std::min(end + 1, text.size()));
    }
    return out;
  }

 private:
  bool on_;
};

/// Terminal columns `text` takes: its UTF-8 code points.
inline size_t display_width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

/// `line` (one line of text, words between spaces) on one line per `width` columns at most (longer
/// words stay whole), the first line starting with `indent`, the next ones with `rest`.
inline std::string wrap_words(std::string_view line, std::string_view indent, std::string_view rest,
                              size_t width) {
  std::string out;
  size_t line_width = 0;
  bool first = true;
  for (size_t at = 0; at < line.size();) {
    const size_t start = line.find_first_not_of(' ', at);
    if (start == std::string::npos) break;
    const size_t end = std::min(line.find(' ', start), line.size());
    const std::string_view word(line.data() + start, end - start);
    if (line_width > 0 && line_width + 1 + display_width(word) > width) {
      out += '\n';
      line_width = 0;
    }
    if (line_width == 0) {
      const std::string_view lead = first ? indent : rest;
      out += lead;
      line_width = display_width(lead);
      first = false;
    } else {
      out += ' ';
      ++line_width;
    }
    out += word;
    line_width += display_width(word);
    at = end;
  }
  return out.empty() ? out : out + '\n';
}

}  // namespace clobber
