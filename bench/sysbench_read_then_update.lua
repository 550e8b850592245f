-- sysbench's side of bench/sysbench_compare.sh: the same read-modify-write as
-- bench/workloads/read_then_update.yaml (BEGIN; SELECT; UPDATE; COMMIT on one
-- of 100,000 rows). The SELECT goes through query_row (sysbench cannot fetch
-- results of prepared statements); the UPDATE is prepared.
function thread_init()
  drv = sysbench.sql.driver()
  con = drv:connect()
  upd = con:prepare("UPDATE clobber_bench_accounts SET balance = ?, clobber_txn = ?, " ..
                    "clobber_version = clobber_version + 1 WHERE id = ?")
  b_balance = upd:bind_create(sysbench.sql.type.BIGINT)
  b_txn = upd:bind_create(sysbench.sql.type.BIGINT)
  b_id = upd:bind_create(sysbench.sql.type.BIGINT)
  upd:bind_param(b_balance, b_txn, b_id)
end

function event()
  local id = sysbench.rand.uniform(1, 100000)
  local delta = sysbench.rand.uniform(-5000, 5000)
  con:query("BEGIN")
  local old = con:query_row("SELECT balance FROM clobber_bench_accounts WHERE id = " .. id)
  b_balance:set(tonumber(old) + delta)
  b_txn:set(sysbench.tid)
  b_id:set(id)
  upd:execute()
  con:query("COMMIT")
end

function thread_done()
  upd:close()
  con:disconnect()
end
