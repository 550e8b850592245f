#include "harness/scenario/scenario.h"

#include <algorithm>
#include <cctype>

namespace clobber {
namespace {

bool word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Walks SQL text: calls `on_word(start, length)` for every unquoted word and
/// `on_other(start, length)` for everything else (strings, quoted identifiers,
/// comments, PostgreSQL dollar quotes, punctuation and space), in order.
template <typename OnWord, typename OnOther>
void scan_sql(std::string_view sql, OnWord on_word, OnOther on_other) {
  size_t i = 0;
  while (i < sql.size()) {
    const size_t start = i;
    const char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      for (++i; i < sql.size(); ++i) {
        if (sql[i] != c) continue;
        if (i + 1 < sql.size() && sql[i + 1] == c) {
          ++i;
          continue;
        }
        ++i;
        break;
      }
      on_other(start, i - start);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      i = std::min(sql.find('\n', i), sql.size());
      on_other(start, i - start);
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
      on_other(start, i - start);
    } else if (c == '$') {
      // $tag$ ... $tag$ (the tag may be empty); a lone '$' is punctuation.
      size_t j = i + 1;
      while (j < sql.size() && (word_char(sql[j]) && sql[j] != '$')) ++j;
      if (j < sql.size() && sql[j] == '$' && (j == i + 1 || word_start(sql[i + 1]))) {
        const std::string_view tag = sql.substr(i, j - i + 1);
        const size_t end = sql.find(tag, j + 1);
        i = end == std::string_view::npos ? sql.size() : end + tag.size();
      } else {
        ++i;
      }
      on_other(start, i - start);
    } else if (word_start(c)) {
      while (i < sql.size() && word_char(sql[i])) ++i;
      on_word(start, i - start);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < sql.size() && word_char(sql[i])) ++i;  // 1e5, 0x1F: never names
      on_other(start, i - start);
    } else {
      ++i;
      on_other(start, 1);
    }
  }
}

}  // namespace

std::string rename_tables(std::string_view sql, const std::vector<std::string>& tables,
                          std::string_view prefix) {
  std::string out;
  out.reserve(sql.size() + 32);
  scan_sql(
      sql,
      [&](size_t start, size_t length) {
        const std::string_view word = sql.substr(start, length);
        const std::string key = lower(word);
        const auto table = std::find(tables.begin(), tables.end(), key);
        if (table == tables.end()) {
          out.append(word);
        } else {
          out.append(prefix);
          out.append(*table);
        }
      },
      [&](size_t start, size_t length) { out.append(sql.substr(start, length)); });
  return out;
}

std::string describe_condition(const AnomalyCondition& condition, const Scenario& scenario) {
  std::vector<std::string> parts;
  if (!condition.all_committed.empty()) {
    std::string names;
    for (size_t i = 0; i < condition.all_committed.size(); ++i) {
      if (i > 0) names += i + 1 == condition.all_committed.size() ? " and " : ", ";
      names += scenario.sessions[condition.all_committed[i]];
    }
    parts.push_back(names +
                    (condition.all_committed.size() == 1 ? " committed" : " all committed"));
  }
  if (condition.when) parts.push_back(condition.when->text);
  if (!condition.sql.empty()) {
    std::string rows;
    if (condition.equals.size() == 1 && condition.equals[0].size() == 1) {
      rows = condition.equals[0][0];
    } else {
      rows = "[";
      for (size_t r = 0; r < condition.equals.size(); ++r) {
        rows += r ? ", [" : "[";
        for (size_t c = 0; c < condition.equals[r].size(); ++c)
          rows += (c ? ", " : "") + condition.equals[r][c];
        rows += "]";
      }
      rows += "]";
    }
    parts.push_back(condition.sql + " returns " + rows);
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

}  // namespace clobber
