// The SQL statement checker: decides, before anything connects, whether one
// SQL text from a workload or scenario file can only touch the tables the file
// declares. It is a conservative tokenizer, the same for PostgreSQL, MySQL/MariaDB
// and SQLite: whatever two dialects could read differently (quoted names,
// backslashes in strings, dollar quotes, `#`, `--x`, `/*!`, nested comments) is
// rejected, as is any statement kind, table position, function, operator or
// cast it cannot prove harmless. What it accepts and why is in README.md ("What
// clobber guarantees on a staging database") and docs/*-format.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clobber {

/// Where a SQL text comes from: decides which statement kinds it may be.
enum class SqlContext {
  workload_step,   // `sql:` step of a workload: SELECT, WITH, VALUES, INSERT, UPDATE, DELETE,
                   // REPLACE; `:name` parameters allowed
  read_query,      // workload invariant, scenario anomaly_if.sql: SELECT, WITH, VALUES, TABLE
                   // and no write anywhere inside
  scenario_setup,  // scenario setup: the workload kinds, CREATE TABLE / CREATE INDEX of a
                   // declared table, SET of a timeout
  scenario_step,   // scenario step: the workload kinds, LOCK TABLE(S) of declared tables,
                   // UNLOCK TABLES, SET of a timeout, SAVEPOINT, RELEASE, ROLLBACK TO
};

/// One table name in a table position (FROM, JOIN, INTO, UPDATE, ...): its
/// byte offset and length in the text. Only declared tables are ever listed.
struct SqlTableRef {
  size_t offset = 0;
  size_t length = 0;
  std::string name;  // lower case: the declared table's name
};

/// Why a text was rejected, at the byte offset of the offending token.
struct SqlProblem {
  size_t offset = 0;
  std::string message;
};

/// What the checker found: the problem, or the table references to rename.
struct SqlCheck {
  std::optional<SqlProblem> problem;  // set: the text is rejected
  std::vector<SqlTableRef> tables;    // every table reference, in text order
  /// The name of the table created by an accepted CREATE TABLE, or empty.
  std::string created_table;
};

/// Checks one SQL text (one statement; a trailing `;` is allowed) against
/// `declared` (lower-case table names). Pure; never throws for any input.
SqlCheck check_sql(std::string_view sql, SqlContext context,
                   const std::vector<std::string>& declared);

}  // namespace clobber
