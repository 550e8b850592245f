// Internal to harness/workload/: the workload loader (workload_loader.h) in
// parts, one source file per YAML section, all members of one Loader:
//   workload_loader.cpp     the top level (name, description, section order)
//   loader_common.cpp       positions, typed values, expressions, shared lookups
//   loader_tables.cpp       tables:
//   loader_transactions.cpp transactions: (params, steps)
//   loader_invariants.cpp   invariants:
//   loader_run.cpp          run: (retry) and matrix:
//   loader_expect.cpp       expect: and --fail-on
// Each section's loader can be called alone on a parsed document
// (tests/workload/loader_parts_test.cpp).
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/common/yaml_reader.h"
#include "harness/sqlcheck/sql_check.h"
#include "harness/workload/workload.h"

namespace clobber::loader {

/// Names that appear in expressions (parameters, read aliases): [A-Za-z_][A-Za-z0-9_]*.
bool is_identifier(std::string_view name);
/// True for and/or/not in any case.
bool is_keyword(std::string_view name);
/// A decimal int64 (a leading + allowed), or nullopt.
std::optional<int64_t> parse_int64(std::string_view text);
/// A decimal uint64 (a leading + allowed), or nullopt.
std::optional<uint64_t> parse_uint64(std::string_view text);
/// A finite decimal number (a leading + allowed), or nullopt.
std::optional<double> parse_double(std::string_view text);
/// `text` without any white space.
std::string without_whitespace(std::string_view text);
/// A number as the messages print it.
std::string format_number(double value);

/// Text to parse (an expression, SQL) with where it starts in the file. For
/// block scalars this is the source lines themselves, so every offset in it maps
/// to its exact line and column.
struct LocatedText {
  std::string text;
  SourceLocation where;
};

/// Names visible to an expression, with their frame slots.
struct Scope {
  std::vector<std::pair<std::string, int>> names;
  /// The slot of `name`, or nullopt.
  std::optional<int> find(std::string_view name) const;
  /// The names, comma-separated, or "none".
  std::string known() const;
};

/// A read seen so far in a transaction, for resolving writes.
struct ReadInfo {
  size_t step = 0;
  size_t table = 0;
  std::string alias;
  std::string key_text;  // without whitespace
  int line = 0;
};

/// The checked reading of one workload file. Every error is an InputError at
/// file:line:column.
class Loader : private YamlReader {
 public:
  /// A loader of `text`, whose file name `path` appears in every message.
  Loader(const std::string& text, const std::string& path);

  /// The whole workload (workload_loader.cpp).
  Workload load() const;

  /// The parsed YAML document, its root with its position.
  Ref document() const;
  /// The value of top-level key `key` of `root`, with its position (for
  /// loading one section alone).
  Ref section(const Ref& root, std::string_view key) const;

  /// `tables:` into workload.tables (loader_tables.cpp).
  void load_tables(const Ref& ref, Workload& workload) const;
  /// `transactions:` into workload.transactions, over workload.tables
  /// (loader_transactions.cpp).
  void load_transactions(const Ref& ref, Workload& workload) const;
  /// `invariants:` into workload.invariants, over workload.tables
  /// (loader_invariants.cpp).
  void load_invariants(const Ref& ref, Workload& workload) const;
  /// `run:` (loader_run.cpp).
  void load_run(const Ref& ref, RunSettings& run) const;
  /// `matrix:` (loader_run.cpp).
  void load_matrix(const Ref& ref, Matrix& matrix) const;
  /// `expect:` into workload.expect (loader_expect.cpp).
  void load_expect(const Ref& ref, Workload& workload) const;

 private:
  // ---- loader_common.cpp: positions, typed values, expressions, lookups ----
  char char_at(const YAML::Mark& mark) const;
  LocatedText located(const Ref& ref, const std::string& value) const;
  bool plain_scalar(const Ref& ref) const;
  int64_t integer(const Ref& ref, const std::string& what) const;
  int64_t integer_at_least(const Ref& ref, const std::string& what, int64_t minimum) const;
  double number(const Ref& ref, const std::string& what) const;
  std::chrono::microseconds duration(const Ref& ref, const std::string& what) const;
  Expr expression(const Ref& ref, const Scope& scope, const std::string& what) const;
  bool followed_by_comma(const Ref& ref, const std::string& value) const;
  size_t table_index(const Workload& workload, const Ref& ref) const;
  void check_statement(const Ref& ref, SqlContext context, const Workload& workload) const;
  static std::string column_names(const TableDef& table);
  static std::vector<std::string_view> isolation_names();
  static std::vector<std::string_view> locking_names();

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

  // ---- loader_tables.cpp ----
  void check_sql_name(const std::string& name, const SourceLocation& where,
                      const std::string& what) const;
  TableDef load_table(const Entry& entry) const;
  GeneratedRows load_generated(const Entry& entry, const TableDef& table,
                               const std::map<int64_t, int>& literal_keys) const;

  // ---- loader_transactions.cpp ----
  TransactionType load_transaction(const Entry& entry, const Workload& workload) const;
  ParamGenerator load_generator(const Ref& ref, const std::string& what) const;
  void load_range(const Entry& entry, ParamGenerator& generator) const;
  ReadStep load_read(const Entry& kind, const Workload& workload, Scope& scope,
                     std::vector<ReadInfo>& reads, size_t index, int& frame) const;
  WriteStep load_write(const Entry& kind, const Workload& workload, const Scope& scope,
                       const std::vector<ReadInfo>& reads) const;
  SqlStep load_sql(const Entry& kind, const Scope& params, const Workload& workload) const;

  // ---- loader_invariants.cpp ----
  void load_invariant_form(const MapView& def, Invariant& invariant,
                           const Workload& workload) const;
  void load_invariant_bound(const MapView& def, Invariant& invariant) const;

  // ---- loader_run.cpp ----
  void load_retry(const Ref& ref, RetryPolicy& retry) const;

  // ---- loader_expect.cpp ----
  void load_where(const Ref& ref, ExpectRule& rule) const;
  MetricBound load_bound(const Entry& entry) const;
  double metric_value(const std::string& metric, const Ref& ref) const;

  const std::string& text_;
  std::vector<size_t> line_starts_;
};

}  // namespace clobber::loader
