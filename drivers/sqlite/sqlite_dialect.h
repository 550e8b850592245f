// SQLite's SQL spelling (drivers/sql/sql_dialect.h): ?n placeholders,
// INTEGER columns, MIN/MAX; no row locks and no named locks.
#pragma once

#include "drivers/operation.h"
#include "drivers/sql/sql_dialect.h"

namespace clobber {

/// The dialect every SQLite session speaks.
const SqlDialect& sqlite_dialect();

/// What the plan must know of SQLite: SQL with UPDATE ... RETURNING; no named locks.
DriverTraits sqlite_traits();

}  // namespace clobber
