// The `invariants:` section of a workload (harness/workload/loader_parts.h):
// each invariant is one of `sql:`, `sum: TABLE.COLUMN` or
// `count: {table: NAME, where: EXPR}`, with one of equals, at_least, at_most.
#include "harness/workload/loader_parts.h"

namespace clobber::loader {
namespace {

constexpr std::string_view kInvariantKeys[] = {"name",   "sql",      "sum",    "count",
                                               "equals", "at_least", "at_most"};
constexpr std::string_view kInvariantForms[] = {"sql", "sum", "count"};
constexpr std::string_view kCountKeys[] = {"table", "where"};

}  // namespace

void Loader::load_invariants(const Ref& ref, Workload& workload) const {
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
    load_invariant_form(def, invariant, workload);
    load_invariant_bound(def, invariant);
    workload.invariants.push_back(std::move(invariant));
  }
}

void Loader::load_invariant_form(const MapView& def, Invariant& invariant,
                                 const Workload& workload) const {
  const Entry* form = nullptr;
  for (const Entry& entry : def.entries) {
    if (!contains(kInvariantForms, entry.name)) continue;
    if (form) {
      fail(entry.key_at, "an invariant has exactly one of sql, sum, count; this one has both '" +
                             form->name + "' and '" + entry.name + "'");
    }
    form = &entry;
  }
  if (!form) fail(def.at, "invariant '" + invariant.name + "' needs one of sql, sum, count");

  if (form->name == "sql") {
    invariant.form = Invariant::Form::sql;
    invariant.sql = trim(text(form->value, "invariant sql"));
    if (invariant.sql.empty()) fail(form->value.at, "invariant sql must not be empty");
    check_statement(form->value, SqlContext::read_query, workload);
    return;
  }

  if (form->name == "sum") {
    invariant.form = Invariant::Form::sum;
    const std::string value = text(form->value, "sum");
    const LocatedText source = located(form->value, value);
    const size_t dot = value.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == value.size() ||
        value.find('.', dot + 1) != std::string::npos) {
      fail(source.where,
           "sum must be TABLE.COLUMN (e.g. accounts.balance), found " + found(form->value.node));
    }
    const std::string table_name = value.substr(0, dot);
    const std::string column_name = value.substr(dot + 1);
    const std::optional<size_t> table = workload.table_index(table_name);
    if (!table) {
      std::vector<std::string> tables;
      for (const TableDef& known : workload.tables) tables.push_back(known.name);
      fail(source.where, "unknown table '" + table_name + "' (tables: " + join(tables) + ")");
    }
    const TableDef& def_table = workload.tables[*table];
    SourceLocation column_at = source.where;
    column_at.column += static_cast<int>(dot + 1);
    const std::optional<size_t> column = def_table.column_index(column_name);
    if (!column) {
      fail(column_at, "unknown column '" + column_name + "' in table '" + def_table.name +
                          "' (columns: " + column_names(def_table) + ")");
    }
    if (def_table.columns[*column].type != ColumnType::integer) {
      fail(column_at, "column '" + column_name + "' of table '" + def_table.name +
                          "' is text; sum takes an integer column");
    }
    invariant.table = *table;
    invariant.column = *column;
    return;
  }

  invariant.form = Invariant::Form::count;
  MapView count = map(form->value, "count", kCountKeys);
  invariant.table = table_index(workload, require(count, "table").value);
  const TableDef& table = workload.tables[invariant.table];
  const Entry* where = count.find("where");
  if (!where) return;
  Scope scope;
  const std::vector<size_t> integers = table.integer_columns();
  for (size_t i = 0; i < integers.size(); ++i)
    scope.names.emplace_back(table.columns[integers[i]].name, static_cast<int>(i));
  try {
    invariant.where_rows = expression(where->value, scope, "where");
  } catch (const InputError& error) {
    // A text column is known but cannot be read as a number: say so.
    for (const ColumnDef& column : table.columns) {
      if (column.type == ColumnType::text &&
          error.message().starts_with("unknown variable '" + column.name + "'")) {
        throw InputError(error.where(), "column '" + column.name + "' of table '" + table.name +
                                            "' is text; where reads integer columns only");
      }
    }
    throw;
  }
}

void Loader::load_invariant_bound(const MapView& def, Invariant& invariant) const {
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
    invariant.compare =
        compare->name == "at_least" ? Invariant::Compare::at_least : Invariant::Compare::at_most;
    invariant.value = integer(compare->value, compare->name);
  }
}

}  // namespace clobber::loader
