// libFuzzer target: the expression parser and evaluator take any text. The
// variables a, b, c, x.y and t.v name frame slots; an input that parses is
// evaluated over frames of extreme values (overflow and division by zero must
// come back as EvalError values). A bad expression may only be rejected with
// InputError; anything else is a bug.
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "common/errors.h"
#include "harness/expr/expression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto resolve = [](std::string_view name) -> std::optional<int> {
    constexpr std::array<std::string_view, 5> names = {"a", "b", "c", "x.y", "t.v"};
    for (size_t i = 0; i < names.size(); ++i)
      if (name == names[i]) return static_cast<int>(i);
    return std::nullopt;
  };
  try {
    const clobber::Expr expr =
        clobber::parse_expression(text, clobber::SourceLocation{"fuzz.yaml", 3, 7}, resolve);
    constexpr int64_t lo = std::numeric_limits<int64_t>::min();
    constexpr int64_t hi = std::numeric_limits<int64_t>::max();
    const std::array<std::array<int64_t, 5>, 4> frames = {{
        {0, 0, 0, 0, 0},
        {1, -1, 2, 7, 100},
        {lo, -1, hi, 0, 1},
        {hi, hi, lo, lo, -1},
    }};
    for (const auto& frame : frames) {
      int64_t out = 0;
      clobber::evaluate(expr, frame, out);
    }
  } catch (const clobber::InputError&) {
  }
  return 0;
}
