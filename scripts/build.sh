#!/usr/bin/env bash
# build.sh: configures and builds clobber (binary, tests, benchmarks) with CMake.
#
# Usage: scripts/build.sh [BUILD_DIR] [CMAKE_ARG...]
#   BUILD_DIR   build directory, relative to the repository root unless absolute
#               (default: build). Taken only when the first argument does not
#               start with '-'.
#   CMAKE_ARG   passed to the configure step, e.g. -DCLOBBER_ASAN=ON
#
# Examples:
#   scripts/build.sh                                  # build/, RelWithDebInfo
#   scripts/build.sh build-asan -DCLOBBER_ASAN=ON     # sanitizer build
#   scripts/build.sh build-tsan -DCLOBBER_TSAN=ON
#
# Environment:
#   CLOBBER_BUILD_JOBS    parallel compile jobs (default 2)
#   CLOBBER_BUILD_TARGET  build only this target (default: everything)
#
# Configuring again is cheap and builds are incremental, so it is safe to run
# this before every test or run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

build_dir=build
if [[ $# -gt 0 && "$1" != -* ]]; then
  build_dir=$1
  shift
fi
if [[ "$build_dir" != /* ]]; then
  build_dir=$ROOT/$build_dir
fi
jobs=${CLOBBER_BUILD_JOBS:-2}

# The build type is RelWithDebInfo unless the caller passes another one.
build_type=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
for arg in "$@"; do
  if [[ "$arg" == -DCMAKE_BUILD_TYPE=* ]]; then
    build_type=()
  fi
done

echo "build.sh: configuring $build_dir" >&2
cmake -S "$ROOT" -B "$build_dir" "${build_type[@]}" "$@"

target_args=()
if [[ -n "${CLOBBER_BUILD_TARGET:-}" ]]; then
  target_args=(--target "$CLOBBER_BUILD_TARGET")
fi
echo "build.sh: building $build_dir ${target_args[*]} with $jobs jobs" >&2
cmake --build "$build_dir" -j "$jobs" "${target_args[@]}"
