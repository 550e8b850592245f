# shellcheck shell=bash disable=SC2154  # work: set by the caller
# Shared by bench/pgbench_compare.sh and bench/sysbench_compare.sh (sourced,
# not run): argument checks, the machine header, timing a tool's process tree,
# clobber's side of a run, the optional strace count, and the final table of
# medians. The caller sets `work` (a temporary directory) before using them.

# Dies with a message on stderr.
bench_die() {
  echo "${0##*/}: error: $*" >&2
  exit 2
}

# Checks SECONDS and ROUNDS, and splits the comma-separated BENCHMARKS, each
# NAME@CLIENTS with NAME naive or for_update, into the arrays bench_names and
# bench_clients.
bench_parse() {
  local seconds=$1 rounds=$2 item name clients
  local -a items
  [[ "$seconds" =~ ^[1-9][0-9]*$ ]] || bench_die "SECONDS must be a whole number of seconds, got '$seconds'"
  [[ "$rounds" =~ ^[1-9][0-9]*$ ]] || bench_die "ROUNDS must be a positive number, got '$rounds'"
  IFS=, read -r -a items <<<"$3"
  ((${#items[@]} > 0)) || bench_die "no benchmark named"
  bench_names=()
  bench_clients=()
  for item in "${items[@]}"; do
    name=${item%@*}
    clients=${item#*@}
    [[ "$item" == *@* && ("$name" == naive || "$name" == for_update) && "$clients" =~ ^[1-9][0-9]*$ ]] ||
      bench_die "bad benchmark '$item' (want naive@CLIENTS or for_update@CLIENTS)"
    bench_names+=("$name")
    bench_clients+=("$clients")
  done
}

# Builds build/clobber (that target only), showing the log when it fails.
bench_build() {
  if ! CLOBBER_BUILD_TARGET=clobber bash scripts/build.sh >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log" >&2
    bench_die "the build failed"
  fi
}

# Prints the machine and the versions: what a reader needs to weigh the figures.
bench_machine() {
  local model
  model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  echo "machine: $(nproc) CPUs ($model), kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "clobber: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
}

# Runs a command with stdout in $1 and stderr in $2, and prints "STATUS CPU":
# its exit status and the CPU seconds (user + system) its process tree used.
bench_timed() {
  local out=$1 err=$2 status=0
  shift 2
  local TIMEFORMAT='%U %S'
  { time "$@" >"$out" 2>"$err" || status=$?; } 2>"$work/time"
  echo "$status $(awk '{print $1 + $2}' "$work/time")"
}

# Runs clobber on bench/workloads/hot_rows.yaml at read_committed: URL LOCKING
# CLIENTS SECONDS [WRAPPER...] (a command clobber runs under, e.g. strace);
# prints "TPS COMMITTED CPU_SECONDS", or dies with its output.
bench_clobber() {
  local url=$1 locking=$2 clients=$3 seconds=$4 status cpu
  shift 4
  read -r status cpu < <(bench_timed "$work/clobber.out" "$work/clobber.err" "$@" \
    build/clobber run bench/workloads/hot_rows.yaml --db "$url" --isolation read_committed \
    --locking "$locking" --workers "$clients" --duration "${seconds}s" --explore --quiet \
    --json "$work/clobber.json")
  if ((status != 0)); then
    tail -n 20 "$work/clobber.out" "$work/clobber.err" >&2
    bench_die "clobber exited $status"
  fi
  python3 - "$work/clobber.json" "$cpu" <<'PY'
import json, sys
cell = json.load(open(sys.argv[1]))["cells"][0]
tx = cell["transactions"]
if cell["status"] != "ran" or tx["failed_by_error"] or cell["errors_total"]:
    sys.exit(f"clobber: cell {cell['status']} {cell['reason']}, "
             f"{tx['failed_by_error']} failed by error, {cell['errors_total']} errors")
print(f"{cell['throughput_tps']:.1f} {tx['committed']} {sys.argv[2]}")
PY
}

# Prints the system calls per committed transaction of one strace -c -f
# summary ($1) over $2 committed transactions: the total and the five most
# frequent, each with its failed calls (EAGAIN and the like).
bench_syscalls() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys
path, committed, who = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows, total = [], 0
for line in open(path):
    f = line.split()
    if len(f) < 5 or not f[0][0].isdigit():
        continue
    calls, errors = int(f[3]), (int(f[4]) if len(f) == 6 else 0)
    if f[-1] == "total":
        total = calls
    else:
        rows.append((calls, errors, f[-1]))
rows.sort(reverse=True)
top = ", ".join(f"{name} {calls / committed:.2f}" + (f" ({errors / committed:.2f} failed)" if errors else "")
                for calls, errors, name in rows[:5])
print(f"  {who:8} {committed:>8} committed, {total / committed:6.2f} syscalls/tx: {top}")
PY
}

# Prints the table of medians and every run from the tab-separated results
# ($1: benchmark, clients, tool, round, tps, committed, CPU seconds), the
# other tool's name being $2.
bench_report() {
  python3 - "$1" "$2" <<'PY'
import statistics, sys
path, other = sys.argv[1], sys.argv[2]
runs = [line.rstrip("\n").split("\t") for line in open(path) if line.strip()]
keys = []
for r in runs:
    if (r[0], r[1]) not in keys:
        keys.append((r[0], r[1]))

def us(r):
    return float(r[6]) * 1e6 / max(int(r[5]), 1)

print(f"{'benchmark':11} {'clients':>7} {other + ' tps':>13} {'clobber tps':>12} {'tps ratio':>9} "
      f"{other + ' us/tx':>15} {'clobber us/tx':>14} {'CPU ratio':>9}")
for bench, clients in keys:
    mine = [r for r in runs if (r[0], r[1]) == (bench, clients)]
    theirs = [r for r in mine if r[2] == other]
    ours = [r for r in mine if r[2] == "clobber"]
    t_tps = statistics.median(float(r[4]) for r in theirs)
    c_tps = statistics.median(float(r[4]) for r in ours)
    t_us = statistics.median(us(r) for r in theirs)
    c_us = statistics.median(us(r) for r in ours)
    print(f"{bench:11} {clients:>7} {t_tps:13,.0f} {c_tps:12,.0f} {c_tps / t_tps:9.2f} "
          f"{t_us:15.1f} {c_us:14.1f} {c_us / t_us:9.2f}")
print("medians of the runs below; targets: tps ratio >= 1.0, CPU ratio <= 1.0")
print()
print(f"{'benchmark':11} {'clients':>7} {'round':>5} {'tool':8} {'tps':>10} {'committed':>10} "
      f"{'CPU s':>7} {'CPU us/tx':>10}")
for r in runs:
    print(f"{r[0]:11} {r[1]:>7} {r[3]:>5} {r[2]:8} {float(r[4]):10,.0f} {int(r[5]):10,} "
          f"{float(r[6]):7.2f} {us(r):10.1f}")
PY
}

# The locking mode of clobber's cell for a benchmark NAME (naive or for_update).
bench_locking() { if [[ $1 == naive ]]; then echo none; else echo for_update; fi; }

# Runs each benchmark of bench_parse ROUNDS times, alternating: TOOL (through
# RUNNER NAME CLIENTS SECONDS [WRAPPER...], printing "TPS COMMITTED CPU") and
# clobber against URL. Prints the medians and every run (bench_report); with
# STRACE=1 then one run of each under strace -c -f, STRACE_SECONDS long
# (default 5), and their system calls per committed transaction.
bench_alternate() {
  local tool=$1 runner=$2 url=$3 i name clients round result strace_seconds
  : >"$work/results"
  for i in "${!bench_names[@]}"; do
    name=${bench_names[$i]}
    clients=${bench_clients[$i]}
    for round in $(seq 1 "$rounds"); do
      result=$("$runner" "$name" "$clients" "$seconds")
      printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$clients" "$tool" "$round" "${result// /$'\t'}" \
        >>"$work/results"
      result=$(bench_clobber "$url" "$(bench_locking "$name")" "$clients" "$seconds")
      printf '%s\t%s\tclobber\t%s\t%s\n' "$name" "$clients" "$round" "${result// /$'\t'}" \
        >>"$work/results"
    done
  done
  bench_report "$work/results" "$tool"
  [[ "${STRACE:-0}" == 1 ]] || return 0
  strace_seconds=${STRACE_SECONDS:-5}
  echo
  echo "system calls per committed transaction (strace -c -f, one ${strace_seconds} s run each)"
  for i in "${!bench_names[@]}"; do
    name=${bench_names[$i]}
    clients=${bench_clients[$i]}
    echo "$name@$clients:"
    result=$("$runner" "$name" "$clients" "$strace_seconds" strace -c -f -o "$work/strace.$tool")
    bench_syscalls "$work/strace.$tool" "$(cut -d' ' -f2 <<<"$result")" "$tool"
    result=$(bench_clobber "$url" "$(bench_locking "$name")" "$clients" "$strace_seconds" \
      strace -c -f -o "$work/strace.clobber")
    bench_syscalls "$work/strace.clobber" "$(cut -d' ' -f2 <<<"$result")" clobber
  done
}
