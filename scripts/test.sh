#!/usr/bin/env bash
# test.sh: THE test command. Installs what is missing, starts throwaway
# PostgreSQL, MariaDB and Redis servers (scripts/servers.sh), builds, and runs
# the whole ctest suite (every label: unit, postgres, mysql, redis, slow)
# against them,
# after running the fuzz targets for a bounded time (scripts/fuzz.sh,
# CLOBBER_FUZZ_SECONDS each, default 20; CLOBBER_FUZZ_SECONDS=0 skips them).
# Exits with ctest's status, or 1 when a fuzz target found a bug. Used by CI
# (.ci/run) and by hand:
#
#   sudo bash scripts/test.sh            # as root: no sudo needed
#   bash scripts/test.sh -L unit         # extra arguments go to ctest
#
# The servers are stopped (and their directory removed) when the script ends,
# unless they were already running when it started or CLOBBER_KEEP_SERVERS=1.
# Ports and directory: see scripts/servers.sh (CLOBBER_PG_PORT, CLOBBER_MYSQL_PORT,
# CLOBBER_REDIS_PORT, CLOBBER_SERVER_DIR). Environment passed to the tests:
#   CLOBBER_TEST_PG_URL     postgresql://postgres@127.0.0.1:15432/clobber_test
#   CLOBBER_TEST_MYSQL_URL  mysql://root@127.0.0.1:13306/clobber_test
#   CLOBBER_TEST_REDIS_URL  redis://127.0.0.1:16379/0
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

start_all=$(date +%s)
phase_start=$start_all
# Prints how long the phase that just ended took.
phase_done() {
  local now
  now=$(date +%s)
  echo "test.sh: $1 took $((now - phase_start))s" >&2
  phase_start=$now
}

bash scripts/install_deps.sh
phase_done "dependency check"

# shellcheck disable=SC2317  # called by the EXIT trap
stop_servers() {
  bash "$ROOT/scripts/servers.sh" stop || true
}
if bash scripts/servers.sh status >/dev/null 2>&1; then
  echo "test.sh: servers already running; leaving them running afterwards" >&2
elif [[ "${CLOBBER_KEEP_SERVERS:-0}" == 1 ]]; then
  echo "test.sh: CLOBBER_KEEP_SERVERS=1: leaving the servers running afterwards" >&2
else
  trap stop_servers EXIT
fi
bash scripts/servers.sh start
eval "$(bash scripts/servers.sh env)"
export CLOBBER_TEST_PG_URL CLOBBER_TEST_MYSQL_URL CLOBBER_TEST_REDIS_URL
echo "test.sh: CLOBBER_TEST_PG_URL=$CLOBBER_TEST_PG_URL" >&2
echo "test.sh: CLOBBER_TEST_MYSQL_URL=$CLOBBER_TEST_MYSQL_URL" >&2
echo "test.sh: CLOBBER_TEST_REDIS_URL=$CLOBBER_TEST_REDIS_URL" >&2
phase_done "server start"

# The tests and benchmarks on, also in a build/ that scripts/clobber configured without them.
bash scripts/build.sh build -DCLOBBER_BUILD_TESTS=ON -DCLOBBER_BUILD_BENCH=ON
phase_done "build"

# The fuzzers run before ctest, so that ctest's summary stays the last output.
fuzz_status=0
if [[ "${CLOBBER_FUZZ_SECONDS:-20}" != 0 ]]; then
  CLOBBER_FUZZ_SECONDS=${CLOBBER_FUZZ_SECONDS:-20} bash scripts/fuzz.sh || fuzz_status=$?
  phase_done "fuzzing"
fi

status=0
ctest --test-dir build --output-on-failure -j2 "$@" || status=$?
phase_done "ctest"

echo "test.sh: total $(($(date +%s) - start_all))s; ctest exit status $status; fuzz status $fuzz_status" >&2
if [[ $status -eq 0 && $fuzz_status -ne 0 ]]; then
  status=1
fi
exit "$status"
