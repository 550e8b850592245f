// PostgreSQL's SQL spelling (drivers/sql/sql_dialect.h): $n placeholders cast
// to BIGINT in arithmetic, FOR SHARE, transaction-scoped advisory locks.
#pragma once

#include "drivers/operation.h"
#include "drivers/sql/sql_dialect.h"

namespace clobber {

/// The dialect every PostgreSQL session speaks.
const SqlDialect& postgres_dialect();

/// What the plan must know of PostgreSQL: SQL with UPDATE ... RETURNING; advisory locks end with
/// the transaction.
DriverTraits postgres_traits();

}  // namespace clobber
