-- sysbench's side of bench/sysbench_compare.sh: what clobber sends for
-- bench/workloads/hot_rows.yaml on MariaDB at read_committed, statement for
-- statement (its MySQL plan, harness/plan/cell_plan.cpp and
-- drivers/mysql/mysql_driver.cpp, as `strace -e sendto -s 200` of clobber
-- shows it): the isolation level set once per session, then per transaction
-- START TRANSACTION; SELECT one of 100 hot rows (FOR UPDATE with
-- --for-update=on); UPDATE it; COMMIT. One difference is sysbench's: it cannot
-- fetch the rows of a prepared statement, so the SELECT goes as text
-- (query_row), where clobber executes it prepared; the UPDATE is prepared in both.
sysbench.cmdline.options = {
  table = {"Table to read and write (100 rows, ids 1 to 100)", "clobber_bench_hot"},
  ["for-update"] = {"Lock the row in the SELECT (FOR UPDATE)", false},
}

function thread_init()
  drv = sysbench.sql.driver()
  con = drv:connect()
  con:query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
  local table = sysbench.opt.table
  select_sql = "SELECT id, balance, clobber_txn, clobber_version FROM " .. table .. " WHERE id = "
  lock_sql = sysbench.opt.for_update and " FOR UPDATE" or ""
  upd = con:prepare("UPDATE " .. table .. " SET balance = ?, clobber_txn = ?, " ..
                    "clobber_version = clobber_version + 1 WHERE id = ?")
  b_balance = upd:bind_create(sysbench.sql.type.BIGINT)
  b_txn = upd:bind_create(sysbench.sql.type.BIGINT)
  b_id = upd:bind_create(sysbench.sql.type.BIGINT)
  upd:bind_param(b_balance, b_txn, b_id)
end

function event()
  local id = sysbench.rand.uniform(1, 100)
  local delta = sysbench.rand.uniform(-5000, 5000)
  con:query("START TRANSACTION")
  local _, balance = con:query_row(select_sql .. id .. lock_sql)
  b_balance:set(tonumber(balance) + delta)
  b_txn:set(sysbench.tid * 4294967296 + sysbench.rand.uniform(1, 2147483647))
  b_id:set(id)
  upd:execute()
  con:query("COMMIT")
end

function thread_done()
  upd:close()
  con:disconnect()
end
