// What the YAML loaders (workloads, scenarios) share: positions as
// file:line:column, checked maps with allowed keys, lists, texts, and the
// "must be X, found Y" messages, all raising InputError (exit code 2).
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.h"

namespace clobber {

/// "a, b, c".
template <typename Range>
std::string join(const Range& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

/// True when `items` holds `item`.
template <typename Range, typename T>
bool contains(const Range& items, const T& item) {
  return std::find(std::begin(items), std::end(items), item) != std::end(items);
}

/// `text` without leading and trailing white space.
std::string trim(std::string_view text);

/// Names that appear unquoted in SQL (tables, columns): [a-z_][a-z0-9_]*.
bool is_sql_name(std::string_view name);

/// Where byte `offset` of a scalar's value lies in `file_text`: the value is
/// matched against the file from the node's mark (opening quote, block header,
/// indentation and line folding skipped); the node's own position when the
/// two differ (escape sequences in double quotes).
SourceLocation value_location(std::string_view file_text, const std::string& path,
                              const YAML::Node& node, std::string_view value, size_t offset);

/// What a node is, for "must be X, found Y" messages.
std::string found(const YAML::Node& node);

/// Throws InputError at the first character YAML does not allow in a file (a
/// control character other than tab, line feed and carriage return, such as
/// NUL), which yaml-cpp would misreport or let through into names and messages.
void check_printable(std::string_view text, const std::string& path);

/// The message of a YAML syntax error, in words a user can act on (yaml-cpp
/// calls lists and maps nested past its depth limit a "bad file").
std::string yaml_error_message(const YAML::Exception& error);

/// A YAML value and where to report it: its own position, or its key's when
/// the value is empty (yaml-cpp places empty values at the next token).
struct Ref {
  YAML::Node node;
  SourceLocation at;
};

/// One key of a YAML map.
struct Entry {
  std::string name;
  SourceLocation key_at;
  Ref value;
};

/// A YAML map whose keys were checked: names, no duplicates, only allowed keys.
struct MapView {
  std::string what;
  SourceLocation at;
  std::vector<Entry> entries;
  /// The entry with this key, or null.
  const Entry* find(std::string_view name) const;
};

/// The checked reading of one YAML file; loaders derive from it.
class YamlReader {
 protected:
  /// Reads a file whose name `path` appears in every message.
  explicit YamlReader(std::string path) : path_(std::move(path)) {}

  /// A yaml-cpp mark (0-based) as file:line:column (1-based).
  SourceLocation location(const YAML::Mark& mark) const;
  /// Where a node starts.
  SourceLocation at(const YAML::Node& node) const { return location(node.Mark()); }
  /// A node with its position.
  Ref ref(const YAML::Node& node) const { return Ref{node, at(node)}; }
  /// Raises the InputError.
  [[noreturn]] void fail(const SourceLocation& where, const std::string& message) const;

  /// A map whose keys must all be in `allowed`.
  template <typename Range>
  MapView map(const Ref& ref, const std::string& what, const Range& allowed) const {
    return map_of(ref, what, std::vector<std::string_view>(std::begin(allowed), std::end(allowed)));
  }
  /// A map with any (unique) names as keys.
  MapView names_map(const Ref& ref, const std::string& what) const { return map_of(ref, what, {}); }
  /// A map whose keys must be in `allowed` (any names when it is empty).
  MapView map_of(const Ref& ref, const std::string& what,
                 const std::vector<std::string_view>& allowed) const;
  /// The entry for a required key.
  const Entry& require(const MapView& map, std::string_view key) const;
  /// The items of a list (possibly none).
  std::vector<Ref> list(const Ref& ref, const std::string& what) const;
  /// A scalar's text.
  std::string text(const Ref& ref, const std::string& what) const;
  /// A scalar's trimmed text, which must not be empty.
  std::string nonempty_text(const Ref& ref, const std::string& what) const;

  const std::string path_;
};

}  // namespace clobber
