// The `transactions:` section of a workload: parameters and steps
// (harness/workload/loader_parts.h).
#include "harness/workload/loader_parts.h"

#include <limits>

namespace clobber::loader {
namespace {

constexpr int64_t kMaxZipfKeys = 10'000'000;
constexpr std::string_view kTransactionKeys[] = {"weight", "params", "steps"};
constexpr std::string_view kGeneratorKinds[] = {"choice", "uniform", "zipf", "hot_set"};
constexpr std::string_view kGeneratorKeys[] = {"choice",   "uniform",  "zipf",       "hot_set",
                                               "exponent", "fraction", "probability"};
constexpr std::string_view kStepKinds[] = {"read", "check", "write", "sleep", "sql"};
constexpr std::string_view kReadKeys[] = {"table", "key", "as"};
constexpr std::string_view kWriteKeys[] = {"row", "table", "key", "set"};

}  // namespace

// ---- Transactions -----------------------------------------------------------

void Loader::load_transactions(const Ref& ref, Workload& workload) const {
  MapView transactions = names_map(ref, "transactions");
  if (transactions.entries.empty()) {
    fail(transactions.at, "transactions must define at least one transaction type");
  }
  for (const Entry& entry : transactions.entries) {
    if (trim(entry.name).empty()) fail(entry.key_at, "a transaction name must not be empty");
    workload.transactions.push_back(load_transaction(entry, workload));
  }
}

TransactionType Loader::load_transaction(const Entry& entry, const Workload& workload) const {
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
      fail(item.at,
           "a step must be a map with one of " + join(kStepKinds) + ", found " + found(item.node));
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

ParamGenerator Loader::load_generator(const Ref& ref, const std::string& what) const {
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
        fail(exponent->value.at, "zipf exponent must be greater than 0 (and at most 100), found " +
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

void Loader::load_range(const Entry& entry, ParamGenerator& generator) const {
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

ReadStep Loader::load_read(const Entry& kind, const Workload& workload, Scope& scope,
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
  reads.push_back(
      ReadInfo{index, read.table, read.alias, without_whitespace(read.key.text), kind.key_at.line});
  return read;
}

WriteStep Loader::load_write(const Entry& kind, const Workload& workload, const Scope& scope,
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
SqlStep Loader::load_sql(const Entry& kind, const Scope& params, const Workload& workload) const {
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

}  // namespace clobber::loader
