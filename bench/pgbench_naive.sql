-- pgbench's side of the naive benchmark of bench/pgbench_compare.sh: statement
-- for statement what clobber sends for bench/workloads/hot_rows.yaml at
-- read_committed, locking none (its PostgreSQL plan, harness/plan/cell_plan.cpp,
-- as the server logs it with log_statement = all): one of 100 hot rows read
-- without a lock, then written back plus a delta. Run with -M prepared, as
-- clobber prepares every statement, BEGIN and COMMIT included. The script
-- renames clobber_bench_hot to its own table for the run.
\set id random(1, 100)
\set delta random(-5000, 5000)
\set txn :client_id * 4294967296 + random(1, 4294967295)
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT id, balance, clobber_txn, clobber_version FROM clobber_bench_hot WHERE id = :id \gset
\set new :balance + :delta
UPDATE clobber_bench_hot SET balance = :new, clobber_prev = clobber_txn, clobber_txn = :txn, clobber_version = clobber_version + 1 WHERE id = :id RETURNING clobber_prev, clobber_version;
COMMIT;
