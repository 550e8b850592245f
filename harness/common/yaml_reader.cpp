#include "harness/common/yaml_reader.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

namespace clobber {

std::string trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

bool is_sql_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

SourceLocation value_location(std::string_view file_text, const std::string& path,
                              const YAML::Node& node, std::string_view value, size_t offset) {
  const YAML::Mark mark = node.Mark();
  const SourceLocation own{path, mark.line < 0 ? 1 : mark.line + 1,
                           mark.line < 0 ? 1 : mark.column + 1};
  if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= file_text.size()) return own;
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  size_t j = static_cast<size_t>(mark.pos);
  const char quote = file_text[j];
  if (quote == '"' || quote == '\'') {
    ++j;
  } else if (quote == '|' || quote == '>') {
    j = file_text.find('\n', j);
    if (j == std::string_view::npos) return own;
    ++j;
  }
  offset = std::min(offset, value.size());
  for (size_t i = 0; i < offset; ++i) {
    if (space(value[i])) {
      while (i + 1 < offset && space(value[i + 1])) ++i;
      while (j < file_text.size() && space(file_text[j])) ++j;
      continue;
    }
    while (j < file_text.size() && space(file_text[j])) ++j;
    if (quote == '\'' && value[i] == '\'' && file_text.substr(j, 2) == "''") {
      j += 2;
    } else if (j < file_text.size() && file_text[j] == value[i]) {
      ++j;
    } else {
      return own;
    }
  }
  if (offset < value.size() && !space(value[offset]))
    while (j < file_text.size() && space(file_text[j])) ++j;
  const size_t line_start = file_text.rfind('\n', j == 0 ? 0 : j - 1);
  const int line = static_cast<int>(std::count(file_text.begin(), file_text.begin() + j, '\n'));
  const size_t column = line_start == std::string_view::npos ? j : j - line_start - 1;
  return SourceLocation{path, line + 1, static_cast<int>(column) + 1};
}

std::string found(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  std::string value = node.Scalar();
  if (value.size() > 40) value = value.substr(0, 37) + "...";
  if (node.Tag() == "!") return "the quoted text '" + value + "'";
  return "'" + value + "'";
}

void check_printable(std::string_view text, const std::string& path) {
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      line_start = i + 1;
    } else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
      throw InputError(SourceLocation{path, line, static_cast<int>(i - line_start) + 1},
                       fmt::format("control character U+{:04X} is not allowed in a YAML file", c));
    }
  }
}

std::string yaml_error_message(const YAML::Exception& error) {
  if (const auto* deep = dynamic_cast<const YAML::DeepRecursion*>(&error))
    return "lists and maps are nested too deeply (" + std::to_string(deep->depth()) +
           " levels; the YAML reader stops there)";
  return error.msg;
}

const Entry* MapView::find(std::string_view name) const {
  for (const Entry& entry : entries)
    if (entry.name == name) return &entry;
  return nullptr;
}

SourceLocation YamlReader::location(const YAML::Mark& mark) const {
  if (mark.line < 0) return SourceLocation{path_, 1, 1};
  return SourceLocation{path_, mark.line + 1, mark.column + 1};
}

void YamlReader::fail(const SourceLocation& where, const std::string& message) const {
  throw InputError(where, message);
}

MapView YamlReader::map_of(const Ref& ref, const std::string& what,
                           const std::vector<std::string_view>& allowed) const {
  if (!ref.node.IsMap()) fail(ref.at, what + " must be a map, found " + found(ref.node));
  MapView view{what, ref.at, {}};
  for (const auto& item : ref.node) {
    const YAML::Node& key = item.first;
    if (!key.IsScalar()) fail(at(key), "keys of " + what + " must be names");
    std::string name = key.Scalar();
    if (!allowed.empty() && !contains(allowed, name))
      fail(at(key), "unknown key '" + name + "' in " + what + " (allowed: " + join(allowed) + ")");
    if (view.find(name)) fail(at(key), "duplicate key '" + name + "' in " + what);
    const SourceLocation key_at = at(key);
    const YAML::Node& value = item.second;
    view.entries.push_back(Entry{name, key_at, Ref{value, value.IsNull() ? key_at : at(value)}});
  }
  return view;
}

const Entry& YamlReader::require(const MapView& map, std::string_view key) const {
  const Entry* entry = map.find(key);
  if (!entry) fail(map.at, map.what + " is missing required key '" + std::string(key) + "'");
  return *entry;
}

std::vector<Ref> YamlReader::list(const Ref& ref, const std::string& what) const {
  if (!ref.node.IsSequence()) fail(ref.at, what + " must be a list, found " + found(ref.node));
  std::vector<Ref> items;
  for (const auto& item : ref.node) items.push_back(this->ref(item));
  return items;
}

std::string YamlReader::text(const Ref& ref, const std::string& what) const {
  if (!ref.node.IsScalar()) fail(ref.at, what + " must be a text, found " + found(ref.node));
  return ref.node.Scalar();
}

std::string YamlReader::nonempty_text(const Ref& ref, const std::string& what) const {
  std::string value = trim(text(ref, what));
  if (value.empty()) fail(ref.at, what + " must not be empty");
  return value;
}

}  // namespace clobber
