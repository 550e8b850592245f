#include "harness/plan/cell_plan.h"

#include "harness/sqlcheck/sql_check.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

namespace clobber {
namespace {

/// How long MySQL's GET_LOCK waits before the attempt aborts as a lock timeout.
constexpr int kAdvisoryLockTimeoutSeconds = 10;

/// The slots an expression reads.
std::set<int> slots_of(const Expr& expr) {
  std::set<int> slots;
  for_each_variable(expr, [&](int slot) { slots.insert(slot); });
  return slots;
}

/// A copy of the subtree of `expr` rooted at `node`.
Expr subexpression(const Expr& expr, int32_t node) {
  Expr copy;
  copy.text = expr.text;
  copy.where = expr.where;
  // Post-order copy keeps the invariant that the root is the last node.
  auto rec = [&](auto&& self, int32_t index) -> int32_t {
    ExprNode n = expr.nodes[index];
    if (n.left >= 0) n.left = self(self, n.left);
    if (n.right >= 0) n.right = self(self, n.right);
    copy.nodes.push_back(n);
    return static_cast<int32_t>(copy.nodes.size()) - 1;
  };
  rec(rec, node);
  return copy;
}

/// An expression holding one constant.
Expr constant_expr(int64_t value) {
  Expr e;
  e.nodes.push_back(ExprNode{ExprOp::constant, value, -1, -1});
  e.text = std::to_string(value);
  return e;
}

bool is_boolean_op(ExprOp op) {
  switch (op) {
    case ExprOp::logical_not:
    case ExprOp::equal:
    case ExprOp::not_equal:
    case ExprOp::less:
    case ExprOp::less_equal:
    case ExprOp::greater:
    case ExprOp::greater_equal:
    case ExprOp::logical_and:
    case ExprOp::logical_or:
      return true;
    default:
      return false;
  }
}

/// Translates an expression to SQL for an atomic write's WHERE guard: variables
/// of the folded read become its columns, other variables become parameters.
class GuardTranslator {
 public:
  GuardTranslator(const Dialect& dialect, const TableDef& table, const ReadStep& read,
                  std::vector<Arg>& args, int& next_param)
      : dialect_(dialect), table_(table), read_(read), args_(args), next_param_(next_param) {}

  /// SQL for the node as a boolean condition, or nullopt when it cannot be expressed.
  std::optional<std::string> condition(const Expr& expr, int32_t node) {
    const ExprNode& n = expr.nodes[node];
    if (!is_boolean_op(n.op)) {
      auto value = integer(expr, node);
      if (!value) return std::nullopt;
      return "(" + *value + ") <> 0";
    }
    switch (n.op) {
      case ExprOp::logical_not: {
        auto a = condition(expr, n.left);
        if (!a) return std::nullopt;
        return "NOT (" + *a + ")";
      }
      case ExprOp::logical_and:
      case ExprOp::logical_or: {
        auto a = condition(expr, n.left);
        auto b = condition(expr, n.right);
        if (!a || !b) return std::nullopt;
        return "(" + *a + (n.op == ExprOp::logical_and ? " AND " : " OR ") + *b + ")";
      }
      default: {
        auto a = integer(expr, n.left);
        auto b = integer(expr, n.right);
        if (!a || !b) return std::nullopt;
        return "(" + *a + " " + comparison(n.op) + " " + *b + ")";
      }
    }
  }

 private:
  static std::string comparison(ExprOp op) {
    switch (op) {
      case ExprOp::equal:
        return "=";
      case ExprOp::not_equal:
        return "<>";
      case ExprOp::less:
        return "<";
      case ExprOp::less_equal:
        return "<=";
      case ExprOp::greater:
        return ">";
      default:
        return ">=";
    }
  }

  std::optional<std::string> integer(const Expr& expr, int32_t node) {
    const ExprNode& n = expr.nodes[node];
    if (is_boolean_op(n.op)) return std::nullopt;
    switch (n.op) {
      case ExprOp::constant:
        return std::to_string(n.value);
      case ExprOp::variable: {
        const int slot = static_cast<int>(n.value);
        const int offset = slot - read_.first_slot;
        if (offset >= 0 && offset < static_cast<int>(read_.columns.size()))
          return table_.columns[read_.columns[offset]].name;
        args_.push_back(Arg{Arg::Source::slot, slot});
        std::string p = dialect_.placeholder(++next_param_);
        if (dialect_.kind() == DatabaseKind::postgresql) p = "CAST(" + p + " AS BIGINT)";
        return p;
      }
      case ExprOp::negate: {
        auto a = integer(expr, n.left);
        if (!a) return std::nullopt;
        return "(-" + *a + ")";
      }
      case ExprOp::minimum:
      case ExprOp::maximum: {
        auto a = integer(expr, n.left);
        auto b = integer(expr, n.right);
        if (!a || !b) return std::nullopt;
        return std::string(n.op == ExprOp::minimum ? dialect_.least() : dialect_.greatest()) + "(" +
               *a + ", " + *b + ")";
      }
      default: {
        auto a = integer(expr, n.left);
        auto b = integer(expr, n.right);
        if (!a || !b) return std::nullopt;
        std::string op;
        switch (n.op) {
          case ExprOp::add:
            op = " + ";
            break;
          case ExprOp::subtract:
            op = " - ";
            break;
          case ExprOp::multiply:
            op = " * ";
            break;
          case ExprOp::divide:
            op = std::string(dialect_.integer_division());
            break;
          default:
            op = " % ";
            break;
        }
        return "(" + *a + op + *b + ")";
      }
    }
  }

  const Dialect& dialect_;
  const TableDef& table_;
  const ReadStep& read_;
  std::vector<Arg>& args_;
  int& next_param_;
};

/// Builds the plan of one cell; `error` is set when the mode cannot express it.
class Planner {
 public:
  Planner(const Workload& workload, DatabaseKind kind, Isolation isolation, Locking locking,
          const std::string& prefix)
      : workload_(workload), dialect_(kind), prefix_(prefix) {
    plan_.kind = kind;
    plan_.isolation = isolation;
    plan_.locking = locking;
    for (const TableDef& table : workload.tables) plan_tables(table, prefix);
  }

  std::variant<CellPlan, std::string> build() {
    if (plan_.locking == Locking::advisory && dialect_.kind() == DatabaseKind::mysql)
      plan_.release_statement = add_statement("SELECT RELEASE_ALL_LOCKS()", 0);
    for (const TransactionType& type : workload_.transactions) {
      TransactionPlan tx;
      tx.type = &type;
      if (auto reason = plan_transaction(type, tx)) return *reason;
      tx.commit_with_last_write = commits_with_last_write(tx);
      plan_.transactions.push_back(std::move(tx));
    }
    for (const Invariant& invariant : workload_.invariants)
      plan_.invariant_sql.push_back(
          invariant.form == Invariant::Form::sql
              ? rewrite_sql(invariant.sql, workload_, plan_.tables, dialect_)
              : std::string());  // sum, count: harness/check/invariants.h, no SQL
    return std::move(plan_);
  }

 private:
  /// See TransactionPlan::commit_with_last_write.
  bool commits_with_last_write(const TransactionPlan& tx) const {
    if (plan_.isolation == Isolation::none || tx.ops.empty()) return false;
    const PlannedOp& last = tx.ops.back();
    if (last.kind != PlannedOp::Kind::write || last.returning_statement >= 0) return false;
    for (size_t i = 0; i + 1 < tx.ops.size(); ++i)
      if (tx.ops[i].kind == PlannedOp::Kind::write || tx.ops[i].kind == PlannedOp::Kind::sql)
        return false;
    return true;
  }

  void plan_tables(const TableDef& table, const std::string& prefix) {
    TablePlan tp;
    tp.name = prefix + table.name;
    std::string columns;
    std::string column_list;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const ColumnDef& c = table.columns[i];
      const bool integer = c.type == ColumnType::integer;
      columns += c.name + " " +
                 std::string(integer ? dialect_.integer_type() : dialect_.text_type()) +
                 " NOT NULL" + (i == table.key_column ? " PRIMARY KEY" : "") +
                 (i == table.key_column ? ""
                  : integer             ? " DEFAULT 0"
                                        : " DEFAULT ''") +
                 ", ";
      column_list += (i ? ", " : "") + c.name;
    }
    const std::string bigint(dialect_.integer_type());
    columns += std::string(kTxnColumn) + " " + bigint + " NOT NULL DEFAULT 0, " + kPrevTxnColumn +
               " " + bigint + " NOT NULL DEFAULT 0, " + kVersionColumn + " " + bigint +
               " NOT NULL DEFAULT 0";
    tp.create_sql = "CREATE TABLE " + tp.name + " (" + columns + ")" +
                    (dialect_.kind() == DatabaseKind::mysql ? " ENGINE=InnoDB" : "");
    tp.drop_sql = "DROP TABLE IF EXISTS " + tp.name;

    constexpr size_t kBatch = 500;
    std::string batch;
    size_t in_batch = 0;
    for (const auto& row : seed_rows(table)) {
      batch += in_batch ? ", (" : "(";
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) batch += ", ";
        if (const auto* v = std::get_if<int64_t>(&row[i]))
          batch += std::to_string(*v);
        else
          batch += dialect_.quote_string(std::get<std::string>(row[i]));
      }
      batch += ")";
      if (++in_batch == kBatch) {
        tp.seed_sql.push_back("INSERT INTO " + tp.name + " (" + column_list + ") VALUES " + batch);
        batch.clear();
        in_batch = 0;
      }
    }
    if (in_batch)
      tp.seed_sql.push_back("INSERT INTO " + tp.name + " (" + column_list + ") VALUES " + batch);

    std::string selected;
    for (size_t c : table.integer_columns())
      selected += (selected.empty() ? "" : ", ") + table.columns[c].name;
    tp.final_state_sql = "SELECT " + selected + ", " + kTxnColumn + " FROM " + tp.name +
                         " ORDER BY " + table.columns[table.key_column].name;
    plan_.tables.push_back(std::move(tp));
  }

  int add_statement(std::string sql, int params) {
    plan_.statements.push_back(std::move(sql));
    plan_.statement_params.push_back(params);
    return static_cast<int>(plan_.statements.size()) - 1;
  }

  std::string placeholder(int& next) const { return dialect_.placeholder(++next); }

  /// Slots of the read at step `r`.
  static bool in_read(const ReadStep& read, int slot) {
    return slot >= read.first_slot &&
           slot < read.first_slot + static_cast<int>(read.columns.size());
  }

  /// Which reads an atomic plan folds into their write, and which checks become
  /// guards; or why the transaction cannot be written atomically.
  std::optional<std::string> analyse_atomic(const TransactionType& type,
                                            std::vector<int>& folded_into,
                                            std::vector<int>& guard_of) {
    const size_t n = type.steps.size();
    folded_into.assign(n, -1);
    guard_of.assign(n, -1);
    for (size_t r = 0; r < n; ++r) {
      const auto* read = std::get_if<ReadStep>(&type.steps[r].action);
      if (!read) continue;
      std::vector<size_t> writes;
      for (size_t s = 0; s < n; ++s)
        if (const auto* w = std::get_if<WriteStep>(&type.steps[s].action); w && w->read_step == r)
          writes.push_back(s);
      if (writes.empty()) continue;
      const std::string who = "transaction '" + type.name + "': ";
      if (writes.size() > 1)
        return who + "row '" + read->alias + "' is written twice; an atomic UPDATE writes it once";
      const size_t w = writes[0];
      folded_into[r] = static_cast<int>(w);
      for (size_t s = 0; s < n; ++s) {
        if (s == r) continue;
        const Step& step = type.steps[s];
        std::set<int> used;
        if (const auto* c = std::get_if<CheckStep>(&step.action)) used = slots_of(c->condition);
        if (const auto* rd = std::get_if<ReadStep>(&step.action)) used = slots_of(rd->key);
        if (const auto* q = std::get_if<SqlStep>(&step.action))
          used.insert(q->param_slots.begin(), q->param_slots.end());
        if (const auto* wr = std::get_if<WriteStep>(&step.action); wr && s != w)
          for (const auto& a : wr->assignments) used.merge(slots_of(a.value));
        const bool uses_read =
            std::any_of(used.begin(), used.end(), [&](int slot) { return in_read(*read, slot); });
        if (!uses_read) continue;
        const bool only_read_and_params = std::all_of(used.begin(), used.end(), [&](int slot) {
          return in_read(*read, slot) || slot < static_cast<int>(type.params.size());
        });
        if (std::holds_alternative<CheckStep>(step.action) && s > r && s < w &&
            only_read_and_params) {
          guard_of[s] = static_cast<int>(r);
          continue;
        }
        return who + "the step at " + step.where.str() + " uses values of '" + read->alias +
               "' outside its write; an atomic UPDATE cannot return them";
      }
      const auto& write = std::get<WriteStep>(type.steps[w].action);
      for (const auto& a : write.assignments) {
        if (!delta_form(a.value, *read, a.column)) {
          const std::string column = workload_.tables[write.table].columns[a.column].name;
          return who + "the write of " + read->alias + "." + column + " (" + a.value.text +
                 ") is not " + read->alias + "." + column +
                 " plus or minus an expression of parameters";
        }
      }
    }
    return std::nullopt;
  }

  /// True when `value` is `R.column + e`, `e + R.column`, `R.column - e` or
  /// `R.column`, with `e` free of the read's values.
  bool delta_form(const Expr& value, const ReadStep& read, size_t column) const {
    int sign = 0;
    Expr delta;
    return split_delta(value, read, column, sign, delta);
  }

  bool split_delta(const Expr& value, const ReadStep& read, size_t column, int& sign,
                   Expr& delta) const {
    const auto it = std::find(read.columns.begin(), read.columns.end(), column);
    if (it == read.columns.end()) return false;
    const int own = read.first_slot + static_cast<int>(it - read.columns.begin());
    auto is_own = [&](int32_t node) {
      return value.nodes[node].op == ExprOp::variable && value.nodes[node].value == own;
    };
    auto free_of_read = [&](const Expr& e) {
      for (int slot : slots_of(e))
        if (in_read(read, slot)) return false;
      return true;
    };
    const ExprNode& root = value.nodes[value.root()];
    if (is_own(value.root())) {
      sign = 1;
      delta = constant_expr(0);
      return true;
    }
    if (root.op == ExprOp::add || root.op == ExprOp::subtract) {
      int32_t other = -1;
      if (is_own(root.left))
        other = root.right;
      else if (root.op == ExprOp::add && is_own(root.right))
        other = root.left;
      if (other < 0) return false;
      delta = subexpression(value, other);
      sign = root.op == ExprOp::add ? 1 : -1;
      return free_of_read(delta);
    }
    return false;
  }

  std::optional<std::string> plan_transaction(const TransactionType& type, TransactionPlan& tx) {
    const Locking locking = plan_.locking;
    std::vector<int> folded_into, guard_of;
    if (locking == Locking::atomic) {
      if (auto reason = analyse_atomic(type, folded_into, guard_of)) return reason;
    } else {
      folded_into.assign(type.steps.size(), -1);
      guard_of.assign(type.steps.size(), -1);
    }
    std::vector<int> op_of_step(type.steps.size(), -1);
    for (size_t s = 0; s < type.steps.size(); ++s) {
      const Step& step = type.steps[s];
      PlannedOp op;
      op.where = step.where;
      if (const auto* read = std::get_if<ReadStep>(&step.action)) {
        if (folded_into[s] >= 0) continue;
        if (plan_.locking == Locking::advisory) tx.ops.push_back(lock_op(*read, step.where));
        const TableDef& table = workload_.tables[read->table];
        std::string columns;
        for (size_t c : read->columns) columns += table.columns[c].name + ", ";
        int next = 0;
        std::string sql = "SELECT " + columns + kTxnColumn + ", " + kVersionColumn + " FROM " +
                          plan_.tables[read->table].name + " WHERE " +
                          table.columns[table.key_column].name + " = " + placeholder(next) +
                          std::string(dialect_.lock_suffix(locking));
        op.kind = PlannedOp::Kind::read;
        op.statement = add_statement(std::move(sql), next);
        op.args = {Arg{Arg::Source::key, 0}};
        op.expr = read->key;
        op.table = read->table;
        op.first_slot = read->first_slot;
        op.column_count = static_cast<int>(read->columns.size());
      } else if (const auto* check = std::get_if<CheckStep>(&step.action)) {
        if (guard_of[s] >= 0) continue;
        op.kind = PlannedOp::Kind::check;
        op.expr = check->condition;
      } else if (const auto* sleep = std::get_if<SleepStep>(&step.action)) {
        op.kind = PlannedOp::Kind::sleep;
        op.sleep = sleep->duration;
      } else if (const auto* sql = std::get_if<SqlStep>(&step.action)) {
        int params = 0;
        op.kind = PlannedOp::Kind::sql;
        std::string text = rewrite_sql(sql->text, workload_, plan_.tables, dialect_, &params);
        op.statement = add_statement(std::move(text), params);
        for (int slot : sql->param_slots) op.args.push_back(Arg{Arg::Source::slot, slot});
      } else {
        const auto& write = std::get<WriteStep>(step.action);
        const auto& read = std::get<ReadStep>(type.steps[write.read_step].action);
        if (folded_into[write.read_step] >= 0) {
          plan_atomic_write(type, write, read, guard_of, write.read_step, op);
        } else {
          plan_write(write, read, op_of_step[write.read_step], op);
        }
      }
      op_of_step[s] = static_cast<int>(tx.ops.size());
      tx.ops.push_back(std::move(op));
    }
    return std::nullopt;
  }

  /// The named lock taken before a read in advisory mode: held to the end of
  /// the transaction on PostgreSQL, until released after it on MySQL.
  PlannedOp lock_op(const ReadStep& read, const SourceLocation& where) {
    PlannedOp op;
    op.kind = PlannedOp::Kind::lock;
    op.where = where;
    op.expr = read.key;
    op.table = read.table;
    op.args = {Arg{Arg::Source::key, 0}};
    const std::string name = prefix_ + "t" + std::to_string(read.table) + ":";
    int next = 0;
    std::string sql;
    if (dialect_.kind() == DatabaseKind::mysql) {
      sql = "SELECT GET_LOCK(CONCAT('" + name + "', " + placeholder(next) + "), " +
            std::to_string(kAdvisoryLockTimeoutSeconds) + ")";
    } else {
      sql = "SELECT 1 FROM pg_advisory_xact_lock(hashtextextended('" + name + "' || CAST(" +
            placeholder(next) + " AS BIGINT), 0))";
    }
    op.statement = add_statement(std::move(sql), next);
    return op;
  }

  void plan_write(const WriteStep& write, const ReadStep& read, int read_op, PlannedOp& op) {
    const TableDef& table = workload_.tables[write.table];
    const Locking locking = plan_.locking;
    int next = 0;
    std::string sql = "UPDATE " + plan_.tables[write.table].name + " SET ";
    for (size_t i = 0; i < write.assignments.size(); ++i) {
      const auto& a = write.assignments[i];
      sql += table.columns[a.column].name + " = " + placeholder(next) + ", ";
      op.args.push_back(Arg{Arg::Source::value, static_cast<int>(i)});
      const auto it = std::find(read.columns.begin(), read.columns.end(), a.column);
      op.assignments.push_back(PlannedOp::Assignment{
          a.column, a.value, read.first_slot + static_cast<int>(it - read.columns.begin()), 1});
    }
    // Where RETURNING exists, the write also reports the version it replaced
    // and the version number it created, for the exact version order.
    const bool returning = dialect_.update_returning();
    if (returning) sql += std::string(kPrevTxnColumn) + " = " + kTxnColumn + ", ";
    sql += std::string(kTxnColumn) + " = " + placeholder(next) + ", " + kVersionColumn + " = " +
           kVersionColumn + " + 1";
    op.args.push_back(Arg{Arg::Source::txn_id, 0});
    sql += " WHERE " + table.columns[table.key_column].name + " = " + placeholder(next);
    op.args.push_back(Arg{Arg::Source::key, 0});
    op.zero_rows = ZeroRows::missing;
    op.returns_versions = returning;
    if (locking == Locking::optimistic) {
      sql += std::string(" AND ") + kVersionColumn + " = " + placeholder(next);
      op.args.push_back(Arg{Arg::Source::version_read, 0});
      op.zero_rows = ZeroRows::conflict;
    } else if (locking == Locking::compare_and_set) {
      for (size_t i = 0; i < write.assignments.size(); ++i) {
        sql +=
            " AND " + table.columns[write.assignments[i].column].name + " = " + placeholder(next);
        op.args.push_back(Arg{Arg::Source::old_value, static_cast<int>(i)});
      }
      op.zero_rows = ZeroRows::conflict;
    }
    if (returning) sql += std::string(" RETURNING ") + kPrevTxnColumn + ", " + kVersionColumn;
    op.kind = PlannedOp::Kind::write;
    op.statement = add_statement(std::move(sql), next);
    op.table = write.table;
    op.read_op = read_op;
  }

  void plan_atomic_write(const TransactionType& type, const WriteStep& write, const ReadStep& read,
                         const std::vector<int>& guard_of, size_t read_step, PlannedOp& op) {
    const TableDef& table = workload_.tables[write.table];
    int next = 0;
    // Without UPDATE ... RETURNING (MySQL), the UPDATE stores what it set in
    // session variables and a SELECT of them follows: exact even in autocommit.
    const bool returning = dialect_.update_returning();
    std::string sql = "UPDATE " + plan_.tables[write.table].name + " SET ";
    std::string returned;
    for (size_t i = 0; i < write.assignments.size(); ++i) {
      const auto& a = write.assignments[i];
      PlannedOp::Assignment planned{a.column, Expr{}, -1, 1};
      split_delta(a.value, read, a.column, planned.sign, planned.value);
      const std::string& column = table.columns[a.column].name;
      std::string p = placeholder(next);
      if (dialect_.kind() == DatabaseKind::postgresql) p = "CAST(" + p + " AS BIGINT)";
      const std::string value = column + (planned.sign > 0 ? " + " : " - ") + p;
      const std::string variable = "@clobber_v" + std::to_string(i);
      sql += column + " = " + (returning ? value : "(" + variable + " := " + value + ")") + ", ";
      returned += (returning ? column : variable) + ", ";
      op.args.push_back(Arg{Arg::Source::value, static_cast<int>(i)});
      op.assignments.push_back(std::move(planned));
    }
    sql += std::string(kPrevTxnColumn) + " = " +
           (returning ? std::string(kTxnColumn)
                      : "(@clobber_prev := " + std::string(kTxnColumn) + ")") +
           ", " + kTxnColumn + " = " + placeholder(next) + ", " + kVersionColumn + " = " +
           (returning ? std::string(kVersionColumn) + " + 1"
                      : "(@clobber_version := " + std::string(kVersionColumn) + " + 1)");
    op.args.push_back(Arg{Arg::Source::txn_id, 0});
    sql += " WHERE " + table.columns[table.key_column].name + " = " + placeholder(next);
    op.args.push_back(Arg{Arg::Source::key, 0});
    op.zero_rows = ZeroRows::missing;
    for (size_t s = 0; s < type.steps.size(); ++s) {
      if (guard_of[s] != static_cast<int>(read_step)) continue;
      const Expr& condition = std::get<CheckStep>(type.steps[s].action).condition;
      GuardTranslator translator(dialect_, table, read, op.args, next);
      // analyse_atomic admitted only guards over this read and parameters; any
      // expression over them is expressible, so the translation cannot fail.
      sql += " AND " + translator.condition(condition, condition.root()).value_or("FALSE");
      op.zero_rows = ZeroRows::rejected;
    }
    op.kind = PlannedOp::Kind::write;
    op.atomic = true;
    op.returns_versions = true;
    if (returning) {
      op.statement = add_statement(
          sql + " RETURNING " + returned + kPrevTxnColumn + ", " + kVersionColumn, next);
    } else {
      op.statement = add_statement(std::move(sql), next);
      op.returning_statement =
          add_statement("SELECT " + returned + "@clobber_prev, @clobber_version", 0);
    }
    op.table = write.table;
    op.expr = read.key;
  }

  const Workload& workload_;
  Dialect dialect_;
  std::string prefix_;
  CellPlan plan_;
};

bool is_identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace

std::variant<CellPlan, std::string> plan_cell(const Workload& workload, DatabaseKind kind,
                                              Isolation isolation, Locking locking,
                                              const std::string& table_prefix) {
  Planner planner(workload, kind, isolation, locking, table_prefix);
  auto result = planner.build();
  if (auto* plan = std::get_if<CellPlan>(&result)) {
    // Tables a raw sql step names are changed behind the ledger's back.
    for (const TransactionType& type : workload.transactions)
      for (const Step& step : type.steps)
        if (const auto* sql = std::get_if<SqlStep>(&step.action))
          for (size_t t = 0; t < workload.tables.size(); ++t) {
            const std::string rewritten =
                rewrite_sql(sql->text, workload, plan->tables, Dialect(kind));
            if (rewritten.find(plan->tables[t].name) != std::string::npos)
              plan->tables[t].exactly_checked = false;
          }
  }
  return result;
}

std::vector<std::vector<SeedValue>> seed_rows(const TableDef& table) {
  std::vector<std::vector<SeedValue>> rows = table.rows;
  if (!table.generated) return rows;
  const GeneratedRows& g = *table.generated;
  rows.reserve(rows.size() + static_cast<size_t>(g.count));
  for (int64_t i = 0; i < g.count; ++i) {
    const int64_t key = g.start + i;
    std::vector<SeedValue> row(table.columns.size());
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const bool integer = table.columns[c].type == ColumnType::integer;
      if (c == table.key_column) {
        row[c] = key;
      } else if (c < g.values.size() && std::holds_alternative<Expr>(g.values[c])) {
        int64_t value = 0;
        const int64_t frame[1] = {key};
        if (evaluate(std::get<Expr>(g.values[c]), frame, value) != EvalError::none)
          throw InputError(std::get<Expr>(g.values[c]).where,
                           "generated value overflows for key " + std::to_string(key));
        row[c] = value;
      } else if (c < g.values.size() && std::holds_alternative<std::string>(g.values[c])) {
        row[c] = std::get<std::string>(g.values[c]);
      } else {
        row[c] = integer ? SeedValue(int64_t{0}) : SeedValue(std::string());
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string rewrite_sql(std::string_view sql, const Workload& workload,
                        const std::vector<TablePlan>& tables, const Dialect& dialect,
                        int* param_count) {
  // The checker that accepted this text at load time names every table
  // reference; exactly those are renamed (harness/sqlcheck/sql_check.h).
  std::vector<std::string> declared;
  for (const TableDef& table : workload.tables) declared.push_back(table.name);
  const SqlCheck check = check_sql(sql, SqlContext::workload_step, declared);
  if (check.problem)
    throw std::invalid_argument("SQL the checker rejects reached the planner (" +
                                check.problem->message + "): " + std::string(sql));
  std::string out;
  int params = 0;
  size_t next_ref = 0;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (next_ref < check.tables.size() && check.tables[next_ref].offset == i) {
      const SqlTableRef& ref = check.tables[next_ref++];
      out += tables[*workload.table_index(ref.name)].name;
      i += ref.length;
    } else if (c == '\'') {
      const size_t start = i++;
      while (i < sql.size()) {
        if (sql[i] == c) {
          if (i + 1 < sql.size() && sql[i + 1] == c) {
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
      out.append(sql.substr(start, i - start));
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = std::min(sql.find('\n', i), sql.size());
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const size_t end = std::min(sql.find("*/", i + 2), sql.size() - 2) + 2;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {
      out += "::";
      i += 2;
    } else if (c == ':' && i + 1 < sql.size() && is_identifier_start(sql[i + 1])) {
      ++i;
      while (i < sql.size() && is_identifier_char(sql[i])) ++i;
      out += dialect.placeholder(++params);
    } else if (is_identifier_start(c)) {
      const size_t start = i;
      while (i < sql.size() && is_identifier_char(sql[i])) ++i;
      out.append(sql.substr(start, i - start));
    } else {
      out += c;
      ++i;
    }
  }
  if (param_count) *param_count = params;
  return out;
}

}  // namespace clobber
