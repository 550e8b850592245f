#!/usr/bin/env bash
# A thousand concurrent sessions: starts private PostgreSQL and MariaDB
# servers (own directory and ports, max_connections sized for the run), runs
# bench/workloads/read_then_update.yaml with SESSIONS workers on each, and
# prints per database the committed transactions, harness errors (cells that
# could not run, transactions failed by an unexpected error) and the client's
# peak memory (GNU time's maximum resident set size).
#   bash bench/sessions.sh [SESSIONS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
sessions=${1:-1000}
seconds=${2:-10}

bash scripts/install_deps.sh >/dev/null
bash scripts/build.sh >/dev/null 2>&1
work=$(mktemp -d)
chmod 755 "$work"  # the PostgreSQL server runs as its own user
export CLOBBER_SERVER_DIR=$work/servers CLOBBER_PG_PORT=${CLOBBER_PG_PORT:-25432}
export CLOBBER_MYSQL_PORT=${CLOBBER_MYSQL_PORT:-23306}
export CLOBBER_REDIS_PORT=${CLOBBER_REDIS_PORT:-26379}
# Every worker's session, plus the admin and registry connections.
export CLOBBER_MAX_CONNECTIONS=$((sessions + 50))
trap 'bash scripts/servers.sh stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
bash scripts/servers.sh start >/dev/null
eval "$(bash scripts/servers.sh env)"

printf '%s sessions, %s s, read-then-update at read_committed with FOR UPDATE\n' "$sessions" "$seconds"
printf '%-12s %5s %10s %8s %14s %16s\n' database exit committed tps "harness errors" "peak client RSS"
for url in "$CLOBBER_TEST_PG_URL" "$CLOBBER_TEST_MYSQL_URL"; do
  status=0
  /usr/bin/time -f '%M' -o "$work/rss" build/clobber run bench/workloads/read_then_update.yaml \
    --db "$url" --isolation read_committed --locking for_update --workers "$sessions" \
    --duration "${seconds}s" --quiet --json "$work/run.json" >"$work/out" 2>"$work/err" ||
    status=$?
  read -r kind committed tps errors < <(python3 - "$work/run.json" <<'PY'
import json, sys
cell = json.load(open(sys.argv[1]))["cells"][0]
errors = (cell["status"] == "error") + cell["transactions"]["failed_by_error"] + cell["errors_total"]
print(cell["database"]["kind"], cell["transactions"]["committed"],
      round(cell["throughput_tps"]), errors)
PY
  )
  printf '%-12s %5s %10s %8s %14s %13s MB\n' "$kind" "$status" "$committed" "$tps" "$errors" \
    "$(($(tail -1 "$work/rss") / 1024))"
  if ((status != 0)); then
    echo "clobber exited $status:" >&2
    tail -n 20 "$work/out" "$work/err" >&2
  fi
done
