// Output tests in the style of google/benchmark's test/output_test.h: a
// report's lines are matched in order against patterns, each literal text with
// placeholders, found anywhere in its line unless anchored with a leading `^`
// and a trailing `$`. A pattern matches a later line (the default), the very
// next line, or must match no line before the next pattern's match.
#pragma once

#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace clobber::testing {

/// Where a pattern's line must be, relative to the previous pattern's line.
enum class MatchRule {
  later,  // some later line (the first that matches is taken)
  next,   // the line right after the previous match (or the first line)
  never,  // no line from the previous match to the next pattern's match (or the end)
};

/// One expected line.
struct OutputPattern {
  std::string text;  // literal text with placeholders (see expand_pattern)
  MatchRule rule = MatchRule::later;
};

/// The regular expression of a pattern: its text literal except for the
/// placeholders %int (-12), %float (1.25, 3), %percent (12%, <1%, >99%),
/// %word (no spaces), %sp (one or more spaces) and %any (anything); a leading
/// `^` and a trailing `$` anchor it to the line's start and end.
inline std::string expand_pattern(std::string_view text) {
  static const std::vector<std::pair<std::string_view, std::string_view>> kPlaceholders{
      {"%int", "-?[0-9]+"},
      {"%float", "-?[0-9]+(?:\\.[0-9]+)?"},
      {"%percent", "(?:<1|>99|[0-9]{1,3})%"},
      {"%word", "\\S+"},
      {"%sp", " +"},
      {"%any", ".*"}};
  std::string regex;
  size_t at = 0, end = text.size();
  if (text.starts_with('^')) regex += '^', at = 1;
  const bool anchored_end = end > at && text.ends_with('$');
  if (anchored_end) --end;
  while (at < end) {
    bool placeholder = false;
    for (const auto& [name, expansion] : kPlaceholders)
      if (text.substr(at, end - at).starts_with(name)) {
        regex += expansion;
        at += name.size();
        placeholder = true;
        break;
      }
    if (placeholder) continue;
    const char c = text[at++];
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) regex += '\\';
    regex += c;
  }
  if (anchored_end) regex += '$';
  return regex;
}

/// Whether `line` matches `pattern` (see expand_pattern).
inline bool line_matches(const std::string& line, const std::string& pattern) {
  return std::regex_search(line, std::regex(expand_pattern(pattern)));
}

/// The lines of `text`, without their newlines.
inline std::vector<std::string> output_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Success when `output`'s lines match `patterns` in order (see MatchRule);
/// else which pattern failed, where, and the whole output.
inline ::testing::AssertionResult matches_output(const std::string& output,
                                                 const std::vector<OutputPattern>& patterns) {
  const std::vector<std::string> lines = output_lines(output);
  const auto failure = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << "\n--- output ---\n" << output;
  };
  size_t cursor = 0;                            // the first line not yet consumed
  std::vector<const OutputPattern*> forbidden;  // `never` patterns waiting for the next match
  const auto check_nots = [&](size_t from, size_t to) -> std::string {
    for (const OutputPattern* pattern : forbidden)
      for (size_t i = from; i < to; ++i)
        if (line_matches(lines[i], pattern->text))
          return "line " + std::to_string(i + 1) + " matches the pattern that must not match: \"" +
                 pattern->text + "\": " + lines[i];
    return {};
  };
  for (const OutputPattern& pattern : patterns) {
    if (pattern.rule == MatchRule::never) {
      forbidden.push_back(&pattern);
      continue;
    }
    size_t found = lines.size();
    if (pattern.rule == MatchRule::next) {
      if (cursor < lines.size() && line_matches(lines[cursor], pattern.text)) found = cursor;
    } else {
      for (size_t i = cursor; i < lines.size() && found == lines.size(); ++i)
        if (line_matches(lines[i], pattern.text)) found = i;
    }
    if (found == lines.size()) {
      const std::string where = cursor < lines.size()
                                    ? "line " + std::to_string(cursor + 1) + ": " + lines[cursor]
                                    : "the end of the output";
      return failure(
          std::string(pattern.rule == MatchRule::next ? "the next line" : "no later line") +
          " matches \"" + pattern.text + "\" (regex " + expand_pattern(pattern.text) + "), from " +
          where);
    }
    if (const std::string bad = check_nots(cursor, found); !bad.empty()) return failure(bad);
    forbidden.clear();
    cursor = found + 1;
  }
  if (const std::string bad = check_nots(cursor, lines.size()); !bad.empty()) return failure(bad);
  return ::testing::AssertionSuccess();
}

}  // namespace clobber::testing
