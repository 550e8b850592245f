// What every part of the workload loader shares: number parsing, positions,
// typed values, expressions and lookups of tables and names
// (harness/workload/loader_parts.h).
#include "harness/workload/loader_parts.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

#include "harness/workload/workload_loader.h"

namespace clobber::loader {

bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool is_keyword(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "and" || lower == "or" || lower == "not";
}

std::optional<int64_t> parse_int64(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty() || text[0] == '+') return std::nullopt;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<uint64_t> parse_uint64(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty() || text[0] == '+') return std::nullopt;
  double value = 0;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string without_whitespace(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::optional<int> Scope::find(std::string_view name) const {
  for (const auto& [known, slot] : names) {
    if (known == name) return slot;
  }
  return std::nullopt;
}

std::string Scope::known() const {
  if (names.empty()) return "none";
  std::string out;
  for (const auto& entry : names) {
    if (!out.empty()) out += ", ";
    out += entry.first;
  }
  return out;
}

// ---- Positions and errors -------------------------------------------------

// The source character at a node's mark, or '\0'.
char Loader::char_at(const YAML::Mark& mark) const {
  if (mark.line < 0 || static_cast<size_t>(mark.line) >= line_starts_.size()) return '\0';
  size_t pos = line_starts_[static_cast<size_t>(mark.line)] + static_cast<size_t>(mark.column);
  return pos < text_.size() ? text_[pos] : '\0';
}

LocatedText Loader::located(const Ref& ref, const std::string& value) const {
  YAML::Mark mark = ref.node.Mark();
  char first = char_at(mark);
  if (first == '"' || first == '\'') {
    SourceLocation where = ref.at;
    ++where.column;
    return {value, where};
  }
  if (first != '|' && first != '>') return {value, ref.at};
  // A block scalar: its content is the following lines indented deeper than the
  // first content line's indentation; blank lines belong to it.
  size_t line = static_cast<size_t>(mark.line) + 1;
  auto line_text = [&](size_t index) {
    size_t begin = line_starts_[index];
    size_t end = index + 1 < line_starts_.size() ? line_starts_[index + 1] - 1 : text_.size();
    return std::string_view(text_).substr(begin, end - begin);
  };
  auto indentation = [](std::string_view text) {
    size_t n = 0;
    while (n < text.size() && text[n] == ' ') ++n;
    return n;
  };
  auto blank = [](std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  };
  while (line < line_starts_.size() && blank(line_text(line))) ++line;
  if (line >= line_starts_.size()) return {value, ref.at};
  size_t indent = indentation(line_text(line));
  size_t first_line = line;
  size_t last_line = line;
  for (; line < line_starts_.size(); ++line) {
    std::string_view text = line_text(line);
    if (blank(text)) continue;
    if (indentation(text) < indent) break;
    last_line = line;
  }
  std::string raw;
  for (size_t i = first_line; i <= last_line; ++i) {
    if (i > first_line) raw += '\n';
    raw += line_text(i);
  }
  return {raw, SourceLocation{path_, static_cast<int>(first_line) + 1, 1}};
}

// ---- Typed values -----------------------------------------------------------

// An unquoted scalar ("42" in quotes is a text).
bool Loader::plain_scalar(const Ref& ref) const {
  return ref.node.IsScalar() && ref.node.Tag() == "?";
}

int64_t Loader::integer(const Ref& ref, const std::string& what) const {
  std::optional<int64_t> value;
  if (plain_scalar(ref)) value = parse_int64(ref.node.Scalar());
  if (!value) fail(ref.at, what + " must be an integer, found " + found(ref.node));
  return *value;
}

int64_t Loader::integer_at_least(const Ref& ref, const std::string& what, int64_t minimum) const {
  int64_t value = integer(ref, what);
  if (value < minimum) {
    fail(ref.at, what + " must be at least " + std::to_string(minimum) + ", found " +
                     std::to_string(value));
  }
  return value;
}

double Loader::number(const Ref& ref, const std::string& what) const {
  std::optional<double> value;
  if (plain_scalar(ref)) value = parse_double(ref.node.Scalar());
  if (!value) fail(ref.at, what + " must be a number, found " + found(ref.node));
  return *value;
}

std::chrono::microseconds Loader::duration(const Ref& ref, const std::string& what) const {
  if (!ref.node.IsScalar()) {
    fail(ref.at, what + " must be a duration like 5s, found " + found(ref.node));
  }
  return parse_duration(ref.node.Scalar(), ref.at);
}
// ---- Expressions ------------------------------------------------------------

Expr Loader::expression(const Ref& ref, const Scope& scope, const std::string& what) const {
  std::string value = text(ref, what);
  LocatedText source = located(ref, value);
  SlotResolver resolve = [&scope](std::string_view name) { return scope.find(name); };
  Expr expr;
  try {
    expr = parse_expression(source.text, source.where, resolve);
  } catch (const InputError& error) {
    if (error.message().starts_with("unknown variable")) {
      throw InputError(error.where(), error.message() + " (known: " + scope.known() + ")");
    }
    if (error.message().ends_with("found the end of the expression") &&
        followed_by_comma(ref, value)) {
      throw InputError(error.where(), error.message() +
                                          " (in a {...} map or [...] list a comma ends the "
                                          "value: quote the expression)");
    }
    throw;
  }
  // The expression's text starts at the first non-blank character of its source.
  size_t leading = source.text.find_first_not_of(' ');
  if (leading != std::string::npos) expr.where.column += static_cast<int>(leading);
  expr.text = trim(value);
  return expr;
}

// True when a plain one-line scalar is directly followed by a comma in the
// source: in a flow collection, "min(a, b)" was cut at its comma.
bool Loader::followed_by_comma(const Ref& ref, const std::string& value) const {
  YAML::Mark mark = ref.node.Mark();
  if (!plain_scalar(ref) || mark.line < 0 || value.find('\n') != std::string::npos) return false;
  size_t pos = line_starts_[static_cast<size_t>(mark.line)] + static_cast<size_t>(mark.column) +
               value.size();
  while (pos < text_.size() && text_[pos] == ' ') ++pos;
  return pos < text_.size() && text_[pos] == ',';
}

std::string Loader::column_names(const TableDef& table) {
  std::vector<std::string> names;
  for (const ColumnDef& column : table.columns) names.push_back(column.name);
  return join(names);
}
size_t Loader::table_index(const Workload& workload, const Ref& ref) const {
  std::string name = text(ref, "table");
  std::optional<size_t> index = workload.table_index(name);
  if (!index) {
    std::vector<std::string> names;
    for (const TableDef& table : workload.tables) names.push_back(table.name);
    fail(ref.at, "unknown table '" + name + "' (tables: " + join(names) + ")");
  }
  return *index;
}  /// Rejects SQL that could touch anything but the workload's tables
/// (harness/sqlcheck/sql_check.h), at the offending token.
void Loader::check_statement(const Ref& ref, SqlContext context, const Workload& workload) const {
  std::vector<std::string> declared;
  for (const TableDef& table : workload.tables) declared.push_back(table.name);
  const std::string& value = ref.node.Scalar();
  const SqlCheck check = check_sql(value, context, declared);
  if (check.problem)
    fail(value_location(text_, path_, ref.node, value, check.problem->offset),
         check.problem->message);
}
std::vector<std::string_view> Loader::isolation_names() {
  std::vector<std::string_view> names;
  for (Isolation level : kAllIsolations) names.push_back(to_string(level));
  return names;
}

std::vector<std::string_view> Loader::locking_names() {
  std::vector<std::string_view> names;
  for (Locking mode : kAllLockings) names.push_back(to_string(mode));
  return names;
}

}  // namespace clobber::loader

namespace clobber {

using loader::parse_int64;

std::chrono::microseconds parse_duration(const std::string& text, const SourceLocation& where) {
  std::string_view s = text;
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  std::string_view unit = s.substr(digits);
  int64_t scale = 0;
  if (unit == "us") {
    scale = 1;
  } else if (unit == "ms") {
    scale = 1000;
  } else if (unit == "s") {
    scale = 1000000;
  } else if (unit == "m") {
    scale = 60000000;
  }
  if (digits == 0 || scale == 0) {
    throw InputError(
        where, "invalid duration '" + text + "' (an integer and a unit: 100us, 250ms, 5s, 2m)");
  }
  std::optional<int64_t> count = parse_int64(s.substr(0, digits));
  int64_t micros = 0;
  if (!count || __builtin_mul_overflow(*count, scale, &micros) ||
      std::chrono::microseconds(micros) > kMaxDuration) {
    throw InputError(where, "duration '" + text + "' is too long (at most 1440m, 24 hours)");
  }
  return std::chrono::microseconds(micros);
}

}  // namespace clobber
