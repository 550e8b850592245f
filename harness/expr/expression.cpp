#include "harness/expr/expression.h"

#include <cassert>
#include <cctype>
#include <limits>
#include <utility>

namespace clobber {
namespace {

// Bounds that keep parsing and the recursive evaluation's stack use small.
constexpr int kMaxDepth = 200;
constexpr size_t kMaxNodes = 1000;

enum class Tok {
  end,
  number,
  name,
  lparen,
  rparen,
  comma,
  plus,
  minus,
  star,
  slash,
  percent,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  logical_and,
  logical_or,
  logical_not
};

struct Token {
  Tok kind = Tok::end;
  size_t offset = 0;
  size_t length = 0;
  uint64_t number = 0;        // Tok::number: the literal's value
  bool number_large = false;  // the literal is above 2^63 (out of range even when negated)
};

bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

class Parser {
 public:
  Parser(std::string_view text, const SourceLocation& where, const SlotResolver& resolve)
      : text_(text), where_(where), resolve_(resolve) {}

  Expr parse() {
    tokenize();
    if (peek().kind == Tok::end) fail(0, "empty expression");
    parse_or();
    if (peek().kind != Tok::end) {
      fail(peek().offset,
           "expected an operator or the end of the expression, found " + describe(peek()));
    }
    Expr expr;
    expr.nodes = std::move(nodes_);
    expr.text = std::string(text_);
    expr.where = where_;
    return expr;
  }

 private:
  [[noreturn]] void fail(size_t offset, const std::string& message) const {
    SourceLocation at = where_;
    if (at.line <= 0) {
      at.line = 1;
      at.column = 1;
    }
    size_t line_start = 0;
    int newlines = 0;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++newlines;
        line_start = i + 1;
      }
    }
    if (newlines == 0) {
      at.column += static_cast<int>(offset);
    } else {
      at.line += newlines;
      at.column = static_cast<int>(offset - line_start) + 1;
    }
    throw InputError(at, message);
  }

  std::string describe(const Token& token) const {
    if (token.kind == Tok::end) return "the end of the expression";
    return "'" + std::string(text_.substr(token.offset, token.length)) + "'";
  }

  void tokenize() {
    size_t i = 0;
    while (true) {
      while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      Token token;
      token.offset = i;
      if (i == text_.size()) {
        tokens_.push_back(token);
        return;
      }
      char c = text_[i];
      char next = i + 1 < text_.size() ? text_[i + 1] : '\0';
      size_t length = 1;
      if (std::isdigit(static_cast<unsigned char>(c))) {
        token.kind = Tok::number;
        size_t end = i;
        uint64_t value = 0;
        bool too_large = false;
        while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) {
          uint64_t digit = static_cast<uint64_t>(text_[end] - '0');
          if (__builtin_mul_overflow(value, 10, &value) ||
              __builtin_add_overflow(value, digit, &value))
            too_large = true;
          ++end;
        }
        if (end < text_.size() && (is_name_char(text_[end]) || text_[end] == '.')) {
          while (end < text_.size() && (is_name_char(text_[end]) || text_[end] == '.')) ++end;
          fail(i, "invalid number '" + std::string(text_.substr(i, end - i)) +
                      "' (integers only; decimals are scaled integers)");
        }
        token.number = value;
        token.number_large = too_large || value > (uint64_t{1} << 63);
        length = end - i;
      } else if (is_name_start(c)) {
        size_t end = i;
        while (end < text_.size() && is_name_char(text_[end])) ++end;
        if (end + 1 < text_.size() && text_[end] == '.' && is_name_start(text_[end + 1])) {
          ++end;
          while (end < text_.size() && is_name_char(text_[end])) ++end;
        }
        length = end - i;
        std::string_view word = text_.substr(i, length);
        if (ascii_iequals(word, "and")) {
          token.kind = Tok::logical_and;
        } else if (ascii_iequals(word, "or")) {
          token.kind = Tok::logical_or;
        } else if (ascii_iequals(word, "not")) {
          token.kind = Tok::logical_not;
        } else {
          token.kind = Tok::name;
        }
      } else {
        switch (c) {
          case '(':
            token.kind = Tok::lparen;
            break;
          case ')':
            token.kind = Tok::rparen;
            break;
          case ',':
            token.kind = Tok::comma;
            break;
          case '+':
            token.kind = Tok::plus;
            break;
          case '-':
            token.kind = Tok::minus;
            break;
          case '*':
            token.kind = Tok::star;
            break;
          case '/':
            token.kind = Tok::slash;
            break;
          case '%':
            token.kind = Tok::percent;
            break;
          case '=':
            token.kind = Tok::equal;
            if (next == '=') length = 2;
            break;
          case '!':
            token.kind = next == '=' ? Tok::not_equal : Tok::logical_not;
            if (next == '=') length = 2;
            break;
          case '<':
            token.kind = Tok::less;
            if (next == '=') {
              token.kind = Tok::less_equal;
              length = 2;
            } else if (next == '>') {
              token.kind = Tok::not_equal;
              length = 2;
            }
            break;
          case '>':
            token.kind = Tok::greater;
            if (next == '=') {
              token.kind = Tok::greater_equal;
              length = 2;
            }
            break;
          case '&':
            if (next != '&') fail(i, "unexpected '&' (use 'and' or '&&')");
            token.kind = Tok::logical_and;
            length = 2;
            break;
          case '|':
            if (next != '|') fail(i, "unexpected '|' (use 'or' or '||')");
            token.kind = Tok::logical_or;
            length = 2;
            break;
          default:
            fail(i, "unexpected character '" + std::string(1, c) + "' in expression");
        }
      }
      token.length = length;
      tokens_.push_back(token);
      i += length;
    }
  }

  const Token& peek() const { return tokens_[pos_]; }
  const Token& take() { return tokens_[pos_++]; }

  int32_t emit(const Token& at, ExprOp op, int64_t value = 0, int32_t left = -1,
               int32_t right = -1) {
    if (nodes_.size() >= kMaxNodes) fail(at.offset, "expression is too long");
    nodes_.push_back(ExprNode{op, value, left, right});
    return static_cast<int32_t>(nodes_.size()) - 1;
  }

  // Guards the recursion of nested parentheses, unary operators and `not`.
  struct DepthGuard {
    DepthGuard(Parser& parser, const Token& at) : parser_(parser) {
      if (++parser_.depth_ > kMaxDepth) parser_.fail(at.offset, "expression is nested too deeply");
    }
    ~DepthGuard() { --parser_.depth_; }
    Parser& parser_;
  };

  int32_t parse_or() {
    DepthGuard guard(*this, peek());
    int32_t left = parse_and();
    while (peek().kind == Tok::logical_or) {
      const Token& op = take();
      int32_t right = parse_and();
      left = emit(op, ExprOp::logical_or, 0, left, right);
    }
    return left;
  }

  int32_t parse_and() {
    int32_t left = parse_not();
    while (peek().kind == Tok::logical_and) {
      const Token& op = take();
      int32_t right = parse_not();
      left = emit(op, ExprOp::logical_and, 0, left, right);
    }
    return left;
  }

  int32_t parse_not() {
    if (peek().kind != Tok::logical_not) return parse_comparison();
    const Token& op = take();
    DepthGuard guard(*this, op);
    int32_t operand = parse_not();
    return emit(op, ExprOp::logical_not, 0, operand);
  }

  static std::optional<ExprOp> comparison_op(Tok kind) {
    switch (kind) {
      case Tok::equal:
        return ExprOp::equal;
      case Tok::not_equal:
        return ExprOp::not_equal;
      case Tok::less:
        return ExprOp::less;
      case Tok::less_equal:
        return ExprOp::less_equal;
      case Tok::greater:
        return ExprOp::greater;
      case Tok::greater_equal:
        return ExprOp::greater_equal;
      default:
        return std::nullopt;
    }
  }

  int32_t parse_comparison() {
    int32_t left = parse_additive();
    std::optional<ExprOp> op = comparison_op(peek().kind);
    if (!op) return left;
    const Token& token = take();
    int32_t right = parse_additive();
    if (comparison_op(peek().kind)) {
      fail(peek().offset, "comparisons cannot be chained; combine them with 'and'");
    }
    return emit(token, *op, 0, left, right);
  }

  int32_t parse_additive() {
    int32_t left = parse_multiplicative();
    while (peek().kind == Tok::plus || peek().kind == Tok::minus) {
      const Token& op = take();
      int32_t right = parse_multiplicative();
      left = emit(op, op.kind == Tok::plus ? ExprOp::add : ExprOp::subtract, 0, left, right);
    }
    return left;
  }

  int32_t parse_multiplicative() {
    int32_t left = parse_unary();
    while (peek().kind == Tok::star || peek().kind == Tok::slash || peek().kind == Tok::percent) {
      const Token& op = take();
      int32_t right = parse_unary();
      ExprOp kind = op.kind == Tok::star    ? ExprOp::multiply
                    : op.kind == Tok::slash ? ExprOp::divide
                                            : ExprOp::modulo;
      left = emit(op, kind, 0, left, right);
    }
    return left;
  }

  int32_t parse_unary() {
    if (peek().kind != Tok::minus) return parse_primary();
    const Token& op = take();
    DepthGuard guard(*this, op);
    const Token& next = peek();
    if (next.kind == Tok::number && !next.number_large && next.number == (uint64_t{1} << 63)) {
      take();
      return emit(next, ExprOp::constant, std::numeric_limits<int64_t>::min());
    }
    int32_t operand = parse_unary();
    ExprNode& node = nodes_[static_cast<size_t>(operand)];
    if (node.op == ExprOp::constant && node.value != std::numeric_limits<int64_t>::min()) {
      node.value = -node.value;  // fold "-5" into one constant
      return operand;
    }
    return emit(op, ExprOp::negate, 0, operand);
  }

  int32_t parse_primary() {
    const Token& token = take();
    switch (token.kind) {
      case Tok::number:
        if (token.number_large || token.number > uint64_t{std::numeric_limits<int64_t>::max()}) {
          fail(token.offset, "integer literal " + describe(token) + " is out of the 64-bit range");
        }
        return emit(token, ExprOp::constant, static_cast<int64_t>(token.number));
      case Tok::lparen: {
        int32_t inner = parse_or();
        expect(Tok::rparen, "')'");
        return inner;
      }
      case Tok::name: {
        std::string_view name = text_.substr(token.offset, token.length);
        if (peek().kind == Tok::lparen) return parse_call(token, name);
        std::optional<int> slot = resolve_(name);
        if (!slot) fail(token.offset, "unknown variable '" + std::string(name) + "'");
        return emit(token, ExprOp::variable, *slot);
      }
      default:
        fail(token.offset, "expected a number, a variable or '(', found " + describe(token));
    }
  }

  int32_t parse_call(const Token& token, std::string_view name) {
    ExprOp op = ExprOp::minimum;
    if (ascii_iequals(name, "min")) {
      op = ExprOp::minimum;
    } else if (ascii_iequals(name, "max")) {
      op = ExprOp::maximum;
    } else {
      fail(token.offset, "unknown function '" + std::string(name) + "' (functions: min, max)");
    }
    take();  // '('
    int32_t result = parse_or();
    int arguments = 1;
    while (peek().kind == Tok::comma) {
      take();
      int32_t next = parse_or();
      result = emit(token, op, 0, result, next);
      ++arguments;
    }
    expect(Tok::rparen, "',' or ')'");
    if (arguments < 2) {
      fail(token.offset, std::string(name) + "() needs at least two arguments");
    }
    return result;
  }

  void expect(Tok kind, const char* what) {
    if (peek().kind != kind) {
      fail(peek().offset, std::string("expected ") + what + ", found " + describe(peek()));
    }
    take();
  }

  std::string_view text_;
  const SourceLocation& where_;
  const SlotResolver& resolve_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::vector<ExprNode> nodes_;
};

EvalError eval_node(const ExprNode* nodes, int32_t index, std::span<const int64_t> frame,
                    int64_t& out) {
  const ExprNode& node = nodes[index];
  switch (node.op) {
    case ExprOp::constant:
      out = node.value;
      return EvalError::none;
    case ExprOp::variable:
      assert(node.value >= 0 && static_cast<size_t>(node.value) < frame.size());
      out = frame[static_cast<size_t>(node.value)];
      return EvalError::none;
    default:
      break;
  }

  int64_t a = 0;
  if (EvalError error = eval_node(nodes, node.left, frame, a); error != EvalError::none) {
    return error;
  }
  switch (node.op) {
    case ExprOp::negate:
      if (a == std::numeric_limits<int64_t>::min()) return EvalError::overflow;
      out = -a;
      return EvalError::none;
    case ExprOp::logical_not:
      out = a == 0;
      return EvalError::none;
    case ExprOp::logical_and:
      if (a == 0) {
        out = 0;
        return EvalError::none;
      }
      break;
    case ExprOp::logical_or:
      if (a != 0) {
        out = 1;
        return EvalError::none;
      }
      break;
    default:
      break;
  }

  int64_t b = 0;
  if (EvalError error = eval_node(nodes, node.right, frame, b); error != EvalError::none) {
    return error;
  }
  switch (node.op) {
    case ExprOp::add:
      return __builtin_add_overflow(a, b, &out) ? EvalError::overflow : EvalError::none;
    case ExprOp::subtract:
      return __builtin_sub_overflow(a, b, &out) ? EvalError::overflow : EvalError::none;
    case ExprOp::multiply:
      return __builtin_mul_overflow(a, b, &out) ? EvalError::overflow : EvalError::none;
    case ExprOp::divide:
      if (b == 0) return EvalError::division_by_zero;
      if (a == std::numeric_limits<int64_t>::min() && b == -1) return EvalError::overflow;
      out = a / b;
      return EvalError::none;
    case ExprOp::modulo:
      if (b == 0) return EvalError::division_by_zero;
      out = b == -1 ? 0 : a % b;  // INT64_MIN % -1 is 0, but undefined in C++
      return EvalError::none;
    case ExprOp::equal:
      out = a == b;
      break;
    case ExprOp::not_equal:
      out = a != b;
      break;
    case ExprOp::less:
      out = a < b;
      break;
    case ExprOp::less_equal:
      out = a <= b;
      break;
    case ExprOp::greater:
      out = a > b;
      break;
    case ExprOp::greater_equal:
      out = a >= b;
      break;
    case ExprOp::logical_and:
    case ExprOp::logical_or:
      out = b != 0;
      break;
    case ExprOp::minimum:
      out = a < b ? a : b;
      break;
    case ExprOp::maximum:
      out = a > b ? a : b;
      break;
    default:
      break;
  }
  return EvalError::none;
}

}  // namespace

Expr parse_expression(std::string_view text, const SourceLocation& where,
                      const SlotResolver& resolve) {
  return Parser(text, where, resolve).parse();
}

EvalError evaluate(const Expr& expr, std::span<const int64_t> frame, int64_t& out) {
  if (expr.nodes.empty()) {
    out = 0;
    return EvalError::none;
  }
  return eval_node(expr.nodes.data(), expr.root(), frame, out);
}

std::string_view to_string(EvalError error) {
  switch (error) {
    case EvalError::none:
      return "none";
    case EvalError::overflow:
      return "integer overflow";
    case EvalError::division_by_zero:
      return "division by zero";
  }
  return "?";
}

void for_each_variable(const Expr& expr, const std::function<void(int slot)>& visit) {
  for (const ExprNode& node : expr.nodes) {
    if (node.op == ExprOp::variable) visit(static_cast<int>(node.value));
  }
}

}  // namespace clobber
