#include "harness/workload/workload_loader.h"

#include "harness/common/yaml_reader.h"
#include "harness/sqlcheck/sql_check.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <utility>

namespace clobber {
namespace {

constexpr std::string_view kReservedPrefix = "clobber_";
constexpr int64_t kMaxZipfKeys = 10'000'000;

constexpr std::string_view kTopKeys[] = {"name",       "description", "tables", "transactions",
                                         "invariants", "run",         "matrix", "expect"};
constexpr std::string_view kTableKeys[] = {"columns", "key", "rows", "generate"};
constexpr std::string_view kGenerateKeys[] = {"count", "start", "values"};
constexpr std::string_view kTransactionKeys[] = {"weight", "params", "steps"};
constexpr std::string_view kGeneratorKinds[] = {"choice", "uniform", "zipf", "hot_set"};
constexpr std::string_view kGeneratorKeys[] = {"choice",   "uniform",  "zipf",       "hot_set",
                                               "exponent", "fraction", "probability"};
constexpr std::string_view kStepKinds[] = {"read", "check", "write", "sleep", "sql"};
constexpr std::string_view kReadKeys[] = {"table", "key", "as"};
constexpr std::string_view kWriteKeys[] = {"row", "table", "key", "set"};
constexpr std::string_view kInvariantKeys[] = {"name", "sql", "equals", "at_least", "at_most"};
constexpr std::string_view kRunKeys[] = {"workers", "duration", "transactions", "seed", "retry"};
constexpr std::string_view kRetryKeys[] = {"on", "max_tries", "backoff", "max_backoff"};
constexpr std::string_view kRetryableCauses[] = {"serialization", "deadlock", "lock_timeout",
                                                 "conflict"};
constexpr std::string_view kMatrixKeys[] = {"isolation", "locking"};
constexpr std::string_view kWhereKeys[] = {"database", "isolation", "locking"};
constexpr std::string_view kMetrics[] = {"lost_updates",
                                         "lost_amount",
                                         "committed",
                                         "rejected",
                                         "failed",
                                         "indeterminate",
                                         "retries",
                                         "aborts",
                                         "aborts.serialization",
                                         "aborts.deadlock",
                                         "aborts.lock_timeout",
                                         "aborts.conflict",
                                         "aborts.other",
                                         "abort_rate",
                                         "throughput_tps",
                                         "anomalies",
                                         "latency_ms.p50",
                                         "latency_ms.p95",
                                         "latency_ms.p99",
                                         "latency_ms.max"};
constexpr std::string_view kColumnTypes = "int, integer, bigint, text";
constexpr std::string_view kDatabaseNames = "postgresql, mysql, mariadb, sqlite";

// Names that appear in expressions: parameters and read aliases.
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

// Text to parse (an expression, SQL) with where it starts in the file. For
// block scalars this is the source lines themselves, so every offset in it maps
// to its exact line and column.
struct LocatedText {
  std::string text;
  SourceLocation where;
};

// Names visible to an expression, with their frame slots.
struct Scope {
  std::vector<std::pair<std::string, int>> names;
  std::optional<int> find(std::string_view name) const {
    for (const auto& [known, slot] : names) {
      if (known == name) return slot;
    }
    return std::nullopt;
  }
  std::string known() const {
    if (names.empty()) return "none";
    std::string out;
    for (const auto& entry : names) {
      if (!out.empty()) out += ", ";
      out += entry.first;
    }
    return out;
  }
};

// A read seen so far in a transaction, for resolving writes.
struct ReadInfo {
  size_t step = 0;
  size_t table = 0;
  std::string alias;
  std::string key_text;  // without whitespace
  int line = 0;
};

class Loader : private YamlReader {
 public:
  Loader(const std::string& text, const std::string& path) : YamlReader(path), text_(text) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  Workload load() {
    check_printable(text_, path_);
    YAML::Node root;
    try {
      root = YAML::Load(text_);
    } catch (const YAML::Exception& error) {
      fail(location(error.mark), yaml_error_message(error));
    }
    if (!root.IsDefined() || root.IsNull()) {
      fail(SourceLocation{path_, 1, 1},
           "the workload is empty; it needs at least name, description, tables and transactions");
    }
    Workload workload;
    workload.file = path_;
    MapView top = map(ref(root), "the workload", kTopKeys);
    workload.name = nonempty_text(require(top, "name").value, "name");
    workload.description = nonempty_text(require(top, "description").value, "description");
    load_tables(require(top, "tables").value, workload);
    load_transactions(require(top, "transactions").value, workload);
    if (const Entry* entry = top.find("invariants")) load_invariants(entry->value, workload);
    if (const Entry* entry = top.find("run")) load_run(entry->value, workload.run);
    if (const Entry* entry = top.find("matrix")) load_matrix(entry->value, workload.matrix);
    if (const Entry* entry = top.find("expect")) load_expect(entry->value, workload);
    return workload;
  }

 private:
  // ---- Positions and errors -------------------------------------------------

  // The source character at a node's mark, or '\0'.
  char char_at(const YAML::Mark& mark) const {
    if (mark.line < 0 || static_cast<size_t>(mark.line) >= line_starts_.size()) return '\0';
    size_t pos = line_starts_[static_cast<size_t>(mark.line)] + static_cast<size_t>(mark.column);
    return pos < text_.size() ? text_[pos] : '\0';
  }

  LocatedText located(const Ref& ref, const std::string& value) const {
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
  bool plain_scalar(const Ref& ref) const { return ref.node.IsScalar() && ref.node.Tag() == "?"; }

  int64_t integer(const Ref& ref, const std::string& what) const {
    std::optional<int64_t> value;
    if (plain_scalar(ref)) value = parse_int64(ref.node.Scalar());
    if (!value) fail(ref.at, what + " must be an integer, found " + found(ref.node));
    return *value;
  }

  int64_t integer_at_least(const Ref& ref, const std::string& what, int64_t minimum) const {
    int64_t value = integer(ref, what);
    if (value < minimum) {
      fail(ref.at, what + " must be at least " + std::to_string(minimum) + ", found " +
                       std::to_string(value));
    }
    return value;
  }

  double number(const Ref& ref, const std::string& what) const {
    std::optional<double> value;
    if (plain_scalar(ref)) value = parse_double(ref.node.Scalar());
    if (!value) fail(ref.at, what + " must be a number, found " + found(ref.node));
    return *value;
  }

  std::chrono::microseconds duration(const Ref& ref, const std::string& what) const {
    if (!ref.node.IsScalar()) {
      fail(ref.at, what + " must be a duration like 5s, found " + found(ref.node));
    }
    return parse_duration(ref.node.Scalar(), ref.at);
  }

  // A name, or a list of names (or `all` when `all_allowed`), each parsed by `parse`.
  template <typename T, typename Parse>
  std::vector<T> names(const Ref& ref, const std::string& what, bool all_allowed,
                       std::string_view known, Parse parse) const {
    std::vector<Ref> items;
    if (ref.node.IsScalar()) {
      if (all_allowed && ref.node.Scalar() == "all") return {};
      items.push_back(ref);
    } else if (ref.node.IsSequence()) {
      items = list(ref, what);
      if (items.empty()) {
        fail(ref.at, what + " must name at least one" + (all_allowed ? ", or be `all`" : ""));
      }
    } else {
      fail(ref.at, what + " must be a name or a list of names, found " + found(ref.node));
    }
    std::vector<T> result;
    for (const Ref& item : items) {
      std::string name = text(item, what);
      std::optional<T> value = parse(name);
      if (!value)
        fail(item.at, "unknown " + what + " '" + name + "' (known: " + std::string(known) + ")");
      if (std::find(result.begin(), result.end(), *value) != result.end()) {
        fail(item.at, what + " '" + name + "' is listed twice");
      }
      result.push_back(*value);
    }
    return result;
  }

  // ---- Expressions ------------------------------------------------------------

  Expr expression(const Ref& ref, const Scope& scope, const std::string& what) const {
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
  bool followed_by_comma(const Ref& ref, const std::string& value) const {
    YAML::Mark mark = ref.node.Mark();
    if (!plain_scalar(ref) || mark.line < 0 || value.find('\n') != std::string::npos) return false;
    size_t pos = line_starts_[static_cast<size_t>(mark.line)] + static_cast<size_t>(mark.column) +
                 value.size();
    while (pos < text_.size() && text_[pos] == ' ') ++pos;
    return pos < text_.size() && text_[pos] == ',';
  }

  // ---- Tables -----------------------------------------------------------------

  void check_sql_name(const std::string& name, const SourceLocation& where,
                      const std::string& what) const {
    if (!is_sql_name(name)) {
      fail(where,
           what + " '" + name + "' must match [a-z_][a-z0-9_]* (it is used in SQL unquoted)");
    }
    if (name.starts_with(kReservedPrefix)) {
      fail(where, what + " '" + name + "' must not start with 'clobber_' (reserved)");
    }
  }

  void load_tables(const Ref& ref, Workload& workload) const {
    MapView tables = names_map(ref, "tables");
    if (tables.entries.empty()) fail(tables.at, "tables must define at least one table");
    for (const Entry& entry : tables.entries) {
      check_sql_name(entry.name, entry.key_at, "table name");
      workload.tables.push_back(load_table(entry));
    }
  }

  TableDef load_table(const Entry& entry) const {
    TableDef table;
    table.name = entry.name;
    table.where = entry.key_at;
    std::string what = "table '" + table.name + "'";
    MapView def = map(entry.value, what, kTableKeys);

    MapView columns = names_map(require(def, "columns").value, "columns of " + what);
    if (columns.entries.empty()) fail(columns.at, what + " must have at least one column");
    for (const Entry& column : columns.entries) {
      check_sql_name(column.name, column.key_at, "column name");
      std::string type = text(column.value, "type of column '" + column.name + "'");
      ColumnDef def_column{column.name, ColumnType::integer, column.key_at};
      if (type == "text") {
        def_column.type = ColumnType::text;
      } else if (type != "int" && type != "integer" && type != "bigint") {
        fail(column.value.at,
             "unknown column type '" + type + "' (types: " + std::string(kColumnTypes) + ")");
      }
      table.columns.push_back(def_column);
    }

    const Entry& key = require(def, "key");
    std::string key_name = text(key.value, "key of " + what);
    std::optional<size_t> key_index = table.column_index(key_name);
    if (!key_index) {
      fail(key.value.at, "key column '" + key_name + "' is not a column of " + what +
                             " (columns: " + column_names(table) + ")");
    }
    if (table.columns[*key_index].type != ColumnType::integer) {
      fail(key.value.at,
           "key column '" + key_name + "' of " + what + " must be an integer column, it is text");
    }
    table.key_column = *key_index;

    std::map<int64_t, int> key_lines;  // literal row keys, for duplicates
    if (const Entry* rows = def.find("rows")) {
      for (const Ref& row_ref : list(rows->value, "rows of " + what)) {
        MapView row = names_map(row_ref, "a row of " + what);
        std::vector<SeedValue> values;
        for (const ColumnDef& column : table.columns) {
          if (column.type == ColumnType::integer) {
            values.emplace_back(int64_t{0});
          } else {
            values.emplace_back(std::string());
          }
        }
        for (const Entry& cell : row.entries) {
          std::optional<size_t> index = table.column_index(cell.name);
          if (!index) {
            fail(cell.key_at, "unknown column '" + cell.name + "' in a row of " + what +
                                  " (columns: " + column_names(table) + ")");
          }
          std::string cell_what = "value of column '" + cell.name + "'";
          if (table.columns[*index].type == ColumnType::integer) {
            values[*index] = integer(cell.value, cell_what);
          } else {
            values[*index] = text(cell.value, cell_what);
          }
        }
        const Entry* key_cell = row.find(table.columns[table.key_column].name);
        if (!key_cell) {
          fail(row.at, "a row of " + what + " is missing its key column '" +
                           table.columns[table.key_column].name + "'");
        }
        int64_t row_key = std::get<int64_t>(values[table.key_column]);
        auto [it, inserted] = key_lines.emplace(row_key, key_cell->value.at.line);
        if (!inserted) {
          fail(key_cell->value.at, "duplicate key " + std::to_string(row_key) + " in " + what +
                                       " (first at line " + std::to_string(it->second) + ")");
        }
        table.rows.push_back(std::move(values));
      }
    }

    if (const Entry* generate = def.find("generate")) {
      table.generated = load_generated(*generate, table, key_lines);
    }
    return table;
  }

  static std::string column_names(const TableDef& table) {
    std::vector<std::string> names;
    for (const ColumnDef& column : table.columns) names.push_back(column.name);
    return join(names);
  }

  GeneratedRows load_generated(const Entry& entry, const TableDef& table,
                               const std::map<int64_t, int>& literal_keys) const {
    std::string what = "generate of table '" + table.name + "'";
    MapView def = map(entry.value, what, kGenerateKeys);
    GeneratedRows rows;
    const Entry& count = require(def, "count");
    rows.count = integer_at_least(count.value, "count", 1);
    if (rows.count > kMaxGeneratedRows)
      fail(count.value.at,
           "count must be at most " + std::to_string(kMaxGeneratedRows) + " rows per table");
    if (const Entry* start = def.find("start")) rows.start = integer(start->value, "start");
    int64_t last = 0;
    if (__builtin_add_overflow(rows.start, rows.count - 1, &last)) {
      fail(count.value.at, "generated keys overflow the 64-bit range");
    }
    auto overlap = literal_keys.lower_bound(rows.start);
    if (overlap != literal_keys.end() && overlap->first <= last) {
      fail(entry.key_at, "generated keys " + std::to_string(rows.start) + ".." +
                             std::to_string(last) + " include key " +
                             std::to_string(overlap->first) + " of a literal row (line " +
                             std::to_string(overlap->second) + ")");
    }
    rows.values.resize(table.columns.size());
    if (const Entry* values = def.find("values")) {
      MapView cells = names_map(values->value, "values of " + what);
      Scope scope{{{"key", 0}}};
      for (const Entry& cell : cells.entries) {
        std::optional<size_t> index = table.column_index(cell.name);
        if (!index) {
          fail(cell.key_at, "unknown column '" + cell.name + "' in " + what +
                                " (columns: " + column_names(table) + ")");
        }
        if (*index == table.key_column) {
          fail(cell.key_at, "the key column '" + cell.name +
                                "' is generated from start and count; it takes no value");
        }
        std::string cell_what = "value of column '" + cell.name + "'";
        if (table.columns[*index].type == ColumnType::integer) {
          rows.values[*index] = expression(cell.value, scope, cell_what);
        } else {
          rows.values[*index] = text(cell.value, cell_what);
        }
      }
    }
    return rows;
  }

  // ---- Transactions -----------------------------------------------------------

  void load_transactions(const Ref& ref, Workload& workload) const {
    MapView transactions = names_map(ref, "transactions");
    if (transactions.entries.empty()) {
      fail(transactions.at, "transactions must define at least one transaction type");
    }
    for (const Entry& entry : transactions.entries) {
      if (trim(entry.name).empty()) fail(entry.key_at, "a transaction name must not be empty");
      workload.transactions.push_back(load_transaction(entry, workload));
    }
  }

  TransactionType load_transaction(const Entry& entry, const Workload& workload) const {
    TransactionType type;
    type.name = entry.name;
    type.where = entry.key_at;
    std::string what = "transaction '" + type.name + "'";
    MapView def = map(entry.value, what, kTransactionKeys);

    if (const Entry* weight = def.find("weight")) {
      int64_t value = integer_at_least(weight->value, "weight", 1);
      if (value > std::numeric_limits<uint32_t>::max()) {
        fail(weight->value.at,
             "weight must be at most " + std::to_string(std::numeric_limits<uint32_t>::max()));
      }
      type.weight = static_cast<uint32_t>(value);
    }

    Scope scope;
    if (const Entry* params = def.find("params")) {
      MapView params_map = names_map(params->value, "params of " + what);
      for (const Entry& param : params_map.entries) {
        if (!is_identifier(param.name) || is_keyword(param.name)) {
          fail(param.key_at, "parameter name '" + param.name +
                                 "' must match [A-Za-z_][A-Za-z0-9_]* and not be and/or/not");
        }
        ParamDef def_param;
        def_param.name = param.name;
        def_param.slot = static_cast<int>(type.params.size());
        def_param.where = param.key_at;
        def_param.generator = load_generator(param.value, "parameter '" + param.name + "'");
        scope.names.emplace_back(param.name, def_param.slot);
        type.params.push_back(std::move(def_param));
      }
    }
    Scope params_scope = scope;

    std::vector<Ref> steps = list(require(def, "steps").value, "steps of " + what);
    if (steps.empty()) fail(def.find("steps")->value.at, what + " must have at least one step");
    int frame = static_cast<int>(type.params.size());
    std::vector<ReadInfo> reads;
    for (const Ref& item : steps) {
      if (!item.node.IsMap()) {
        fail(item.at, "a step must be a map with one of " + join(kStepKinds) + ", found " +
                          found(item.node));
      }
      MapView step_map = map(item, "a step", kStepKinds);
      if (step_map.entries.empty()) {
        fail(item.at, "a step needs one of " + join(kStepKinds));
      }
      if (step_map.entries.size() > 1) {
        fail(step_map.entries[1].key_at, "a step has exactly one kind; this one has both '" +
                                             step_map.entries[0].name + "' and '" +
                                             step_map.entries[1].name + "'");
      }
      const Entry& kind = step_map.entries[0];
      Step step;
      step.where = kind.key_at;
      size_t index = type.steps.size();
      if (kind.name == "read") {
        step.action = load_read(kind, workload, scope, reads, index, frame);
      } else if (kind.name == "check") {
        step.action = CheckStep{expression(kind.value, scope, "check")};
      } else if (kind.name == "write") {
        step.action = load_write(kind, workload, scope, reads);
      } else if (kind.name == "sleep") {
        step.action = SleepStep{duration(kind.value, "sleep")};
      } else {
        step.action = load_sql(kind, params_scope, workload);
      }
      type.steps.push_back(std::move(step));
    }
    type.frame_size = frame;
    return type;
  }

  ParamGenerator load_generator(const Ref& ref, const std::string& what) const {
    ParamGenerator generator;
    if (ref.node.IsScalar()) {
      generator.kind = ParamGenerator::Kind::constant;
      generator.low = generator.high = integer(ref, what);
      return generator;
    }
    if (!ref.node.IsMap()) {
      fail(ref.at, what + " must be an integer or a generator map (" + join(kGeneratorKinds) +
                       "), found " + found(ref.node));
    }
    MapView def = map(ref, what, kGeneratorKeys);
    const Entry* kind = nullptr;
    for (const Entry& entry : def.entries) {
      if (!contains(kGeneratorKinds, entry.name)) continue;
      if (kind) {
        fail(entry.key_at, what + " has exactly one generator; it has both '" + kind->name +
                               "' and '" + entry.name + "'");
      }
      kind = &entry;
    }
    if (!kind) fail(def.at, what + " needs one of " + join(kGeneratorKinds));
    std::vector<std::string_view> modifiers;
    if (kind->name == "zipf") modifiers = {"exponent"};
    if (kind->name == "hot_set") modifiers = {"fraction", "probability"};
    for (const Entry& entry : def.entries) {
      if (&entry != kind && !contains(modifiers, entry.name)) {
        fail(entry.key_at, "'" + entry.name + "' does not apply to a " + kind->name + " generator" +
                               (modifiers.empty() ? "" : " (it takes " + join(modifiers) + ")"));
      }
    }

    if (kind->name == "choice") {
      generator.kind = ParamGenerator::Kind::choice;
      std::vector<Ref> items = list(kind->value, "choice");
      if (items.empty()) fail(kind->value.at, "choice must list at least one value");
      for (const Ref& item : items) generator.choices.push_back(integer(item, "a choice"));
      return generator;
    }
    load_range(*kind, generator);
    uint64_t keys = static_cast<uint64_t>(generator.high) - static_cast<uint64_t>(generator.low);
    if (kind->name == "uniform") {
      generator.kind = ParamGenerator::Kind::uniform;
    } else if (kind->name == "zipf") {
      generator.kind = ParamGenerator::Kind::zipf;
      if (keys >= static_cast<uint64_t>(kMaxZipfKeys)) {
        fail(kind->value.at,
             "zipf range must hold at most " + std::to_string(kMaxZipfKeys) + " values");
      }
      if (const Entry* exponent = def.find("exponent")) {
        generator.zipf_exponent = number(exponent->value, "zipf exponent");
        if (!(generator.zipf_exponent > 0) || generator.zipf_exponent > 100) {
          fail(exponent->value.at,
               "zipf exponent must be greater than 0 (and at most 100), found " +
                   format_number(generator.zipf_exponent));
        }
      }
    } else {
      generator.kind = ParamGenerator::Kind::hot_set;
      const Entry& fraction = require(def, "fraction");
      generator.hot_fraction = number(fraction.value, "fraction");
      if (!(generator.hot_fraction > 0 && generator.hot_fraction <= 1)) {
        fail(fraction.value.at,
             "fraction must be in (0, 1], found " + format_number(generator.hot_fraction));
      }
      const Entry& probability = require(def, "probability");
      generator.hot_probability = number(probability.value, "probability");
      if (!(generator.hot_probability >= 0 && generator.hot_probability <= 1)) {
        fail(probability.value.at,
             "probability must be in [0, 1], found " + format_number(generator.hot_probability));
      }
    }
    return generator;
  }

  void load_range(const Entry& entry, ParamGenerator& generator) const {
    std::string what = entry.name + " range";
    if (!entry.value.node.IsSequence() || entry.value.node.size() != 2) {
      fail(entry.value.at, entry.name + " takes [low, high], found " + found(entry.value.node));
    }
    std::vector<Ref> bounds = list(entry.value, what);
    generator.low = integer(bounds[0], "low");
    generator.high = integer(bounds[1], "high");
    if (generator.low > generator.high) {
      fail(entry.value.at, entry.name + ": low " + std::to_string(generator.low) +
                               " is greater than high " + std::to_string(generator.high));
    }
  }

  ReadStep load_read(const Entry& kind, const Workload& workload, Scope& scope,
                     std::vector<ReadInfo>& reads, size_t index, int& frame) const {
    MapView def = map(kind.value, "read step", kReadKeys);
    ReadStep read;
    const Entry& table = require(def, "table");
    read.table = table_index(workload, table.value);
    const Entry& key = require(def, "key");
    read.key = expression(key.value, scope, "key");
    const Entry& alias = require(def, "as");
    read.alias = text(alias.value, "as");
    if (!is_identifier(read.alias) || is_keyword(read.alias)) {
      fail(alias.value.at,
           "alias '" + read.alias + "' must match [A-Za-z_][A-Za-z0-9_]* and not be and/or/not");
    }
    for (const ReadInfo& earlier : reads) {
      if (earlier.alias == read.alias) {
        fail(alias.value.at, "duplicate alias '" + read.alias + "' (already read at line " +
                                 std::to_string(earlier.line) + ")");
      }
    }
    const TableDef& def_table = workload.tables[read.table];
    read.columns = def_table.integer_columns();
    read.first_slot = frame;
    for (size_t column : read.columns) {
      scope.names.emplace_back(read.alias + "." + def_table.columns[column].name, frame++);
    }
    reads.push_back(ReadInfo{index, read.table, read.alias, without_whitespace(read.key.text),
                             kind.key_at.line});
    return read;
  }

  size_t table_index(const Workload& workload, const Ref& ref) const {
    std::string name = text(ref, "table");
    std::optional<size_t> index = workload.table_index(name);
    if (!index) {
      std::vector<std::string> names;
      for (const TableDef& table : workload.tables) names.push_back(table.name);
      fail(ref.at, "unknown table '" + name + "' (tables: " + join(names) + ")");
    }
    return *index;
  }

  WriteStep load_write(const Entry& kind, const Workload& workload, const Scope& scope,
                       const std::vector<ReadInfo>& reads) const {
    MapView def = map(kind.value, "write step", kWriteKeys);
    WriteStep write;
    const ReadInfo* read = nullptr;
    if (const Entry* row = def.find("row")) {
      for (const char* other : {"table", "key"}) {
        if (const Entry* entry = def.find(other)) {
          fail(entry->key_at,
               "a write names its row by `row: ALIAS` or by `table` and `key`, not both");
        }
      }
      std::string alias = text(row->value, "row");
      for (const ReadInfo& earlier : reads) {
        if (earlier.alias == alias) read = &earlier;
      }
      if (!read) {
        std::vector<std::string> aliases;
        for (const ReadInfo& earlier : reads) aliases.push_back(earlier.alias);
        fail(row->value.at, "write to row '" + alias + "', which no earlier read step names" +
                                " (earlier reads: " + (aliases.empty() ? "none" : join(aliases)) +
                                ")");
      }
    } else {
      const Entry* table = def.find("table");
      const Entry* key = def.find("key");
      if (!table || !key) {
        fail(def.at, "a write names its row by `row: ALIAS`, or by `table` and `key`");
      }
      size_t table_index = this->table_index(workload, table->value);
      Expr key_expr = expression(key->value, scope, "key");
      std::string key_text = without_whitespace(key_expr.text);
      for (const ReadInfo& earlier : reads) {
        if (earlier.table == table_index && earlier.key_text == key_text) read = &earlier;
      }
      if (!read) {
        const std::string& name = workload.tables[table_index].name;
        fail(key->value.at, "write to " + name + " with key '" + key_expr.text +
                                "' has no earlier read of that row in this transaction; read it "
                                "first (read: {table: " +
                                name + ", key: " + key_expr.text +
                                ", as: ...}) so clobber knows the value it replaces");
      }
    }
    write.table = read->table;
    write.read_step = read->step;
    const TableDef& table = workload.tables[write.table];
    MapView set = names_map(require(def, "set").value, "set");
    if (set.entries.empty()) fail(set.at, "set must name at least one column");
    for (const Entry& cell : set.entries) {
      std::optional<size_t> column = table.column_index(cell.name);
      if (!column) {
        fail(cell.key_at, "unknown column '" + cell.name + "' in table '" + table.name +
                              "' (columns: " + column_names(table) + ")");
      }
      if (*column == table.key_column) {
        fail(cell.key_at, "column '" + cell.name + "' is the key of table '" + table.name +
                              "'; a write cannot change it");
      }
      if (table.columns[*column].type != ColumnType::integer) {
        fail(cell.key_at, "column '" + cell.name + "' of table '" + table.name +
                              "' is text; only integer columns can be written");
      }
      write.assignments.push_back(WriteStep::Assignment{
          *column, expression(cell.value, scope, "value of '" + cell.name + "'")});
    }
    return write;
  }

  /// Rejects SQL that could touch anything but the workload's tables
  /// (harness/sqlcheck/sql_check.h), at the offending token.
  void check_statement(const Ref& ref, SqlContext context, const Workload& workload) const {
    std::vector<std::string> declared;
    for (const TableDef& table : workload.tables) declared.push_back(table.name);
    const std::string& value = ref.node.Scalar();
    const SqlCheck check = check_sql(value, context, declared);
    if (check.problem)
      fail(value_location(text_, path_, ref.node, value, check.problem->offset),
           check.problem->message);
  }

  SqlStep load_sql(const Entry& kind, const Scope& params, const Workload& workload) const {
    SqlStep sql;
    sql.text = trim(text(kind.value, "sql"));
    if (sql.text.empty()) fail(kind.value.at, "sql must not be empty");
    check_statement(kind.value, SqlContext::workload_step, workload);
    LocatedText source = located(kind.value, kind.value.node.Scalar());
    const std::string& s = source.text;
    auto location_of = [&](size_t offset) {
      SourceLocation where = source.where;
      size_t line_start = 0;
      int newlines = 0;
      for (size_t i = 0; i < offset; ++i) {
        if (s[i] == '\n') {
          ++newlines;
          line_start = i + 1;
        }
      }
      if (newlines == 0) {
        where.column += static_cast<int>(offset);
      } else {
        where.line += newlines;
        where.column = static_cast<int>(offset - line_start) + 1;
      }
      return where;
    };
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      char next = i + 1 < s.size() ? s[i + 1] : '\0';
      if (c == '\'' || c == '"' || c == '`') {
        // A quoted literal or name; a doubled quote inside is an escaped quote.
        for (++i; i < s.size(); ++i) {
          if (s[i] != c) continue;
          if (i + 1 < s.size() && s[i + 1] == c) {
            ++i;
            continue;
          }
          break;
        }
      } else if (c == ':' && next == ':') {
        ++i;  // a PostgreSQL cast, x::int
      } else if (c == ':' && (std::isalpha(static_cast<unsigned char>(next)) || next == '_')) {
        size_t end = i + 1;
        while (end < s.size() &&
               (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_')) {
          ++end;
        }
        std::string name = s.substr(i + 1, end - i - 1);
        std::optional<int> slot = params.find(name);
        if (!slot) {
          fail(location_of(i),
               "unknown parameter ':" + name + "' in sql (parameters: " + params.known() + ")");
        }
        sql.param_slots.push_back(*slot);
        i = end - 1;
      }
    }
    return sql;
  }

  // ---- Invariants, run, matrix, expect ----------------------------------------

  void load_invariants(const Ref& ref, Workload& workload) const {
    for (const Ref& item : list(ref, "invariants")) {
      MapView def = map(item, "an invariant", kInvariantKeys);
      Invariant invariant;
      invariant.where = def.at;
      invariant.name = nonempty_text(require(def, "name").value, "invariant name");
      for (const Invariant& earlier : workload.invariants) {
        if (earlier.name == invariant.name) {
          fail(require(def, "name").value.at, "duplicate invariant name '" + invariant.name + "'");
        }
      }
      invariant.sql = trim(text(require(def, "sql").value, "invariant sql"));
      if (invariant.sql.empty())
        fail(require(def, "sql").value.at, "invariant sql must not be empty");
      check_statement(require(def, "sql").value, SqlContext::read_query, workload);
      const Entry* compare = nullptr;
      for (const Entry& entry : def.entries) {
        if (entry.name != "equals" && entry.name != "at_least" && entry.name != "at_most") continue;
        if (compare) {
          fail(entry.key_at,
               "an invariant has exactly one of equals, at_least, at_most; this one "
               "has both '" +
                   compare->name + "' and '" + entry.name + "'");
        }
        compare = &entry;
      }
      if (!compare) {
        fail(def.at, "invariant '" + invariant.name + "' needs one of equals, at_least, at_most");
      }
      if (compare->name == "equals") {
        invariant.compare = Invariant::Compare::equals;
        if (plain_scalar(compare->value) && compare->value.node.Scalar() == "initial") {
          invariant.against_initial = true;
        } else if (!plain_scalar(compare->value) || !parse_int64(compare->value.node.Scalar())) {
          fail(compare->value.at,
               "equals must be an integer or `initial`, found " + found(compare->value.node));
        } else {
          invariant.value = integer(compare->value, "equals");
        }
      } else {
        invariant.compare = compare->name == "at_least" ? Invariant::Compare::at_least
                                                        : Invariant::Compare::at_most;
        invariant.value = integer(compare->value, compare->name);
      }
      workload.invariants.push_back(std::move(invariant));
    }
  }

  void load_run(const Ref& ref, RunSettings& run) const {
    MapView def = map(ref, "run", kRunKeys);
    if (const Entry* workers = def.find("workers")) {
      int64_t value = integer_at_least(workers->value, "workers", 1);
      if (value > kMaxWorkers)
        fail(workers->value.at, "workers must be at most " + std::to_string(kMaxWorkers));
      run.workers = static_cast<int>(value);
    }
    const Entry* duration = def.find("duration");
    const Entry* transactions = def.find("transactions");
    if (duration && transactions) {
      const Entry* later = duration->key_at.line > transactions->key_at.line ||
                                   (duration->key_at.line == transactions->key_at.line &&
                                    duration->key_at.column > transactions->key_at.column)
                               ? duration
                               : transactions;
      fail(later->key_at, "run takes either duration or transactions, not both");
    }
    if (duration) {
      run.duration = this->duration(duration->value, "duration");
      if (run.duration->count() <= 0) fail(duration->value.at, "duration must be positive");
    }
    if (transactions) {
      run.transactions = integer_at_least(transactions->value, "transactions", 1);
      if (*run.transactions > kMaxTransactions)
        fail(transactions->value.at,
             "transactions must be at most " + std::to_string(kMaxTransactions));
    }
    if (const Entry* seed = def.find("seed")) {
      std::optional<uint64_t> value;
      if (plain_scalar(seed->value)) value = parse_uint64(seed->value.node.Scalar());
      if (!value) {
        fail(seed->value.at,
             "seed must be an integer in [0, 2^64), found " + found(seed->value.node));
      }
      run.seed = *value;
    }
    if (const Entry* retry = def.find("retry")) load_retry(retry->value, run.retry);
  }

  void load_retry(const Ref& ref, RetryPolicy& retry) const {
    MapView def = map(ref, "retry", kRetryKeys);
    if (const Entry* on = def.find("on")) {
      retry.retry_on.clear();
      for (const Ref& item : list(on->value, "retry on")) {
        std::string name = text(item, "a retried cause");
        std::optional<AbortCause> cause = parse_abort_cause(name);
        if (!cause || !contains(kRetryableCauses, name)) {
          fail(item.at,
               "cannot retry on '" + name + "' (retryable: " + join(kRetryableCauses) + ")");
        }
        if (retry.retries(*cause)) fail(item.at, "'" + name + "' is listed twice");
        retry.retry_on.push_back(*cause);
      }
    }
    if (const Entry* tries = def.find("max_tries")) {
      int64_t value = integer_at_least(tries->value, "max_tries", 1);
      if (value > 1000000) fail(tries->value.at, "max_tries must be at most 1000000");
      retry.max_tries = static_cast<int>(value);
    }
    if (const Entry* backoff = def.find("backoff")) {
      retry.backoff_base = duration(backoff->value, "backoff");
    }
    if (const Entry* max_backoff = def.find("max_backoff")) {
      retry.backoff_max = duration(max_backoff->value, "max_backoff");
      if (retry.backoff_max < retry.backoff_base) {
        fail(max_backoff->value.at, "max_backoff must not be less than backoff");
      }
    } else if (retry.backoff_max < retry.backoff_base) {
      retry.backoff_max = retry.backoff_base;
    }
  }

  void load_matrix(const Ref& ref, Matrix& matrix) const {
    MapView def = map(ref, "matrix", kMatrixKeys);
    if (const Entry* isolation = def.find("isolation")) {
      matrix.isolation = names<Isolation>(isolation->value, "isolation level", true,
                                          join(isolation_names()), parse_isolation);
    }
    if (const Entry* locking = def.find("locking")) {
      matrix.locking = names<Locking>(locking->value, "locking mode", true, join(locking_names()),
                                      parse_locking);
    }
  }

  static std::vector<std::string_view> isolation_names() {
    std::vector<std::string_view> names;
    for (Isolation level : kAllIsolations) names.push_back(to_string(level));
    return names;
  }

  static std::vector<std::string_view> locking_names() {
    std::vector<std::string_view> names;
    for (Locking mode : kAllLockings) names.push_back(to_string(mode));
    return names;
  }

  void load_expect(const Ref& ref, Workload& workload) const {
    std::vector<std::string_view> allowed = {"where", "invariants", "ledger"};
    allowed.insert(allowed.end(), std::begin(kMetrics), std::end(kMetrics));
    for (const Ref& item : list(ref, "expect")) {
      MapView def = map(item, "an expect rule", allowed);
      ExpectRule rule;
      rule.where = def.at;
      for (const Entry& entry : def.entries) {
        if (entry.name == "where") {
          load_where(entry.value, rule);
        } else if (entry.name == "invariants") {
          std::string value = text(entry.value, "invariants");
          if (value == "hold" || value == "violated") {
            rule.invariants_hold = value == "hold";
          } else if (value == "any") {
            rule.invariants_any = true;
          } else {
            fail(entry.value.at,
                 "invariants must be hold, violated or any, found " + found(entry.value.node));
          }
        } else if (entry.name == "ledger") {
          std::string value = text(entry.value, "ledger");
          if (value == "balanced" || value == "unbalanced") {
            rule.ledger_balanced = value == "balanced";
          } else if (value == "any") {
            rule.ledger_any = true;
          } else {
            fail(entry.value.at,
                 "ledger must be balanced, unbalanced or any, found " + found(entry.value.node));
          }
        } else {
          rule.bounds.push_back(load_bound(entry));
        }
      }
      if (rule.bounds.empty() && !rule.invariants_hold && !rule.invariants_any &&
          !rule.ledger_balanced && !rule.ledger_any) {
        fail(def.at, "an expect rule must name at least one metric (" + join(kMetrics) +
                         "), invariants or ledger");
      }
      workload.expect.push_back(std::move(rule));
    }
  }

  void load_where(const Ref& ref, ExpectRule& rule) const {
    MapView def = map(ref, "where", kWhereKeys);
    if (const Entry* database = def.find("database")) {
      rule.databases = names<DatabaseKind>(database->value, "database", false, kDatabaseNames,
                                           parse_database_kind);
    }
    if (const Entry* isolation = def.find("isolation")) {
      rule.isolation = names<Isolation>(isolation->value, "isolation level", false,
                                        join(isolation_names()), parse_isolation);
    }
    if (const Entry* locking = def.find("locking")) {
      rule.locking = names<Locking>(locking->value, "locking mode", false, join(locking_names()),
                                    parse_locking);
    }
  }

  MetricBound load_bound(const Entry& entry) const {
    MetricBound bound;
    bound.metric = entry.name;
    bound.where = entry.key_at;
    if (entry.value.node.IsMap()) {
      MapView def = map(entry.value, entry.name, std::array<std::string_view, 2>{"min", "max"});
      if (def.entries.empty()) fail(def.at, entry.name + " needs min, max or both");
      if (const Entry* min = def.find("min")) bound.min = metric_value(entry.name, min->value);
      if (const Entry* max = def.find("max")) bound.max = metric_value(entry.name, max->value);
      if (bound.min && bound.max && *bound.min > *bound.max) {
        fail(def.find("max")->value.at, entry.name + ": max " + format_number(*bound.max) +
                                            " is less than min " + format_number(*bound.min));
      }
    } else {
      bound.min = bound.max = metric_value(entry.name, entry.value);
    }
    return bound;
  }

  double metric_value(const std::string& metric, const Ref& ref) const {
    bool rate = metric == "abort_rate";
    double value = 0;
    std::string scalar = ref.node.IsScalar() ? trim(ref.node.Scalar()) : std::string();
    if (rate && scalar.ends_with('%')) {
      std::optional<double> percent = parse_double(trim(scalar.substr(0, scalar.size() - 1)));
      if (!percent)
        fail(ref.at, "abort_rate must be a fraction or a percentage, found " + found(ref.node));
      value = *percent / 100;
    } else {
      value = number(ref, metric);
    }
    if (value < 0) fail(ref.at, metric + " must not be negative");
    if (rate && value > 1) {
      fail(ref.at,
           "abort_rate must be in [0, 1] or a percentage up to 100%, found " + found(ref.node));
    }
    return value;
  }

  const std::string& text_;
  std::vector<size_t> line_starts_;
};

}  // namespace

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

MetricBound parse_fail_on(const std::string& text) {
  const std::string_view expression = text;
  const size_t op = expression.find_first_of("<>");
  const auto fail = [&](size_t at, const std::string& why) -> MetricBound {
    throw InputError(SourceLocation{"--fail-on", 0, 0},
                     "'" + text + "', column " + std::to_string(at + 1) + ": " + why +
                         " (expected METRIC>NUMBER or METRIC<NUMBER, e.g. 'lost_updates>0')");
  };
  if (op == std::string_view::npos) return fail(0, "no > or <");
  const std::string metric = trim(std::string(expression.substr(0, op)));
  if (std::find(std::begin(kMetrics), std::end(kMetrics), metric) == std::end(kMetrics))
    return fail(0, "unknown metric '" + metric + "'; metrics: " + join(kMetrics));
  if (op + 1 < expression.size() && expression[op + 1] == '=')
    return fail(op, "'" + std::string(expression.substr(op, 2)) +
                        "' is not a threshold: a cell fails when the metric is above (>) or "
                        "below (<) the number");
  std::string number = trim(std::string(expression.substr(op + 1)));
  double scale = 1;
  if (metric == "abort_rate" && number.ends_with('%')) {
    number = trim(number.substr(0, number.size() - 1));
    scale = 0.01;
  }
  const std::optional<double> value = parse_double(number);
  if (!value) return fail(op + 1, "'" + number + "' is not a number");
  MetricBound bound;
  bound.metric = metric;
  (expression[op] == '>' ? bound.max : bound.min) = *value * scale;
  bound.where = SourceLocation{"--fail-on", 0, 0};
  return bound;
}

Workload load_workload_text(const std::string& text, const std::string& path) {
  return Loader(text, path).load();
}

Workload load_workload_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw InputError("cannot read " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw InputError("cannot read " + path);
  return load_workload_text(content.str(), path);
}

}  // namespace clobber
