// MySQL/MariaDB's SQL spelling (drivers/sql/sql_dialect.h): positional `?`,
// InnoDB tables, no UPDATE ... RETURNING, DIV, GET_LOCK named locks that
// outlive the transaction.
#pragma once

#include "drivers/operation.h"
#include "drivers/sql/sql_dialect.h"

namespace clobber {

/// The dialect every MySQL/MariaDB session speaks.
const SqlDialect& mysql_dialect();

/// What the plan must know of MySQL/MariaDB: SQL; no UPDATE ... RETURNING; GET_LOCK outlives the
/// transaction.
DriverTraits mysql_traits();

}  // namespace clobber
