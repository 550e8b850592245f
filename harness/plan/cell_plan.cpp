#include "harness/plan/cell_plan.h"

#include "harness/sqlcheck/sql_check.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

namespace clobber {
namespace {

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

/// Rewrites a check folded into an atomic write as the write's guard
/// (WriteRow::condition): the folded read's values become the row's columns,
/// and each other variable becomes a parameter of its own, in the order a
/// left-to-right walk meets it (the order SQL text writes them).
Expr guard_condition(const Expr& condition, const ReadStep& read, const TableDef& table,
                     std::vector<Arg>& args, int& condition_params) {
  Expr guard;
  guard.text = condition.text;
  guard.where = condition.where;
  const int64_t columns = static_cast<int64_t>(table.columns.size());
  auto rec = [&](auto&& self, int32_t index) -> int32_t {
    ExprNode n = condition.nodes[static_cast<size_t>(index)];
    if (n.left >= 0) n.left = self(self, n.left);
    if (n.right >= 0) n.right = self(self, n.right);
    if (n.op == ExprOp::variable) {
      const int slot = static_cast<int>(n.value);
      const int offset = slot - read.first_slot;
      if (offset >= 0 && offset < static_cast<int>(read.columns.size())) {
        n.value = static_cast<int64_t>(read.columns[static_cast<size_t>(offset)]);
      } else {
        args.push_back(Arg{Arg::Source::slot, slot});
        n.value = columns + condition_params++;
      }
    }
    guard.nodes.push_back(n);
    return static_cast<int32_t>(guard.nodes.size()) - 1;
  };
  rec(rec, condition.root());
  return guard;
}

/// `a AND b`, as one expression (two checks folded into one write's guard).
Expr both(const Expr& a, const Expr& b) {
  Expr joined = a;
  const auto offset = static_cast<int32_t>(a.nodes.size());
  for (ExprNode n : b.nodes) {
    if (n.left >= 0) n.left += offset;
    if (n.right >= 0) n.right += offset;
    joined.nodes.push_back(n);
  }
  joined.nodes.push_back(ExprNode{ExprOp::logical_and, 0, a.root(), b.root() + offset});
  joined.text = "(" + a.text + ") and (" + b.text + ")";
  return joined;
}

/// Builds the plan of one cell; `error` is set when the mode cannot express it.
class Planner {
 public:
  Planner(const Workload& workload, const DriverTraits& traits, Isolation isolation,
          Locking locking, const std::string& prefix)
      : workload_(workload), traits_(traits), prefix_(prefix) {
    plan_.isolation = isolation;
    plan_.locking = locking;
    for (const TableDef& table : workload.tables) plan_tables(table, prefix);
  }

  std::variant<CellPlan, std::string> build() {
    if (plan_.locking == Locking::advisory && traits_.locks_outlive_transaction)
      plan_.release_statement = add_operation(ReleaseLocks{});
    for (const TransactionType& type : workload_.transactions) {
      TransactionPlan tx;
      tx.type = &type;
      if (auto reason = plan_transaction(type, tx)) return *reason;
      tx.commit_with_last_write = commits_with_last_write(tx);
      plan_.transactions.push_back(std::move(tx));
    }
    for (const Invariant& invariant : workload_.invariants) {
      std::string sql;
      if (traits_.runs_sql && !invariant.sql.empty()) {
        const RawSql raw = rewrite_sql(invariant.sql, workload_, plan_.tables);
        for (const std::string& piece : raw.pieces) sql += piece;
      }
      plan_.invariant_sql.push_back(std::move(sql));
    }
    return std::move(plan_);
  }

 private:
  /// See TransactionPlan::commit_with_last_write.
  bool commits_with_last_write(const TransactionPlan& tx) const {
    if (plan_.isolation == Isolation::none || tx.ops.empty()) return false;
    const PlannedOp& last = tx.ops.back();
    if (last.kind != PlannedOp::Kind::write) return false;
    for (size_t i = 0; i + 1 < tx.ops.size(); ++i)
      if (tx.ops[i].kind == PlannedOp::Kind::write || tx.ops[i].kind == PlannedOp::Kind::sql)
        return false;
    return true;
  }

  void plan_tables(const TableDef& table, const std::string& prefix) {
    TablePlan tp;
    tp.shape.name = prefix + table.name;
    for (const ColumnDef& c : table.columns)
      tp.shape.columns.push_back(ColumnShape{c.name, c.type == ColumnType::integer});
    tp.shape.key_column = table.key_column;
    tp.integer_columns = table.integer_columns();
    plan_.tables.push_back(std::move(tp));
  }

  int add_operation(Operation operation) {
    plan_.operations.push_back(std::move(operation));
    return static_cast<int>(plan_.operations.size()) - 1;
  }

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
        const bool row_lock = locking == Locking::for_update || locking == Locking::for_share;
        op.kind = PlannedOp::Kind::read;
        op.statement = add_operation(ReadRow{plan_.tables[read->table].shape, read->columns,
                                             row_lock ? locking : Locking::none});
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
        if (!traits_.runs_sql)
          return "transaction '" + type.name + "': the sql step at " + step.where.str() +
                 " cannot run on " + traits_.name + ", which runs no SQL";
        op.kind = PlannedOp::Kind::sql;
        op.statement = add_operation(rewrite_sql(sql->text, workload_, plan_.tables));
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
    op.statement = add_operation(LockKey{prefix_ + "t" + std::to_string(read.table) + ":"});
    return op;
  }

  void plan_write(const WriteStep& write, const ReadStep& read, int read_op, PlannedOp& op) {
    WriteRow row;
    row.table = plan_.tables[write.table].shape;
    for (size_t i = 0; i < write.assignments.size(); ++i) {
      const auto& a = write.assignments[i];
      row.assignments.push_back(WriteRow::Assignment{a.column, 0});
      op.args.push_back(Arg{Arg::Source::value, static_cast<int>(i)});
      const auto it = std::find(read.columns.begin(), read.columns.end(), a.column);
      op.assignments.push_back(PlannedOp::Assignment{
          a.column, a.value, read.first_slot + static_cast<int>(it - read.columns.begin()), 1});
    }
    op.args.push_back(Arg{Arg::Source::txn_id, 0});
    op.args.push_back(Arg{Arg::Source::key, 0});
    op.zero_rows = ZeroRows::missing;
    if (plan_.locking == Locking::optimistic) {
      row.guard = WriteRow::Guard::version;
      op.args.push_back(Arg{Arg::Source::version_read, 0});
      op.zero_rows = ZeroRows::conflict;
    } else if (plan_.locking == Locking::compare_and_set) {
      row.guard = WriteRow::Guard::old_values;
      for (size_t i = 0; i < write.assignments.size(); ++i)
        op.args.push_back(Arg{Arg::Source::old_value, static_cast<int>(i)});
      op.zero_rows = ZeroRows::conflict;
    }
    // Where the database can, the write also reports the version it replaced
    // and the version number it created, for the exact version order.
    row.returns_versions = traits_.plain_writes_return_versions;
    op.returns_versions = row.returns_versions;
    op.kind = PlannedOp::Kind::write;
    op.statement = add_operation(std::move(row));
    op.table = write.table;
    op.read_op = read_op;
  }

  void plan_atomic_write(const TransactionType& type, const WriteStep& write, const ReadStep& read,
                         const std::vector<int>& guard_of, size_t read_step, PlannedOp& op) {
    const TableDef& table = workload_.tables[write.table];
    WriteRow row;
    row.table = plan_.tables[write.table].shape;
    for (size_t i = 0; i < write.assignments.size(); ++i) {
      const auto& a = write.assignments[i];
      PlannedOp::Assignment planned{a.column, Expr{}, -1, 1};
      split_delta(a.value, read, a.column, planned.sign, planned.value);
      row.assignments.push_back(WriteRow::Assignment{a.column, planned.sign});
      op.args.push_back(Arg{Arg::Source::value, static_cast<int>(i)});
      op.assignments.push_back(std::move(planned));
    }
    op.args.push_back(Arg{Arg::Source::txn_id, 0});
    op.args.push_back(Arg{Arg::Source::key, 0});
    op.zero_rows = ZeroRows::missing;
    for (size_t s = 0; s < type.steps.size(); ++s) {
      if (guard_of[s] != static_cast<int>(read_step)) continue;
      const Expr& condition = std::get<CheckStep>(type.steps[s].action).condition;
      Expr guard = guard_condition(condition, read, table, op.args, row.condition_params);
      row.condition = row.guard == WriteRow::Guard::condition ? both(row.condition, guard) : guard;
      row.guard = WriteRow::Guard::condition;
      op.zero_rows = ZeroRows::rejected;
    }
    row.returns_versions = true;
    op.kind = PlannedOp::Kind::write;
    op.atomic = true;
    op.returns_versions = true;
    op.statement = add_operation(std::move(row));
    op.table = write.table;
    op.expr = read.key;
  }

  const Workload& workload_;
  DriverTraits traits_;
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

std::variant<CellPlan, std::string> plan_cell(const Workload& workload, const DriverTraits& traits,
                                              Isolation isolation, Locking locking,
                                              const std::string& table_prefix) {
  Planner planner(workload, traits, isolation, locking, table_prefix);
  auto result = planner.build();
  if (auto* plan = std::get_if<CellPlan>(&result)) {
    // Tables a raw sql step names are changed behind the ledger's back.
    for (const TransactionType& type : workload.transactions)
      for (const Step& step : type.steps)
        if (const auto* sql = std::get_if<SqlStep>(&step.action))
          for (size_t t = 0; t < workload.tables.size(); ++t) {
            const RawSql rewritten = rewrite_sql(sql->text, workload, plan->tables);
            for (const std::string& piece : rewritten.pieces)
              if (piece.find(plan->tables[t].shape.name) != std::string::npos)
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

RawSql rewrite_sql(std::string_view sql, const Workload& workload,
                   const std::vector<TablePlan>& tables) {
  // The checker that accepted this text at load time names every table
  // reference; exactly those are renamed (harness/sqlcheck/sql_check.h).
  std::vector<std::string> declared;
  for (const TableDef& table : workload.tables) declared.push_back(table.name);
  const SqlCheck check = check_sql(sql, SqlContext::workload_step, declared);
  if (check.problem)
    throw std::invalid_argument("SQL the checker rejects reached the planner (" +
                                check.problem->message + "): " + std::string(sql));
  RawSql raw;
  std::string out;
  size_t next_ref = 0;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (next_ref < check.tables.size() && check.tables[next_ref].offset == i) {
      const SqlTableRef& ref = check.tables[next_ref++];
      out += tables[*workload.table_index(ref.name)].shape.name;
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
      raw.pieces.push_back(std::move(out));
      out.clear();
    } else if (is_identifier_start(c)) {
      const size_t start = i;
      while (i < sql.size() && is_identifier_char(sql[i])) ++i;
      out.append(sql.substr(start, i - start));
    } else {
      out += c;
      ++i;
    }
  }
  raw.pieces.push_back(std::move(out));
  return raw;
}

}  // namespace clobber
