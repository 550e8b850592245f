-- pgbench's side of bench/pgbench_compare.sh: the same read-modify-write as
-- bench/workloads/read_then_update.yaml, statement for statement.
\set id random(1, 100000)
\set delta random(-5000, 5000)
BEGIN;
SELECT balance AS old FROM clobber_bench_accounts WHERE id = :id \gset
\set new :old + :delta
UPDATE clobber_bench_accounts SET balance = :new, clobber_txn = :client_id, clobber_version = clobber_version + 1 WHERE id = :id;
COMMIT;
