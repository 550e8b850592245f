// The data of a compiled integer expression: a flat tree of nodes. Parsed and
// evaluated by harness/expr/expression.h; carried by drivers' typed operations
// (drivers/operation.h), whose guards a driver lowers into its own language.
#pragma once

#include <cstdint>
#include <string>
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

}  // namespace clobber
