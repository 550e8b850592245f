// What every SQL driver's session does the same way: typed operations and a
// cell's tables become SQL in the driver's dialect (drivers/sql/sql_lowering.h)
// and run through the session's own prepare() and query().
#pragma once

#include "drivers/driver.h"
#include "drivers/sql/sql_dialect.h"
#include "drivers/sql/sql_lowering.h"

namespace clobber {

/// A session of an SQL database; a driver's session derives from it and says
/// which dialect it speaks.
class SqlSession : public Session {
 public:
  using Session::prepare;
  /// Lowers `operation` and prepares its SQL (see prepare_lowered()).
  StatementHandle prepare(const Operation& operation) override;
  /// CREATE TABLE in the dialect.
  void create_table(const TableShape& table) override;
  /// DROP TABLE IF EXISTS.
  void drop_table(const std::string& name) override;
  /// INSERT in batches of 500 rows.
  void insert_rows(const TableShape& table, std::span<const std::vector<CellValue>> rows) override;
  /// SELECT ... ORDER BY the key; a NULL reads as 0.
  std::vector<std::vector<int64_t>> read_rows(const TableShape& table,
                                              std::span<const size_t> columns) override;
  /// The registry in SQL (drivers/sql_registry.h).
  void registry_create() override;
  void registry_add(const RegisteredTable& entry) override;
  void registry_remove(const std::string& table) override;
  std::vector<RegisteredTable> registry_entries() override;

 protected:
  /// The dialect this session speaks.
  virtual const SqlDialect& dialect() const = 0;
  /// Prepares a lowered operation. By default its SQL alone: a driver whose
  /// dialect asks for a read-back (SqlStatement::read_back) overrides this.
  virtual StatementHandle prepare_lowered(const SqlStatement& statement);
};

}  // namespace clobber
