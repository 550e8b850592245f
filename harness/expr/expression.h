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
#include "common/expression.h"

namespace clobber {

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
