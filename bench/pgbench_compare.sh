#!/usr/bin/env bash
# Client efficiency against pgbench, side by side (issue 11's targets): pgbench
# (-M prepared -j 2) and clobber (--workers N, one thread per session) run the
# same transaction on 100 hot rows of the same throwaway PostgreSQL
# (scripts/servers.sh), alternating: pgbench, clobber, pgbench, clobber, ...,
# ROUNDS pairs per benchmark, each run SECONDS long on a freshly seeded table.
#   naive@16, naive@64   BEGIN; SELECT the row; UPDATE it; COMMIT
#                        (bench/pgbench_naive.sql; hot_rows.yaml, locking none)
#   for_update@16        the same with SELECT ... FOR UPDATE
#                        (bench/pgbench_for_update.sql; locking for_update)
# Both send the same four prepared statements per transaction, statement for
# statement (the .sql files say how that was checked). Prints per benchmark the
# medians of committed tps, their ratio clobber/pgbench (target >= 1.0, stretch
# >= 1.25), client CPU per committed transaction (user + system of the tool's
# process tree, over its committed transactions) and its ratio (target <= 1.0),
# then every run, so the spread shows.
#
#   bash bench/pgbench_compare.sh [SECONDS] [ROUNDS] [BENCHMARKS]
#     SECONDS     length of each run (default 10)
#     ROUNDS      alternating pairs per benchmark (default 3)
#     BENCHMARKS  comma-separated NAME@CLIENTS, NAME naive or for_update
#                 (default naive@16,naive@64,for_update@16); e.g. rerun one:
#                 bash bench/pgbench_compare.sh 10 3 for_update@16
#   STRACE=1      also count system calls per committed transaction: one run of
#                 each tool per benchmark under strace -c -f, STRACE_SECONDS
#                 long (default 5); strace slows both, the counts stay exact.
#
# What limits the result: client and server share the machine's cores (2 here),
# so the tps is bounded by the total CPU, and a client that spends less CPU
# per transaction leaves more to the server. While other work runs on the
# machine the scheduler shares the cores per thread, so clobber's thread per
# session gets more of them than pgbench's 2 threads and the tps ratio flatters
# clobber: the CPU ratio is the steadier figure. Each transaction is four
# statements, as of 77f49df four synchronous round trips for both tools
# (pgbench cannot pipeline a read whose result the write uses: no \gset in a
# pipeline). On 100 hot rows writers of the same row wait for each other's row
# lock (in the UPDATE, or in the SELECT with FOR UPDATE), more so at 64 clients. pgbench multiplexes its clients on 2 threads; clobber
# runs a thread per session. clobber's CPU includes creating and seeding its
# table and checking the history after the run; pgbench's includes its
# connections. Anything else running on the machine moves the figures: compare
# the ratios of one invocation, and look at the spread of the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/compare_lib.sh
source bench/compare_lib.sh
seconds=${1:-10}
rounds=${2:-3}
bench_parse "$seconds" "$rounds" "${3:-naive@16,naive@64,for_update@16}"

work=$(mktemp -d)
bash scripts/install_deps.sh >/dev/null
bench_build
bash scripts/servers.sh start >/dev/null 2>&1 || bench_die "scripts/servers.sh start failed"
eval "$(bash scripts/servers.sh env)"
url=$CLOBBER_TEST_PG_URL
pgbench=/usr/lib/postgresql/15/bin/pgbench
psql=(psql -X -q -At -v ON_ERROR_STOP=1 "$url")
# pgbench's table, this run's own: dropped at the end, no other table touched.
table=clobber_bench_hot_$$
trap '"${psql[@]}" -c "DROP TABLE IF EXISTS $table" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

most=$(printf '%s\n' "${bench_clients[@]}" | sort -n | tail -n 1)
max_connections=$("${psql[@]}" -c "SHOW max_connections")
((max_connections >= most + 10)) || bench_die "the server takes $max_connections connections, \
$most clients need $((most + 10)); start the servers with CLOBBER_MAX_CONNECTIONS (scripts/servers.sh)"

# The scripts pgbench runs, renamed to this run's table.
for name in naive for_update; do
  sed "s/\bclobber_bench_hot\b/$table/g" "bench/pgbench_$name.sql" >"$work/$name.sql"
done

# A fresh pgbench table, as clobber creates its own for every run: the columns
# clobber creates (harness/plan/cell_plan.cpp), 100 rows of balance 0.
seed() {
  "${psql[@]}" >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS $table;
CREATE TABLE $table (id BIGINT NOT NULL PRIMARY KEY, balance BIGINT NOT NULL DEFAULT 0,
  clobber_txn BIGINT NOT NULL DEFAULT 0, clobber_prev BIGINT NOT NULL DEFAULT 0,
  clobber_version BIGINT NOT NULL DEFAULT 0);
INSERT INTO $table (id, balance) SELECT g, 0 FROM generate_series(1, 100) g;
SQL
}

# One pgbench run: NAME CLIENTS SECONDS [WRAPPER...] (a command pgbench runs
# under, e.g. strace); prints "TPS COMMITTED CPU_SECONDS".
run_pgbench() {
  local name=$1 clients=$2 secs=$3 status cpu tps committed
  shift 3
  seed
  read -r status cpu < <(bench_timed "$work/pgbench.out" "$work/pgbench.err" "$@" \
    "$pgbench" -n -M prepared -c "$clients" -j 2 -T "$secs" -f "$work/$name.sql" "$url")
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$work/pgbench.out" | head -n 1)
  committed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.out")
  if ((status != 0)) || [[ -z "$tps" || -z "$committed" ]]; then
    tail -n 20 "$work/pgbench.out" "$work/pgbench.err" >&2
    bench_die "pgbench exited $status"
  fi
  echo "$tps $committed $cpu"
}

echo "PostgreSQL: pgbench -M prepared -j 2 vs clobber, 100 hot rows, read_committed, ${seconds} s runs, $rounds alternating rounds"
bench_machine
echo "server: $("${psql[@]}" -c "SELECT version()" | cut -d, -f1) on 127.0.0.1 (max_connections $max_connections); $("$pgbench" --version)"
echo

bench_alternate pgbench run_pgbench "$url"
