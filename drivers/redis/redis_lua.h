// The Lua scripts the Redis driver runs (drivers/redis/redis_driver.h): one
// per WriteRow, lowered from the operation, and the compare-and-delete that
// releases a lock. Redis runs a script atomically, as an SQL UPDATE changes
// one row: the guard, the new values and the hidden version fields
// (drivers/operation.h) change together or not at all. Redis's Lua is 5.1,
// whose numbers are doubles, so the scripts do their integer arithmetic in a
// small exact 64-bit library of their own (docs/redis.md, "Writes").
#pragma once

#include <string>

#include "drivers/operation.h"

namespace clobber {

/// The error prefix (the Outcome's code) of a script whose arithmetic
/// overflowed 64 bits, as harness/expr/expression.h's EvalError::overflow.
inline constexpr const char* kLuaOverflowCode = "OVERFLOW";
/// The error prefix of a script that divided by zero (EvalError::division_by_zero).
inline constexpr const char* kLuaDivisionByZeroCode = "DIVZERO";
/// The error prefix of a script that found a field that is not an integer.
inline constexpr const char* kLuaNotIntegerCode = "NOTINT";

/// The script of `write`: called with KEYS[1] = the row's key and ARGV = the
/// operation's parameters (parameter_count(write) of them, drivers/operation.h)
/// as decimal text. Returns 0 when the row is missing or the guard is false
/// (nothing written); otherwise writes the row and returns 1, or, when
/// write.returns_versions, an array of decimal texts: each delta column's new
/// value, the replaced writer's id and the new version number. Arithmetic that
/// overflows or divides by zero is an error reply (kLuaOverflowCode,
/// kLuaDivisionByZeroCode) before anything is written.
std::string lua_write_script(const WriteRow& write);

/// Deletes KEYS[1] when its value is ARGV[1]; returns how many keys it
/// deleted (0 or 1). Releases a lock only its holder's token names.
inline constexpr const char* kLuaCompareAndDelete =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0";

}  // namespace clobber
