#!/usr/bin/env bash
# A long run at full speed: WORKERS sessions for DURATION on the throwaway
# PostgreSQL (scripts/servers.sh), read-then-update at read_committed with
# FOR UPDATE, history recorded and checked as in any run. Prints the committed
# transactions, the client's peak memory (GNU time's maximum resident set
# size) and that memory per committed transaction, the figure the history's
# layout decides (harness/history/history.h).
#   bash bench/long_run.sh [WORKERS] [DURATION]      (default 64 10m)
set -euo pipefail
cd "$(dirname "$0")/.."
workers=${1:-64}
duration=${2:-10m}

bash scripts/install_deps.sh >/dev/null
bash scripts/build.sh >/dev/null 2>&1
bash scripts/servers.sh start >/dev/null
eval "$(bash scripts/servers.sh env)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
/usr/bin/time -f '%M %e' -o "$work/time" build/clobber run bench/workloads/read_then_update.yaml \
  --db "$CLOBBER_TEST_PG_URL" --isolation read_committed --locking for_update \
  --workers "$workers" --duration "$duration" --quiet --json "$work/run.json" \
  >"$work/out" 2>"$work/err" || status=$?
read -r rss seconds < <(tail -1 "$work/time")
python3 - "$work/run.json" "$rss" "$seconds" "$status" "$workers" "$duration" <<'PY'
import json, sys
cell = json.load(open(sys.argv[1]))["cells"][0]
rss_kb, seconds, status = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
committed = cell["transactions"]["committed"]
print(f"{sys.argv[5]} workers for {sys.argv[6]} on PostgreSQL, read-then-update, FOR UPDATE")
print(f"exit {status}, cell {cell['status']}, {committed:,} committed "
      f"({cell['throughput_tps']:.0f} tps), lost updates {cell['lost_updates']}")
print(f"wall {seconds:.0f} s (run and checks), peak client RSS {rss_kb / 1024:.0f} MB, "
      f"{rss_kb * 1024 / max(committed, 1):.0f} bytes per committed transaction")
PY
