// The table registry in SQL: the one implementation the SQL drivers share
// (Session's default registry_* bodies, drivers/driver.h). The registry is the
// table clobber_registry (table_name, run_id, host, pid, created_at), written
// and read through Session::query() and Session::table_exists().
#pragma once

#include <string>
#include <vector>

#include "drivers/driver.h"

namespace clobber {

/// CREATE TABLE IF NOT EXISTS clobber_registry; a failure is ignored when the
/// table exists afterwards (two runs creating it at once: PostgreSQL lets one
/// of them fail).
void sql_registry_create(Session& session);
/// INSERT of `entry`; when it fails, succeeds anyway if the row it finds for
/// the table is the same run's (the INSERT sent again after a lost connection).
void sql_registry_add(Session& session, const RegisteredTable& entry);
/// DELETE of the row of `table`.
void sql_registry_remove(Session& session, const std::string& table);
/// Every row, ORDER BY run_id, table_name; none when the table does not exist.
std::vector<RegisteredTable> sql_registry_entries(Session& session);

}  // namespace clobber
