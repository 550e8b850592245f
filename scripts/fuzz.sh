#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets of tests/fuzz with clang (AddressSanitizer
# and UndefinedBehaviorSanitizer) in their own build directory, and runs each for
# a bounded time over its corpus (tests/fuzz/corpus/TARGET). Exits non-zero when
# a target finds a crash, an uncaught exception other than InputError, a
# sanitizer report, a leak or a hang; the input is written to the build
# directory (crash-*, timeout-*, leak-*) and named in the output.
#
#   bash scripts/fuzz.sh                 # every target, CLOBBER_FUZZ_SECONDS each
#   bash scripts/fuzz.sh expression      # one target
#
# Environment:
#   CLOBBER_FUZZ_SECONDS   run time per target (default 20)
#   CLOBBER_FUZZ_BUILD     build directory (default build-fuzz)
#   CLOBBER_BUILD_JOBS     parallel compile jobs (default 2)
# New inputs the fuzzer finds stay in the build directory; the corpus kept in
# the repository only grows by hand (docs/fuzzing.md).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${CLOBBER_FUZZ_SECONDS:-20}
build_dir=${CLOBBER_FUZZ_BUILD:-$ROOT/build-fuzz}
jobs=${CLOBBER_BUILD_JOBS:-2}
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(workload scenario expression)
fi

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ is missing (scripts/install_deps.sh installs it)" >&2
  exit 1
fi

cmake -S "$ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCLOBBER_FUZZ=ON -DCLOBBER_BUILD_TESTS=OFF -DCLOBBER_BUILD_BENCH=OFF >/dev/null
fuzzers=()
for target in "${targets[@]}"; do
  fuzzers+=("${target}_fuzzer")
done
echo "fuzz.sh: building ${fuzzers[*]} in $build_dir" >&2
cmake --build "$build_dir" -j "$jobs" --target "${fuzzers[@]}"

status=0
for target in "${targets[@]}"; do
  work=$build_dir/fuzz-$target
  mkdir -p "$work/corpus"
  echo "fuzz.sh: running $target for ${seconds}s" >&2
  dict=$ROOT/tests/fuzz/loaders.dict
  if [[ $target == expression ]]; then
    dict=$ROOT/tests/fuzz/expression.dict
  fi
  # New inputs go to the build directory's corpus; the repository's is read only.
  if ! (cd "$work" && "$build_dir/tests/fuzz/${target}_fuzzer" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 -dict="$dict" \
    -artifact_prefix="$work/" corpus "$ROOT/tests/fuzz/corpus/$target" \
    >"$work/log" 2>&1); then
    echo "fuzz.sh: $target FAILED; the input is in $work (log: $work/log):" >&2
    grep -E "ERROR|SUMMARY|Test unit written|terminate called|what\(\)" "$work/log" >&2 || tail -30 "$work/log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$work/log" | tail -2 >&2 || true
  fi
done
if [[ $status -eq 0 ]]; then
  echo "fuzz.sh: ${#targets[@]} targets ran ${seconds}s each without a finding" >&2
fi
exit "$status"
