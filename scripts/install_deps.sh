#!/usr/bin/env bash
# install_deps.sh: installs the Debian 12 packages clobber needs to build, test
# and benchmark (compiler, CMake, client libraries, GoogleTest/Benchmark,
# valijson, libxml2 (the JUnit XML test), PostgreSQL 15, MariaDB, Redis, sysbench,
# clang with libFuzzer for
# scripts/fuzz.sh, and Chromium, in which tests/html opens the HTML report
# headless). With --run-only, only what building and running the
# clobber binary needs (compiler, CMake, and the libraries it links: libpqxx
# and libpq, Connector/C++, hiredis, yaml-cpp, nlohmann-json, CLI11, fmt, SQLite): no
# server, no test or benchmark library. scripts/clobber uses --run-only;
# scripts/test.sh installs everything.
#
# Idempotent: when every package is already installed (checked with dpkg-query)
# it does nothing and exits 0. Otherwise, as root, it runs apt-get update and
# apt-get install; when not root it names the missing packages and exits 1.
# It never starts or enables a system database service: scripts/servers.sh
# starts clobber's own throwaway servers.
#
# Usage: scripts/install_deps.sh [-q|--quiet] [--run-only]
#   -q          print nothing when there is nothing to do
#   --run-only  only the packages that build and run build/clobber
set -euo pipefail

# What the clobber binary needs to build and run (CMakeLists.txt: every
# find_package and pkg_check_modules outside tests/ and bench/).
RUN_PACKAGES=(
  build-essential cmake pkg-config
  libpqxx-dev libmysqlcppconn-dev libhiredis-dev libyaml-cpp-dev libsqlite3-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev
)
# What the test suite, the benchmarks and the fuzzers need on top.
TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev libvalijson-dev
  libxml2-dev
  postgresql-15 postgresql-client-15
  mariadb-server mariadb-client
  redis-server
  sysbench
  clang libclang-rt-14-dev
  chromium
)

quiet=0
PACKAGES=("${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}")
for arg in "$@"; do
  case "$arg" in
    -q | --quiet) quiet=1 ;;
    --run-only) PACKAGES=("${RUN_PACKAGES[@]}") ;;
    -h | --help)
      sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install_deps.sh: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

say() {
  if [[ $quiet -eq 0 ]]; then
    echo "install_deps.sh: $*"
  fi
}

# Prints the packages of PACKAGES that dpkg does not report as installed.
missing_packages() {
  local pkg status
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "installed" ]]; then
      echo "$pkg"
    fi
  done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install_deps.sh: dpkg-query not found; this script supports Debian 12 (bookworm) only" >&2
  exit 1
fi

mapfile -t missing < <(missing_packages)
if [[ ${#missing[@]} -eq 0 ]]; then
  say "all ${#PACKAGES[@]} packages are installed; nothing to do"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install_deps.sh: missing packages: ${missing[*]}" >&2
  echo "install_deps.sh: run as root to install them: sudo bash $0" >&2
  exit 1
fi

echo "install_deps.sh: installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# The postgresql, mariadb-server and redis-server packages try to start their services. On a
# machine where policy-rc.d denies that (containers) or where there is no init
# system, the maintainer scripts still succeed; clobber never uses those
# services, it starts its own servers (scripts/servers.sh).
apt-get install -y --no-install-recommends "${PACKAGES[@]}"

mapfile -t still_missing < <(missing_packages)
if [[ ${#still_missing[@]} -ne 0 ]]; then
  echo "install_deps.sh: still missing after apt-get install: ${still_missing[*]}" >&2
  exit 1
fi
say "installed: ${missing[*]}"
