-- pgbench's side of the for_update benchmark of bench/pgbench_compare.sh:
-- statement for statement what clobber sends for bench/workloads/hot_rows.yaml
-- at read_committed, locking for_update (harness/plan/cell_plan.cpp): the read
-- locks one of 100 hot rows, so writers of the same row queue on it. Run with
-- -M prepared. The script renames clobber_bench_hot to its own table for the run.
\set id random(1, 100)
\set delta random(-5000, 5000)
\set txn :client_id * 4294967296 + random(1, 4294967295)
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT id, balance, clobber_txn, clobber_version FROM clobber_bench_hot WHERE id = :id FOR UPDATE \gset
\set new :balance + :delta
UPDATE clobber_bench_hot SET balance = :new, clobber_prev = clobber_txn, clobber_txn = :txn, clobber_version = clobber_version + 1 WHERE id = :id RETURNING clobber_prev, clobber_version;
COMMIT;
