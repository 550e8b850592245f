#!/usr/bin/env bash
# Client efficiency, side by side: pgbench (-M prepared) and clobber run the same
# read-modify-write transaction against the same throwaway PostgreSQL, with the
# same number of clients for the same time, one after the other in one run.
# Prints both throughputs, client CPU per transaction, and the ratios.
#   bash bench/pgbench_compare.sh [CLIENTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-8}
seconds=${2:-10}

bash scripts/install_deps.sh >/dev/null
bash scripts/build.sh >/dev/null 2>&1
bash scripts/servers.sh start >/dev/null
eval "$(bash scripts/servers.sh env)"
url=$CLOBBER_TEST_PG_URL
pgbench=/usr/lib/postgresql/15/bin/pgbench
psql=(psql -X -q -v ON_ERROR_STOP=1 "$url")
work=$(mktemp -d)
trap 'rm -rf "$work"; "${psql[@]}" -c "DROP TABLE IF EXISTS clobber_bench_accounts" >/dev/null 2>&1 || true' EXIT

# pgbench's table: the same columns clobber creates, seeded the same way.
"${psql[@]}" <<SQL
DROP TABLE IF EXISTS clobber_bench_accounts;
CREATE TABLE clobber_bench_accounts (id BIGINT NOT NULL PRIMARY KEY, balance BIGINT NOT NULL DEFAULT 0,
  clobber_txn BIGINT NOT NULL DEFAULT 0, clobber_prev BIGINT NOT NULL DEFAULT 0,
  clobber_version BIGINT NOT NULL DEFAULT 0);
INSERT INTO clobber_bench_accounts (id, balance) SELECT g, 0 FROM generate_series(1, 100000) g;
VACUUM ANALYZE clobber_bench_accounts;
SQL

# CPU seconds (user + system) a command's process tree used, via bash's `time`.
cpu_of() {
  local TIMEFORMAT='%U %S'
  { time "$@" >"$work/out" 2>"$work/err"; } 2>"$work/time"
  awk '{print $1 + $2}' "$work/time"
}

pg_cpu=$(cpu_of "$pgbench" -n -M prepared -c "$clients" -j 2 -T "$seconds" \
  -f bench/pgbench_read_then_update.sql "$url")
pg_tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$work/out" | head -n 1)
pg_tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/out")

cl_cpu=$(cpu_of build/clobber run bench/workloads/read_then_update.yaml --db "$url" \
  --workers "$clients" --duration "${seconds}s" --explore --json "$work/clobber.json")
cl_tps=$(sed -n 's/.*"throughput_tps": *\([0-9.e+]*\).*/\1/p' "$work/clobber.json" | head -n 1)
cl_tx=$(sed -n 's/.*"committed": *\([0-9]*\).*/\1/p' "$work/clobber.json" | head -n 1)

awk -v ptps="$pg_tps" -v ctps="$cl_tps" -v pcpu="$pg_cpu" -v ccpu="$cl_cpu" \
    -v ptx="$pg_tx" -v ctx="$cl_tx" -v c="$clients" -v s="$seconds" 'BEGIN {
  printf "read-then-update, %d clients, %d s, same server, one run\n", c, s
  printf "%-10s %12s %14s %20s\n", "client", "tps", "transactions", "client CPU us/tx"
  printf "%-10s %12.0f %14d %20.1f\n", "pgbench", ptps, ptx, pcpu * 1e6 / ptx
  printf "%-10s %12.0f %14d %20.1f\n", "clobber", ctps, ctx, ccpu * 1e6 / ctx
  printf "throughput ratio clobber/pgbench: %.2f (target >= 1.00)\n", ctps / ptps
  printf "CPU per transaction ratio clobber/pgbench: %.2f (target <= 1.00)\n", (ccpu / ctx) / (pcpu / ptx)
}'
