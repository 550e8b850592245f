#include "drivers/driver.h"

namespace clobber {

QueryRows Session::query_read_only(const std::string& begin_sql, const std::string& sql) {
  query(begin_sql);
  const auto end = [this] {
    try {
      query("ROLLBACK");
    } catch (const DatabaseError&) {  // the connection is gone, and the transaction with it
    }
  };
  QueryRows rows;
  try {
    rows = query(sql);
  } catch (const DatabaseError&) {
    end();
    throw;
  }
  end();
  return rows;
}

TransactionEffect Session::effect_of(const Outcome& outcome) {
  if (outcome.ok()) return TransactionEffect::none;
  if (outcome.cause == AbortCause::connection) return TransactionEffect::connection_lost;
  return TransactionEffect::transaction_rolled_back;
}

}  // namespace clobber
