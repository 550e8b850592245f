#include "harness/expr/expression.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace clobber {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Variables a, b, src.balance at slots 0, 1, 2.
std::optional<int> resolve(std::string_view name) {
  if (name == "a") return 0;
  if (name == "b") return 1;
  if (name == "src.balance") return 2;
  return std::nullopt;
}

Expr parse(const std::string& text, SourceLocation where = {"w.yaml", 3, 10}) {
  return parse_expression(text, where, resolve);
}

// Evaluates `text` with a, b, src.balance = the given values; fails the test on error.
int64_t eval(const std::string& text, int64_t a = 5, int64_t b = 7, int64_t balance = 400) {
  Expr expr = parse(text);
  std::vector<int64_t> frame = {a, b, balance};
  int64_t out = 0;
  EvalError error = evaluate(expr, frame, out);
  EXPECT_EQ(error, EvalError::none) << text;
  return out;
}

EvalError eval_error(const std::string& text, int64_t a, int64_t b) {
  Expr expr = parse(text);
  std::vector<int64_t> frame = {a, b, 0};
  int64_t out = 0;
  return evaluate(expr, frame, out);
}

// Parses `text` (at line 3, column 10) expecting an error at line:column with `message` in it.
void expect_parse_error(const std::string& text, int line, int column, const std::string& message) {
  try {
    parse(text);
    ADD_FAILURE() << "no error for: " << text;
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().file, "w.yaml") << text;
    EXPECT_EQ(error.where().line, line) << text << ": " << error.what();
    EXPECT_EQ(error.where().column, column) << text << ": " << error.what();
    EXPECT_NE(error.message().find(message), std::string::npos) << text << ": " << error.message();
  }
}

TEST(Expression, Arithmetic) {
  EXPECT_EQ(eval("1 + 2 * 3"), 7);
  EXPECT_EQ(eval("(1 + 2) * 3"), 9);
  EXPECT_EQ(eval("10 - 3 - 2"), 5);
  EXPECT_EQ(eval("100 / 10 / 5"), 2);
  EXPECT_EQ(eval("7 / 2"), 3);
  EXPECT_EQ(eval("-7 / 2"), -3);
  EXPECT_EQ(eval("-7 % 3"), -1);
  EXPECT_EQ(eval("7 % -3"), 1);
  EXPECT_EQ(eval("2 * -3"), -6);
  EXPECT_EQ(eval("- -4"), 4);
  EXPECT_EQ(eval("-(a + b)"), -12);
  EXPECT_EQ(eval("a * b - src.balance"), 35 - 400);
  EXPECT_EQ(eval("src.balance-a"), 395);
}

TEST(Expression, ComparisonsAndLogic) {
  EXPECT_EQ(eval("a < b"), 1);
  EXPECT_EQ(eval("a <= 5"), 1);
  EXPECT_EQ(eval("a > b"), 0);
  EXPECT_EQ(eval("a >= 6"), 0);
  EXPECT_EQ(eval("a = 5"), 1);
  EXPECT_EQ(eval("a == 5"), 1);
  EXPECT_EQ(eval("a != 5"), 0);
  EXPECT_EQ(eval("a <> 4"), 1);
  EXPECT_EQ(eval("a < b and b < 10"), 1);
  EXPECT_EQ(eval("a > b or b > 10"), 0);
  EXPECT_EQ(eval("a > b or b < 10"), 1);
  EXPECT_EQ(eval("a < b && b > 10"), 0);
  EXPECT_EQ(eval("a > b || b > 1"), 1);
  EXPECT_EQ(eval("not a = 5"), 0);
  EXPECT_EQ(eval("!(a = 5)"), 0);
  EXPECT_EQ(eval("!0"), 1);
  EXPECT_EQ(eval("not not 3"), 1);
  EXPECT_EQ(eval("a AND b"), 1);
  EXPECT_EQ(eval("0 Or b"), 1);
  EXPECT_EQ(eval("NOT 0"), 1);
  // and binds tighter than or; not tighter than and.
  EXPECT_EQ(eval("1 or 0 and 0"), 1);
  EXPECT_EQ(eval("not 0 and 0"), 0);
  // Comparisons bind tighter than not, arithmetic tighter than comparisons.
  EXPECT_EQ(eval("a + 1 > b - 2"), 1);
  EXPECT_EQ(eval("src.balance >= a * 80"), 1);
}

TEST(Expression, MinMaxFoldToBinaryNodes) {
  EXPECT_EQ(eval("min(a, b)"), 5);
  EXPECT_EQ(eval("max(a, b)"), 7);
  EXPECT_EQ(eval("min(b, 3, a, 9)"), 3);
  EXPECT_EQ(eval("MAX(b, 3, a, 9)"), 9);
  EXPECT_EQ(eval("max(min(a, b), 6) * 2"), 12);
  Expr expr = parse("min(a, b, 1)");
  ASSERT_EQ(expr.nodes.size(), 5u);
  EXPECT_EQ(expr.nodes.back().op, ExprOp::minimum);
  EXPECT_EQ(expr.nodes[static_cast<size_t>(expr.nodes.back().left)].op, ExprOp::minimum);
  EXPECT_EQ(expr.nodes[static_cast<size_t>(expr.nodes.back().right)].op, ExprOp::constant);
}

TEST(Expression, NodesArePostOrder) {
  Expr expr = parse("a + b * 2");
  ASSERT_EQ(expr.nodes.size(), 5u);
  EXPECT_EQ(expr.root(), 4);
  for (size_t i = 0; i < expr.nodes.size(); ++i) {
    EXPECT_LT(expr.nodes[i].left, static_cast<int32_t>(i));
    EXPECT_LT(expr.nodes[i].right, static_cast<int32_t>(i));
  }
  EXPECT_EQ(expr.nodes.back().op, ExprOp::add);
  EXPECT_EQ(expr.text, "a + b * 2");
  EXPECT_EQ(expr.where.line, 3);
  EXPECT_EQ(expr.where.column, 10);
}

TEST(Expression, Constants) {
  Expr five = parse("5");
  EXPECT_TRUE(five.is_constant());
  EXPECT_EQ(five.nodes[0].value, 5);
  Expr negative = parse("-5");
  EXPECT_TRUE(negative.is_constant());
  EXPECT_EQ(negative.nodes[0].value, -5);
  Expr smallest = parse("-9223372036854775808");
  ASSERT_TRUE(smallest.is_constant());
  EXPECT_EQ(smallest.nodes[0].value, kMin);
  EXPECT_EQ(eval("9223372036854775807"), kMax);
  EXPECT_FALSE(parse("a").is_constant());
  EXPECT_FALSE(parse("1 + 2").is_constant());
}

TEST(Expression, VariablesAndSlots) {
  std::vector<int> slots;
  for_each_variable(parse("a + src.balance * a"), [&](int slot) { slots.push_back(slot); });
  EXPECT_EQ(slots, (std::vector<int>{0, 2, 0}));
  Expr expr = parse("src.balance");
  ASSERT_EQ(expr.nodes.size(), 1u);
  EXPECT_EQ(expr.nodes[0].op, ExprOp::variable);
  EXPECT_EQ(expr.nodes[0].value, 2);
}

TEST(Expression, OverflowAndDivisionByZero) {
  EXPECT_EQ(eval_error("a + b", kMax, 1), EvalError::overflow);
  EXPECT_EQ(eval_error("a - b", kMin, 1), EvalError::overflow);
  EXPECT_EQ(eval_error("a * b", kMax / 2 + 1, 2), EvalError::overflow);
  EXPECT_EQ(eval_error("-a", kMin, 0), EvalError::overflow);
  EXPECT_EQ(eval_error("a / b", kMin, -1), EvalError::overflow);
  EXPECT_EQ(eval_error("a / b", 1, 0), EvalError::division_by_zero);
  EXPECT_EQ(eval_error("a % b", 1, 0), EvalError::division_by_zero);
  EXPECT_EQ(eval_error("9223372036854775807 + 1", 0, 0), EvalError::overflow);
  EXPECT_EQ(eval_error("a + b", kMax - 1, 1), EvalError::none);
  EXPECT_EQ(eval("a % b", kMin, -1), 0);
  EXPECT_EQ(eval("a * b", kMin, 1), kMin);
  // Errors propagate through every operator.
  EXPECT_EQ(eval_error("min(1, a / b)", 1, 0), EvalError::division_by_zero);
  EXPECT_EQ(eval_error("1 + (a / b) > 0", 1, 0), EvalError::division_by_zero);
}

TEST(Expression, ShortCircuit) {
  EXPECT_EQ(eval("b != 0 and a / b > 1", 5, 0), 0);
  EXPECT_EQ(eval("b = 0 or a / b > 1", 5, 0), 1);
  EXPECT_EQ(eval_error("b = 0 and a / b > 1", 5, 0), EvalError::division_by_zero);
}

TEST(Expression, ErrorNames) {
  EXPECT_EQ(to_string(EvalError::overflow), "integer overflow");
  EXPECT_EQ(to_string(EvalError::division_by_zero), "division by zero");
  EXPECT_EQ(to_string(EvalError::none), "none");
}

TEST(Expression, ErrorsPointAtTheToken) {
  // The text starts at line 3, column 10: offset n is column 10 + n.
  expect_parse_error("a + x", 3, 14, "unknown variable 'x'");
  expect_parse_error("src.balanse >= a", 3, 10, "unknown variable 'src.balanse'");
  expect_parse_error("a +", 3, 13, "found the end of the expression");
  expect_parse_error("a >== b", 3, 14, "found '='");
  expect_parse_error("a ^ b", 3, 12, "unexpected character '^'");
  expect_parse_error("a & b", 3, 12, "unexpected '&'");
  expect_parse_error("a | b", 3, 12, "unexpected '|'");
  expect_parse_error("a b", 3, 12, "expected an operator or the end of the expression, found 'b'");
  expect_parse_error("(a + b", 3, 16, "expected ')'");
  expect_parse_error("a + b)", 3, 15, "found ')'");
  expect_parse_error("min(a)", 3, 10, "at least two arguments");
  expect_parse_error("min(a b)", 3, 16, "expected ',' or ')'");
  expect_parse_error("foo(a, b)", 3, 10, "unknown function 'foo'");
  expect_parse_error("a * 1.5", 3, 14, "invalid number '1.5'");
  expect_parse_error("2ms", 3, 10, "invalid number '2ms'");
  expect_parse_error("a + 9223372036854775808", 3, 14, "out of the 64-bit range");
  expect_parse_error("99999999999999999999999", 3, 10, "out of the 64-bit range");
  expect_parse_error("-99999999999999999999999", 3, 11, "out of the 64-bit range");
  expect_parse_error("a < b < 3", 3, 16, "cannot be chained");
  expect_parse_error("", 3, 10, "empty expression");
  expect_parse_error("   ", 3, 10, "empty expression");
  expect_parse_error("a + not b", 3, 14, "found 'not'");
  expect_parse_error("a.", 3, 11, "unexpected character '.'");
}

TEST(Expression, ErrorsOnLaterLines) {
  // Lines after the first start at column 1 of the following file lines.
  expect_parse_error("a +\n  b +\n    zz", 5, 5, "unknown variable 'zz'");
  expect_parse_error("a\n+", 4, 2, "found the end of the expression");
}

TEST(Expression, ErrorWithoutAPlaceCountsFromOne) {
  try {
    parse_expression("a + y", SourceLocation{}, resolve);
    FAIL() << "no error";
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().line, 1);
    EXPECT_EQ(error.where().column, 5);
  }
}

TEST(Expression, DeepNestingIsAnErrorNotACrash) {
  std::string deep(5000, '(');
  deep += "1";
  deep += std::string(5000, ')');
  expect_parse_error(deep, 3, 210, "nested too deeply");
  std::string long_sum = "1";
  for (int i = 0; i < 2000; ++i) long_sum += " + 1";
  expect_parse_error(long_sum, 3, 10 + 1998, "too long");
}

}  // namespace
}  // namespace clobber
