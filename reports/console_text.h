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

 private:
  bool on_;
};

/// Terminal columns `text` takes: its UTF-8 code points.
inline size_t display_width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace clobber
