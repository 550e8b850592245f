// Reading text from files and servers code point by code point, for reporters
// that must write only valid UTF-8 (JUnit XML, Markdown): each invalid byte is
// one U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace clobber {

/// The replacement character U+FFFD, in UTF-8.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

/// Calls `visit(code_point, bytes)` for each code point of `text` in order.
/// A byte that does not start a valid, shortest-form UTF-8 sequence of a
/// Unicode scalar value (no surrogates, at most U+10FFFF) is visited alone as
/// U+FFFD with `bytes` the replacement character.
template <typename Visit>
void for_each_code_point(std::string_view text, Visit visit) {
  for (size_t at = 0; at < text.size();) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
    const unsigned char lead = byte(0);
    size_t length = 0;
    char32_t point = 0;
    char32_t min = 0;
    if (lead < 0x80) {
      length = 1;
      point = lead;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2, point = lead & 0x1F, min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3, point = lead & 0x0F, min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4, point = lead & 0x07, min = 0x10000;
    }
    bool valid = length > 0 && at + length <= text.size();
    for (size_t i = 1; valid && i < length; ++i) {
      valid = (byte(i) & 0xC0) == 0x80;
      point = (point << 6) | (byte(i) & 0x3F);
    }
    valid = valid && point >= min && point <= 0x10FFFF && (point < 0xD800 || point > 0xDFFF);
    if (!valid) {
      visit(char32_t{0xFFFD}, kReplacementCharacter);
      ++at;
      continue;
    }
    visit(point, text.substr(at, length));
    at += length;
  }
}

/// `text` with its control characters (C0, DEL and C1; tabs and newlines
/// included) as spaces and each invalid UTF-8 byte as U+FFFD: one line of
/// valid UTF-8.
inline std::string one_valid_line(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for_each_code_point(text, [&](char32_t point, std::string_view bytes) {
    const bool control = point < 0x20 || (point >= 0x7F && point < 0xA0);
    if (control)
      line += ' ';
    else
      line += bytes;
  });
  return line;
}

}  // namespace clobber
