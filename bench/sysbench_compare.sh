#!/usr/bin/env bash
# Client efficiency on MariaDB, side by side: sysbench and clobber run the same
# read-modify-write transaction at REPEATABLE READ (MariaDB's default, which
# sysbench's BEGIN uses) against the same throwaway server, with the same number
# of clients for the same time, one after the other in one run. Prints both
# throughputs, client CPU per transaction, and the ratios.
#   bash bench/sysbench_compare.sh [CLIENTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-8}
seconds=${2:-10}

bash scripts/install_deps.sh >/dev/null
bash scripts/build.sh >/dev/null 2>&1
bash scripts/servers.sh start >/dev/null
eval "$(bash scripts/servers.sh env)"
url=$CLOBBER_TEST_MYSQL_URL
hostport=${url#mysql://root@}
host=${hostport%%:*}
port=${hostport#*:}
port=${port%%/*}
mysql=(mysql -h "$host" -P "$port" -u root clobber_test)
work=$(mktemp -d)
trap 'rm -rf "$work"; "${mysql[@]}" -e "DROP TABLE IF EXISTS clobber_bench_accounts" >/dev/null 2>&1 || true' EXIT

# sysbench's table: the same columns clobber creates, seeded the same way.
"${mysql[@]}" <<SQL
DROP TABLE IF EXISTS clobber_bench_accounts;
CREATE TABLE clobber_bench_accounts (id BIGINT NOT NULL PRIMARY KEY, balance BIGINT NOT NULL DEFAULT 0,
  clobber_txn BIGINT NOT NULL DEFAULT 0, clobber_prev BIGINT NOT NULL DEFAULT 0,
  clobber_version BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB;
INSERT INTO clobber_bench_accounts (id) SELECT seq FROM seq_1_to_100000;
SQL

# CPU seconds (user + system) a command's process tree used, via bash's `time`.
cpu_of() {
  local TIMEFORMAT='%U %S'
  { time "$@" >"$work/out" 2>"$work/err"; } 2>"$work/time"
  awk '{print $1 + $2}' "$work/time"
}

sb_cpu=$(cpu_of sysbench --db-driver=mysql --mysql-host="$host" --mysql-port="$port" \
  --mysql-user=root --mysql-db=clobber_test --threads="$clients" --time="$seconds" \
  bench/sysbench_read_then_update.lua run)
sb_tx=$(sed -n 's/^ *transactions: *\([0-9]*\) .*/\1/p' "$work/out")
sb_tps=$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$work/out")

cl_cpu=$(cpu_of build/clobber run bench/workloads/read_then_update.yaml --db "$url" \
  --isolation repeatable_read --workers "$clients" --duration "${seconds}s" --explore \
  --json "$work/clobber.json")
cl_tps=$(sed -n 's/.*"throughput_tps": *\([0-9.e+]*\).*/\1/p' "$work/clobber.json" | head -n 1)
cl_tx=$(sed -n 's/.*"committed": *\([0-9]*\).*/\1/p' "$work/clobber.json" | head -n 1)

awk -v stps="$sb_tps" -v ctps="$cl_tps" -v scpu="$sb_cpu" -v ccpu="$cl_cpu" \
    -v stx="$sb_tx" -v ctx="$cl_tx" -v c="$clients" -v s="$seconds" 'BEGIN {
  printf "read-then-update on MariaDB at REPEATABLE READ, %d clients, %d s, one run\n", c, s
  printf "%-10s %12s %14s %20s\n", "client", "tps", "transactions", "client CPU us/tx"
  printf "%-10s %12.0f %14d %20.1f\n", "sysbench", stps, stx, scpu * 1e6 / stx
  printf "%-10s %12.0f %14d %20.1f\n", "clobber", ctps, ctx, ccpu * 1e6 / ctx
  printf "throughput ratio clobber/sysbench: %.2f (target >= 1.00)\n", ctps / stps
  printf "CPU per transaction ratio clobber/sysbench: %.2f (target <= 1.00)\n", (ccpu / ctx) / (scpu / stx)
}'
