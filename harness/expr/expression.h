// Exact 64-bit integer expressions over parameters and read values:
// + - * / % (truncating), unary -, comparisons (= == != <> < <= > >=), and/or/not
// (also && || !), min(a, b, ...), max(a, b, ...), parentheses, integer literals.
// Booleans are 1 and 0. Overflow and division by zero are errors, never wraps.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.h"

namespace clobber {

/// Operation of one expression node.
enum class ExprOp : uint8_t {
  constant,  // value
  variable,  // slot in the evaluation frame
  negate,    // -a
  logical_not,
  add,
  subtract,
  multiply,
  divide,
  modulo,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  logical_and,
  logical_or,
  minimum,
  maximum
};

/// One node of a compiled expression; children are indices into Expr::nodes.
struct ExprNode {
  ExprOp op = ExprOp::constant;
  int64_t value = 0;   // constant value, or slot index for variables
  int32_t left = -1;   // first operand
  int32_t right = -1;  // second operand
};

/// A parsed expression with its variables resolved to frame slots.
struct Expr {
  std::vector<ExprNode> nodes;  // root is nodes.back()
  std::string text;             // source text, for reports and SQL comments
  SourceLocation where;         // where the text starts in its file
  /// The root node's index.
  int32_t root() const { return static_cast<int32_t>(nodes.size()) - 1; }
  /// True when the expression is a single constant.
  bool is_constant() const { return nodes.size() == 1 && nodes[0].op == ExprOp::constant; }
};

/// Why an evaluation failed.
enum class EvalError : uint8_t { none, overflow, division_by_zero };

/// Maps a variable name ("amount", "src.balance") to a frame slot; nullopt when
/// the name is unknown (the parser then reports it at its column).
using SlotResolver = std::function<std::optional<int>(std::string_view name)>;

/// Parses `text`, which starts at `where` in its file. Throws InputError naming
/// the exact line and column of the offending token.
Expr parse_expression(std::string_view text, const SourceLocation& where,
                      const SlotResolver& resolve);

/// Evaluates `expr` over `frame`; on success stores the value in `out`.
EvalError evaluate(const Expr& expr, std::span<const int64_t> frame, int64_t& out);

/// Human-readable name of an evaluation error.
std::string_view to_string(EvalError error);

/// Calls `visit(slot)` for every variable the expression reads.
void for_each_variable(const Expr& expr, const std::function<void(int slot)>& visit);

}  // namespace clobber
