#!/usr/bin/env bash
# Client efficiency against sysbench on MariaDB, side by side (issue 11's
# targets): sysbench (--threads N) and clobber (--workers N, one thread per
# session) run the same transaction on 100 hot rows of the same throwaway
# MariaDB (scripts/servers.sh), alternating: sysbench, clobber, sysbench,
# clobber, ..., ROUNDS pairs per benchmark, each run SECONDS long on a freshly
# seeded table.
#
# "The same read-then-update" as bench/pgbench_compare.sh means: the same 100
# rows with the same columns (those clobber creates), a uniformly random row
# per transaction, READ COMMITTED set once per session, and per transaction
# START TRANSACTION; SELECT id, balance, clobber_txn, clobber_version ... WHERE
# id = ? (naive: no lock; for_update: FOR UPDATE); UPDATE ... SET balance = ?,
# clobber_txn = ?, clobber_version = clobber_version + 1 WHERE id = ?; COMMIT:
# what clobber sends for bench/workloads/hot_rows.yaml (MariaDB has no UPDATE
# ... RETURNING, so no clobber_prev). The one difference, sysbench's: its
# SELECT goes as text, clobber's as a prepared statement
# (bench/sysbench_hot_rows.lua says why).
#
# Prints per benchmark the medians of committed tps, their ratio
# clobber/sysbench (target >= 1.0, stretch >= 1.15), client CPU per committed
# transaction (user + system of the tool's process tree over its committed
# transactions) and its ratio (target <= 1.0), then every run.
#
#   bash bench/sysbench_compare.sh [SECONDS] [ROUNDS] [BENCHMARKS]
#     SECONDS     length of each run (default 10)
#     ROUNDS      alternating pairs per benchmark (default 3)
#     BENCHMARKS  comma-separated NAME@CLIENTS, NAME naive or for_update
#                 (default naive@16,naive@64,for_update@16)
#   STRACE=1      also count system calls per committed transaction: one run of
#                 each tool per benchmark under strace -c -f, STRACE_SECONDS
#                 long (default 5).
#
# What limits the result: client and server share the machine's cores (2 here),
# so the tps is bounded by the total CPU, and the tool that spends less CPU per
# transaction leaves more to the server; both run a thread per session, so
# other work on the machine takes from both alike. Each transaction is four
# synchronous round trips for both tools. On 100 hot rows writers of the same
# row wait for each other's row lock (InnoDB), more so at 64 clients. clobber's
# CPU includes creating and seeding its table and checking the history after
# the run (a few hundredths of a second); sysbench's includes its LuaJIT start.
# Anything else running on the machine moves the figures: compare the ratios of
# one invocation, and look at the spread of the runs.
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
url=$CLOBBER_TEST_MYSQL_URL
hostport=${url#mysql://root@}
host=${hostport%%:*}
port=${hostport#*:}
port=${port%%/*}
mysql=(mysql -N -B -h "$host" -P "$port" -u root clobber_test)
# sysbench's table, this run's own: dropped at the end, no other table touched.
table=clobber_bench_hot_$$
trap '"${mysql[@]}" -e "DROP TABLE IF EXISTS $table" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

most=$(printf '%s\n' "${bench_clients[@]}" | sort -n | tail -n 1)
max_connections=$("${mysql[@]}" -e "SELECT @@max_connections")
((max_connections >= most + 10)) || bench_die "the server takes $max_connections connections, \
$most clients need $((most + 10)); start the servers with CLOBBER_MAX_CONNECTIONS (scripts/servers.sh)"

# A fresh sysbench table, as clobber creates its own for every run: the columns
# clobber creates (harness/plan/cell_plan.cpp), 100 rows of balance 0.
seed() {
  "${mysql[@]}" <<SQL
DROP TABLE IF EXISTS $table;
CREATE TABLE $table (id BIGINT NOT NULL PRIMARY KEY, balance BIGINT NOT NULL DEFAULT 0,
  clobber_txn BIGINT NOT NULL DEFAULT 0, clobber_prev BIGINT NOT NULL DEFAULT 0,
  clobber_version BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB;
INSERT INTO $table (id) SELECT seq FROM seq_1_to_100;
SQL
}

# One sysbench run: NAME CLIENTS SECONDS [WRAPPER...] (a command sysbench runs
# under, e.g. strace); prints "TPS COMMITTED CPU_SECONDS".
run_sysbench() {
  local name=$1 clients=$2 secs=$3 status cpu tps committed for_update=off
  shift 3
  [[ $name == for_update ]] && for_update=on
  seed
  read -r status cpu < <(bench_timed "$work/sysbench.out" "$work/sysbench.err" "$@" \
    sysbench --db-driver=mysql --mysql-host="$host" --mysql-port="$port" --mysql-user=root \
    --mysql-db=clobber_test --threads="$clients" --time="$secs" --table="$table" \
    --for-update="$for_update" bench/sysbench_hot_rows.lua run)
  committed=$(sed -n 's/^ *transactions: *\([0-9]*\) .*/\1/p' "$work/sysbench.out")
  tps=$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$work/sysbench.out")
  if ((status != 0)) || [[ -z "$tps" || -z "$committed" ]]; then
    tail -n 20 "$work/sysbench.out" "$work/sysbench.err" >&2
    bench_die "sysbench exited $status"
  fi
  echo "$tps $committed $cpu"
}

echo "MariaDB: sysbench vs clobber, 100 hot rows, read_committed, ${seconds} s runs, $rounds alternating rounds"
bench_machine
echo "server: MariaDB $("${mysql[@]}" -e "SELECT VERSION()") on 127.0.0.1 (max_connections $max_connections); $(sysbench --version)"
echo

bench_alternate sysbench run_sysbench "$url"
