#include "drivers/redis/redis_lua.h"

#include <map>
#include <stdexcept>

namespace clobber {
namespace {

/// Exact signed 64-bit integers in Lua 5.1: a value is a table of four
/// base-65536 limbs of its magnitude (least significant first) and `neg`; zero
/// is never negative. Every result is checked against [-2^63, 2^63 - 1], so an
/// operation overflows exactly where harness/expr/expression.cpp's does.
/// Division truncates toward zero and the remainder takes the dividend's sign,
/// as in C++. Errors are raised as "CODE message", the text Redis 7's pcall
/// also gives a failed redis.call, and become the script's error reply.
constexpr const char* kInt64Library = R"lua(
local B = 65536
local function fail(code, what) error(code .. ' ' .. what, 0) end
local function iszero(m) return m[1] == 0 and m[2] == 0 and m[3] == 0 and m[4] == 0 end
local function fit(neg, m)
  if m[4] > 32768 or (m[4] == 32768 and (not neg or m[1] ~= 0 or m[2] ~= 0 or m[3] ~= 0)) then
    fail('OVERFLOW', 'integer overflow')
  end
  return {m[1], m[2], m[3], m[4], neg = neg and not iszero(m)}
end
local ZERO = {0, 0, 0, 0, neg = false}
local ONE = {1, 0, 0, 0, neg = false}
local function parse(s, what)
  if type(s) ~= 'string' or #s == 0 or #s > 20 then fail('NOTINT', what .. ' is not an integer') end
  local neg, first = false, 1
  if string.byte(s, 1) == 45 then neg, first = true, 2 end
  if first > #s then fail('NOTINT', what .. ' is not an integer') end
  local m = {0, 0, 0, 0}
  for j = first, #s do
    local carry = string.byte(s, j) - 48
    if carry < 0 or carry > 9 then fail('NOTINT', what .. ' is not an integer') end
    for k = 1, 4 do
      local x = m[k] * 10 + carry
      carry = math.floor(x / B)
      m[k] = x - carry * B
    end
    if carry ~= 0 then fail('NOTINT', what .. ' is out of the 64-bit range') end
  end
  return fit(neg, m)
end
local function str(v)
  if iszero(v) then return '0' end
  local m, digits = {v[1], v[2], v[3], v[4]}, {}
  while not iszero(m) do
    local rem = 0
    for k = 4, 1, -1 do
      local x = rem * B + m[k]
      m[k] = math.floor(x / 10)
      rem = x - m[k] * 10
    end
    digits[#digits + 1] = string.char(48 + rem)
  end
  if v.neg then digits[#digits + 1] = '-' end
  return string.reverse(table.concat(digits))
end
local function cmpm(a, b)
  for k = 4, 1, -1 do
    if a[k] ~= b[k] then return a[k] < b[k] and -1 or 1 end
  end
  return 0
end
local function cmp(a, b)
  if a.neg ~= b.neg then return a.neg and -1 or 1 end
  local c = cmpm(a, b)
  return a.neg and -c or c
end
local function addm(a, b)
  local m, carry = {}, 0
  for k = 1, 4 do
    local x = a[k] + b[k] + carry
    carry = x >= B and 1 or 0
    m[k] = x - carry * B
  end
  if carry ~= 0 then fail('OVERFLOW', 'integer overflow') end
  return m
end
local function subm(a, b)
  local m, borrow = {}, 0
  for k = 1, 4 do
    local x = a[k] - b[k] - borrow
    borrow = x < 0 and 1 or 0
    m[k] = x + borrow * B
  end
  return m
end
local function add(a, b)
  if a.neg == b.neg then return fit(a.neg, addm(a, b)) end
  local c = cmpm(a, b)
  if c == 0 then return ZERO end
  if c > 0 then return fit(a.neg, subm(a, b)) end
  return fit(b.neg, subm(b, a))
end
local function flip(a) return {a[1], a[2], a[3], a[4], neg = not a.neg and not iszero(a)} end
local function sub(a, b) return add(a, flip(b)) end
local function negate(a) return fit(not a.neg, a) end
local function mul(a, b)
  local p = {0, 0, 0, 0, 0, 0, 0, 0}
  for i = 1, 4 do
    for j = 1, 4 do p[i + j - 1] = p[i + j - 1] + a[i] * b[j] end
  end
  local carry = 0
  for k = 1, 8 do
    local x = p[k] + carry
    carry = math.floor(x / B)
    p[k] = x - carry * B
  end
  if p[5] ~= 0 or p[6] ~= 0 or p[7] ~= 0 or p[8] ~= 0 then fail('OVERFLOW', 'integer overflow') end
  return fit(a.neg ~= b.neg, p)
end
local function divmodm(a, b)
  local q, r = {0, 0, 0, 0}, {0, 0, 0, 0}
  for bit = 63, 0, -1 do
    local k, weight = math.floor(bit / 16) + 1, 2 ^ (bit % 16)
    local carry = math.floor(a[k] / weight) % 2
    for t = 1, 4 do
      local x = r[t] * 2 + carry
      carry = math.floor(x / B)
      r[t] = x - carry * B
    end
    if cmpm(r, b) >= 0 then
      r = subm(r, b)
      q[k] = q[k] + weight
    end
  end
  return q, r
end
local function divide(a, b)
  if iszero(b) then fail('DIVZERO', 'division by zero') end
  local q = divmodm(a, b)
  return fit(a.neg ~= b.neg, q)
end
local function modulo(a, b)
  if iszero(b) then fail('DIVZERO', 'division by zero') end
  local _, r = divmodm(a, b)
  return fit(a.neg, r)
end
local function truthy(a) return not iszero(a) end
local function bool(b) if b then return ONE end return ZERO end
local function minimum(a, b) if cmp(a, b) < 0 then return a end return b end
local function maximum(a, b) if cmp(a, b) > 0 then return a end return b end
)lua";

/// `text` as a Lua string literal.
std::string lua_string(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "'";
}

/// Emits Lua that evaluates a WriteRow's condition into T[node] for each
/// node, operands first; `and` / `or` evaluate their right operand only when
/// needed, as harness/expr/expression.cpp does (so an overflow there is no
/// error when the left operand decides).
class ConditionLowering {
 public:
  ConditionLowering(const WriteRow& write, std::map<size_t, int>& fields)
      : write_(write), fields_(fields) {}

  /// Lua statements leaving the value of node `index` in T[index].
  std::string emit(int32_t index) {
    const Expr& expr = write_.condition;
    const ExprNode& node = expr.nodes.at(static_cast<size_t>(index));
    const std::string target = "T[" + std::to_string(index) + "]";
    const auto at = [](int32_t i) { return "T[" + std::to_string(i) + "]"; };
    switch (node.op) {
      case ExprOp::constant:
        return target + " = parse('" + std::to_string(node.value) + "', 'a constant')\n";
      case ExprOp::variable: {
        const size_t columns = write_.table.columns.size();
        if (node.value < 0) throw std::invalid_argument("negative variable in a condition");
        const auto slot = static_cast<size_t>(node.value);
        if (slot < columns) {
          const auto [it, added] = fields_.emplace(slot, static_cast<int>(fields_.size()) + 3);
          return target + " = parse(row[" + std::to_string(it->second) + "], " +
                 lua_string("column " + write_.table.columns[slot].name) + ")\n";
        }
        // The condition's parameters follow the values, the writer and the key.
        const size_t parameter = write_.assignments.size() + 2 + (slot - columns);
        return target + " = parse(ARGV[" + std::to_string(parameter + 1) + "], 'a parameter')\n";
      }
      case ExprOp::logical_and:
        return emit(node.left) + target + " = ZERO\nif truthy(" + at(node.left) + ") then\n" +
               emit(node.right) + target + " = bool(truthy(" + at(node.right) + "))\nend\n";
      case ExprOp::logical_or:
        return emit(node.left) + target + " = ONE\nif not truthy(" + at(node.left) + ") then\n" +
               emit(node.right) + target + " = bool(truthy(" + at(node.right) + "))\nend\n";
      case ExprOp::negate:
        return emit(node.left) + target + " = negate(" + at(node.left) + ")\n";
      case ExprOp::logical_not:
        return emit(node.left) + target + " = bool(not truthy(" + at(node.left) + "))\n";
      default:
        break;
    }
    std::string call;
    switch (node.op) {
      case ExprOp::add:
        call = "add(A, B)";
        break;
      case ExprOp::subtract:
        call = "sub(A, B)";
        break;
      case ExprOp::multiply:
        call = "mul(A, B)";
        break;
      case ExprOp::divide:
        call = "divide(A, B)";
        break;
      case ExprOp::modulo:
        call = "modulo(A, B)";
        break;
      case ExprOp::equal:
        call = "bool(cmp(A, B) == 0)";
        break;
      case ExprOp::not_equal:
        call = "bool(cmp(A, B) ~= 0)";
        break;
      case ExprOp::less:
        call = "bool(cmp(A, B) < 0)";
        break;
      case ExprOp::less_equal:
        call = "bool(cmp(A, B) <= 0)";
        break;
      case ExprOp::greater:
        call = "bool(cmp(A, B) > 0)";
        break;
      case ExprOp::greater_equal:
        call = "bool(cmp(A, B) >= 0)";
        break;
      case ExprOp::minimum:
        call = "minimum(A, B)";
        break;
      case ExprOp::maximum:
        call = "maximum(A, B)";
        break;
      default:
        throw std::invalid_argument("unknown operation in a condition");
    }
    call.replace(call.find('A'), 1, at(node.left));
    call.replace(call.find('B'), 1, at(node.right));
    return emit(node.left) + emit(node.right) + target + " = " + call + "\n";
  }

 private:
  const WriteRow& write_;
  std::map<size_t, int>& fields_;  // column -> its index in `row` (the HMGET reply)
};

}  // namespace

std::string lua_write_script(const WriteRow& write) {
  const size_t n = write.assignments.size();
  // ARGV: the assignments' values, the writer's id, the key, the guard's.
  const auto arg = [](size_t parameter) { return "ARGV[" + std::to_string(parameter + 1) + "]"; };
  // `row` is HMGET's reply: the writer's id, the version, then `fields`.
  std::map<size_t, int> fields;
  const auto field = [&fields](size_t column) {
    const auto [it, added] = fields.emplace(column, static_cast<int>(fields.size()) + 3);
    return "row[" + std::to_string(it->second) + "]";
  };
  bool arithmetic = false;
  std::string guard;
  switch (write.guard) {
    case WriteRow::Guard::none:
      break;
    case WriteRow::Guard::version:
      guard = "if row[2] ~= " + arg(n + 2) + " then return 0 end\n";
      break;
    case WriteRow::Guard::old_values:
      for (size_t i = 0; i < n; ++i)
        guard += "if " + field(write.assignments[i].column) + " ~= " + arg(n + 2 + i) +
                 " then return 0 end\n";
      break;
    case WriteRow::Guard::condition: {
      if (write.condition.nodes.empty()) break;
      arithmetic = true;
      ConditionLowering lowering(write, fields);
      guard = "local T = {}\n" + lowering.emit(write.condition.root()) + "if not truthy(T[" +
              std::to_string(write.condition.root()) + "]) then return 0 end\n";
      break;
    }
  }
  std::string values;    // the new values, computed before anything is written
  std::string assigned;  // HSET's field/value pairs
  std::string returned;  // the returned delta values
  for (size_t i = 0; i < n; ++i) {
    const WriteRow::Assignment& a = write.assignments[i];
    const std::string& name = write.table.columns.at(a.column).name;
    const std::string value = "V" + std::to_string(i);
    if (a.delta_sign == 0) {
      values += "local " + value + " = " + arg(i) + "\n";
    } else {
      arithmetic = true;
      values += "local " + value + " = str(" + (a.delta_sign > 0 ? "add" : "sub") + "(parse(" +
                field(a.column) + ", " + lua_string("column " + name) + "), parse(" + arg(i) +
                ", 'the delta')))\n";
      returned += value + ", ";
    }
    assigned += lua_string(name) + ", " + value + ", ";
  }
  std::string hmget =
      "redis.call('HMGET', KEYS[1], '" + std::string(kTxnColumn) + "', '" + kVersionColumn + "'";
  std::vector<std::string> names(fields.size());
  for (const auto& [column, position] : fields)
    names[static_cast<size_t>(position - 3)] = write.table.columns.at(column).name;
  for (const std::string& name : names) hmget += ", " + lua_string(name);
  hmget += ")";

  std::string body = "local row = " + hmget + "\nif not row[1] then return 0 end\n" + guard +
                     values + "redis.call('HSET', KEYS[1], " + assigned + "'" + kPrevTxnColumn +
                     "', row[1], '" + kTxnColumn + "', " + arg(n) + ")\n" +
                     "local version = redis.call('HINCRBY', KEYS[1], '" + kVersionColumn +
                     "', 1)\n";
  body += write.returns_versions ? "return {" + returned + "row[1], string.format('%d', version)}\n"
                                 : "return 1\n";
  if (!arithmetic) return body;
  // The library's errors and redis.call's come back as error replies, their
  // first word the code (pcall gives a table on some Redis versions).
  return std::string(kInt64Library) + "local ok, result = pcall(function()\n" + body +
         "end)\n"
         "if ok then return result end\n"
         "if type(result) == 'table' and result.err then return redis.error_reply(result.err) end\n"
         "return redis.error_reply(tostring(result))\n";
}

}  // namespace clobber
