#!/usr/bin/env bash
# servers.sh: throwaway PostgreSQL 15, MariaDB and Redis servers for clobber's
# integration tests, benchmarks and CI, on loopback, in a temporary directory.
#
# Usage: scripts/servers.sh start|stop|status|env|restart pg|mysql
#   start   initialise (first time) and start the three servers, wait until
#           they answer, create the database clobber_test in PostgreSQL and
#           MariaDB (Redis uses its database 0). Idempotent: a server that is
#           already running is left as it is.
#   stop    stop the three servers and remove the directory.
#   restart pg|mysql|redis
#           stop one running server and start it again on the same data (for
#           fault tests, on a private CLOBBER_SERVER_DIR and ports).
#   status  say whether each server is running; exit 0 only when all three are.
#   env     print the export lines of the test database URLs:
#             eval "$(scripts/servers.sh env)"
#
# Environment:
#   CLOBBER_SERVER_DIR      directory of data, sockets and logs
#                           (default /tmp/clobber-servers-$USER)
#   CLOBBER_PG_PORT         PostgreSQL TCP port on 127.0.0.1 (default 15432)
#   CLOBBER_MYSQL_PORT      MariaDB TCP port on 127.0.0.1 (default 13306)
#   CLOBBER_REDIS_PORT      Redis TCP port on 127.0.0.1 (default 16379)
#   CLOBBER_SERVER_TIMEOUT  seconds to wait for a server to answer (default 60)
#   CLOBBER_MAX_CONNECTIONS connections each server accepts (default 600; set
#                           when a new CLOBBER_SERVER_DIR is initialised)
#
# PostgreSQL: /usr/lib/postgresql/15/bin, initdb -A trust (superuser postgres,
# no password), run as the user `postgres` when this script runs as root.
# MariaDB: mariadbd --no-defaults --user=root (or the current user), root with
# no password over the socket and over TCP from 127.0.0.1.
# Redis: redis-server with no configuration file, --bind 127.0.0.1
# --protected-mode yes, no password, no persistence (no RDB, no AOF), its
# working directory, pid file and log in the directory.
# Only the three ports above and the directory are used: no system service, no
# file under /etc, /var or /run is touched.
set -euo pipefail

ME=$(id -un)
SERVER_DIR=${CLOBBER_SERVER_DIR:-/tmp/clobber-servers-${USER:-$ME}}
PG_PORT=${CLOBBER_PG_PORT:-15432}
MYSQL_PORT=${CLOBBER_MYSQL_PORT:-13306}
REDIS_PORT=${CLOBBER_REDIS_PORT:-16379}
MAX_CONNECTIONS=${CLOBBER_MAX_CONNECTIONS:-600}
TIMEOUT=${CLOBBER_SERVER_TIMEOUT:-60}
DB_NAME=clobber_test

PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR=$SERVER_DIR/pg              # owned by the PostgreSQL user; holds the socket
PG_DATA=$PG_DIR/data
PG_LOG=$PG_DIR/server.log

MY_DIR=$SERVER_DIR/mysql
MY_DATA=$MY_DIR/data
MY_SOCKET=$MY_DIR/mysqld.sock
MY_PID=$MY_DIR/mariadbd.pid
MY_LOG=$MY_DIR/error.log

RD_DIR=$SERVER_DIR/redis
RD_PID=$RD_DIR/redis.pid
RD_LOG=$RD_DIR/redis.log

for port in "$PG_PORT" "$MYSQL_PORT" "$REDIS_PORT"; do
  if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    echo "servers.sh: error: bad port '$port' (CLOBBER_PG_PORT / CLOBBER_MYSQL_PORT / CLOBBER_REDIS_PORT)" >&2
    exit 2
  fi
done
if ! [[ "$MAX_CONNECTIONS" =~ ^[0-9]+$ ]] || ((MAX_CONNECTIONS < 10)); then
  echo "servers.sh: error: bad CLOBBER_MAX_CONNECTIONS '$MAX_CONNECTIONS'" >&2
  exit 2
fi
if ! [[ "$TIMEOUT" =~ ^[0-9]+$ ]]; then
  echo "servers.sh: error: CLOBBER_SERVER_TIMEOUT must be a number of seconds" >&2
  exit 2
fi

# Starts tried, 2 s apart, while the port is held by another socket: a closed
# client connection can hold its local port for 60 s (TIME_WAIT).
BIND_ATTEMPTS=$((TIMEOUT / 2 + 1))

# A file that marks the directory as ours: `stop` removes only such a directory.
MARKER=$SERVER_DIR/.clobber-servers

log() { echo "servers.sh: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Prints the last lines of a server log, for a failure message.
log_tail() {
  local file=$1
  if [[ -f "$file" ]]; then
    log "last lines of $file:"
    tail -n 30 "$file" | sed 's/^/    /' >&2
  else
    log "(no log at $file)"
  fi
}

# True when process $1 exists and is not a zombie waiting to be reaped.
alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
  [[ "$state" != Z ]]
}

# Waits until process $1 has gone entirely (a killed server can stay a zombie
# for a moment, and PostgreSQL refuses to start while its old pid exists).
wait_gone() {
  local waited=0
  while kill -0 "$1" 2>/dev/null; do
    if ((waited >= TIMEOUT * 10)); then
      die "process $1 (an earlier server) has not gone after ${TIMEOUT}s"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# Size in bytes of file $1 (0 when missing).
file_size() {
  if [[ -f "$1" ]]; then
    wc -c <"$1"
  else
    echo 0
  fi
}

# True when server log $1, past its first $2 bytes, says the port was in use.
# The default ports lie below Linux's ephemeral range (32768-60999), so no
# outgoing connection takes them; a port chosen by hand inside that range can be
# held for a while (up to TIME_WAIT's 60 s), which is why a start retries.
bind_conflict() {
  tail -c "+$(($2 + 1))" "$1" 2>/dev/null | grep -q -i 'address already in use'
}

# Starts a server with LAUNCH (a function that sets the variable named
# LAUNCHED to the server's pid) and waits until PING answers. NAME is for
# messages, PORT its port and PORT_VAR the variable that sets it, LOG its log.
# A server that exits because another socket holds the port for a moment (a
# client's local port) is launched again, for up to TIMEOUT seconds.
launch_until_ready() {
  local name=$1 port=$2 port_var=$3 log_file=$4 launch=$5 ping=$6 launched=$7
  local attempt=1 log_size pid waited=0
  log "starting $name on 127.0.0.1:$port"
  log_size=$(file_size "$log_file")
  "$launch"
  pid=${!launched}
  until "$ping"; do
    if ! alive "$pid"; then
      if ((attempt < BIND_ATTEMPTS)) && bind_conflict "$log_file" "$log_size"; then
        if ((attempt == 1)); then
          log "port $port is held by another socket (a client's local port?); retrying for up to ${TIMEOUT}s"
        fi
        sleep 2
        attempt=$((attempt + 1))
        log_size=$(file_size "$log_file")
        "$launch"
        pid=${!launched}
        waited=0
        continue
      fi
      log_tail "$log_file"
      if bind_conflict "$log_file" "$log_size"; then
        die "$name could not bind 127.0.0.1:$port (in use); set $port_var to another port"
      fi
      die "$name exited during startup"
    fi
    if ((waited >= TIMEOUT * 2)); then
      log_tail "$log_file"
      kill -TERM "$pid" 2>/dev/null || true
      die "$name on 127.0.0.1:$port not ready after ${TIMEOUT}s"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# --- PostgreSQL -------------------------------------------------------------

# The OS user the PostgreSQL server runs as: `postgres` when we are root.
if [[ $(id -u) -eq 0 ]]; then
  PG_OS_USER=postgres
else
  PG_OS_USER=$ME
fi

# Runs a PostgreSQL server command as PG_OS_USER, from a directory it can read.
pg_run() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$PG_DIR" && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd "$PG_DIR" && "$@")
  fi
}

pg_psql() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}

# Prints the pid of our postmaster when it is alive.
pg_pid() {
  local pid
  [[ -f "$PG_DATA/postmaster.pid" ]] || return 1
  pid=$(head -n 1 "$PG_DATA/postmaster.pid")
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" && echo "$pid"
}

pg_running() {
  pg_pid >/dev/null
}

pg_init() {
  [[ -x "$PG_BIN/initdb" ]] || die "PostgreSQL 15 not found in $PG_BIN (run scripts/install_deps.sh)"
  if [[ $(id -u) -eq 0 ]] && ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    die "user '$PG_OS_USER' does not exist (the postgresql-15 package creates it; run scripts/install_deps.sh)"
  fi
  rm -rf "$PG_DIR"
  mkdir -p "$PG_DIR"
  chmod 700 "$PG_DIR"
  if [[ $(id -u) -eq 0 ]]; then
    chown "$PG_OS_USER:" "$PG_DIR"
  fi
  log "initialising PostgreSQL in $PG_DATA"
  if ! pg_run "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C \
    >"$PG_DIR/initdb.log" 2>&1; then
    log_tail "$PG_DIR/initdb.log"
    die "PostgreSQL initdb failed"
  fi
  # Settings for a throwaway test server; later lines win over initdb's defaults.
  pg_run tee -a "$PG_DATA/postgresql.conf" >/dev/null <<EOF

# --- clobber throwaway test server (scripts/servers.sh) ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = $MAX_CONNECTIONS
shared_buffers = 128MB
logging_collector = off
EOF
  touch "$PG_DIR/.initialised"
}

pg_start() {
  if pg_running; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    if [[ ! -f "$PG_DIR/.initialised" ]]; then
      pg_init
    fi
    if port_in_use "$PG_PORT"; then
      die "port $PG_PORT is already in use by another process; set CLOBBER_PG_PORT to a free port"
    fi
    local old_pid
    old_pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
    if [[ "$old_pid" =~ ^[0-9]+$ ]]; then
      wait_gone "$old_pid"
    fi
    local attempt log_size
    log "starting PostgreSQL 15 on 127.0.0.1:$PG_PORT"
    for attempt in $(seq 1 "$BIND_ATTEMPTS"); do
      log_size=$(file_size "$PG_LOG")
      if pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$TIMEOUT" start \
        >"$PG_DIR/pg_ctl.out" 2>&1; then
        break
      fi
      if ((attempt < BIND_ATTEMPTS)) && bind_conflict "$PG_LOG" "$log_size"; then
        if ((attempt == 1)); then
          log "port $PG_PORT is held by another socket (a client's local port?); retrying for up to ${TIMEOUT}s"
        fi
        sleep 2
        continue
      fi
      sed 's/^/    /' "$PG_DIR/pg_ctl.out" >&2
      log_tail "$PG_LOG"
      if bind_conflict "$PG_LOG" "$log_size"; then
        die "PostgreSQL could not bind 127.0.0.1:$PG_PORT (in use); set CLOBBER_PG_PORT to another port"
      fi
      die "PostgreSQL failed to start (or was not ready within ${TIMEOUT}s)"
    done
  fi
  local waited=0
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -t 2; do
    if ((waited >= TIMEOUT)); then
      log_tail "$PG_LOG"
      die "PostgreSQL on 127.0.0.1:$PG_PORT not ready after ${TIMEOUT}s"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  if [[ -z $(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
    pg_psql -d postgres -c "CREATE DATABASE $DB_NAME" || die "could not create PostgreSQL database $DB_NAME"
  fi
  log "PostgreSQL ready: postgresql://postgres@127.0.0.1:$PG_PORT/$DB_NAME"
}

pg_stop() {
  if pg_running; then
    log "stopping PostgreSQL"
    if ! pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$TIMEOUT" stop >/dev/null 2>&1; then
      log "PostgreSQL did not stop in ${TIMEOUT}s; stopping it immediately"
      pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t "$TIMEOUT" stop >/dev/null 2>&1 || true
    fi
  fi
  if pg_running; then
    log_tail "$PG_LOG"
    die "could not stop PostgreSQL (data directory $PG_DATA)"
  fi
}

# --- MariaDB ----------------------------------------------------------------

# mariadbd refuses to run as root unless told to; elsewhere it runs as us.
MY_OS_USER=$ME

my_client_args=(--no-defaults --protocol=socket --socket="$MY_SOCKET" -uroot)

# Prints the pid of our mariadbd when it is alive.
my_pid() {
  local pid
  [[ -f "$MY_PID" ]] || return 1
  pid=$(<"$MY_PID")
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" && echo "$pid"
}

my_ping() {
  mariadb-admin "${my_client_args[@]}" --connect-timeout=2 ping >/dev/null 2>&1
}

my_running() {
  my_pid >/dev/null && my_ping
}

my_init() {
  command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]] ||
    die "mariadbd not found (run scripts/install_deps.sh)"
  command -v mariadb-install-db >/dev/null 2>&1 || die "mariadb-install-db not found (run scripts/install_deps.sh)"
  rm -rf "$MY_DIR"
  mkdir -p "$MY_DATA" "$MY_DIR/tmp"
  chmod 700 "$MY_DIR"
  log "initialising MariaDB in $MY_DATA"
  # --no-defaults: nothing from /etc/mysql (its socket and pid file are in /run).
  # normal root authentication: root@localhost with no password, whoever we are.
  if ! mariadb-install-db --no-defaults --user="$MY_OS_USER" --datadir="$MY_DATA" \
    --auth-root-authentication-method=normal --skip-test-db \
    >"$MY_DIR/install-db.log" 2>&1; then
    log_tail "$MY_DIR/install-db.log"
    die "mariadb-install-db failed"
  fi
  touch "$MY_DIR/.initialised"
}

# Starts mariadbd in the background; its pid goes to MY_LAUNCHED.
my_launch() {
  local mariadbd=mariadbd
  command -v mariadbd >/dev/null 2>&1 || mariadbd=/usr/sbin/mariadbd
  # setsid: the server outlives this script and the shell's job control.
  setsid "$mariadbd" --no-defaults --user="$MY_OS_USER" --datadir="$MY_DATA" \
    --port="$MYSQL_PORT" --bind-address=127.0.0.1 --socket="$MY_SOCKET" \
    --pid-file="$MY_PID" --log-error="$MY_LOG" --tmpdir="$MY_DIR/tmp" \
    --max-connections="$MAX_CONNECTIONS" --innodb-buffer-pool-size=128M --skip-name-resolve --port-open-timeout="$TIMEOUT" \
    </dev/null >>"$MY_LOG" 2>&1 &
  MY_LAUNCHED=$!
}

my_start() {
  local pid
  if my_running; then
    log "MariaDB already running on 127.0.0.1:$MYSQL_PORT"
  else
    if pid=$(my_pid); then
      die "a mariadbd (pid $pid) is running on $MY_DATA but does not answer; run '$0 stop' first"
    fi
    if [[ ! -f "$MY_DIR/.initialised" ]]; then
      my_init
    fi
    pid=$(cat "$MY_PID" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]]; then
      wait_gone "$pid"
    fi
    if port_in_use "$MYSQL_PORT"; then
      die "port $MYSQL_PORT is already in use by another process; set CLOBBER_MYSQL_PORT to a free port"
    fi
    launch_until_ready MariaDB "$MYSQL_PORT" CLOBBER_MYSQL_PORT "$MY_LOG" my_launch my_ping MY_LAUNCHED
  fi
  # TCP access for clients (clobber, sysbench): root@127.0.0.1 without password.
  if ! mariadb "${my_client_args[@]}" -e "
      CREATE DATABASE IF NOT EXISTS $DB_NAME;
      CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
      GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
      FLUSH PRIVILEGES;" 2>"$MY_DIR/setup.err"; then
    cat "$MY_DIR/setup.err" >&2
    die "could not set up MariaDB database $DB_NAME"
  fi
  if ! mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$MYSQL_PORT" -uroot \
    -e "SELECT 1" "$DB_NAME" >/dev/null 2>"$MY_DIR/setup.err"; then
    cat "$MY_DIR/setup.err" >&2
    die "MariaDB does not accept root over TCP on 127.0.0.1:$MYSQL_PORT"
  fi
  log "MariaDB ready: mysql://root@127.0.0.1:$MYSQL_PORT/$DB_NAME"
}

my_stop() {
  local pid waited=0
  pid=$(my_pid) || return 0
  log "stopping MariaDB"
  mariadb-admin "${my_client_args[@]}" --connect-timeout=5 shutdown >/dev/null 2>&1 ||
    kill -TERM "$pid" 2>/dev/null || true
  while alive "$pid"; do
    if ((waited >= TIMEOUT * 2)); then
      log "MariaDB (pid $pid) did not stop in ${TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  if alive "$pid"; then
    die "could not stop MariaDB (pid $pid)"
  fi
}

# --- Redis ------------------------------------------------------------------

rd_cli() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

# Prints the pid of our redis-server when it is alive.
rd_pid() {
  local pid
  [[ -f "$RD_PID" ]] || return 1
  pid=$(<"$RD_PID")
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" && echo "$pid"
}

rd_ping() {
  [[ $(rd_cli ping 2>/dev/null) == PONG ]]
}

rd_running() {
  rd_pid >/dev/null && rd_ping
}

# Starts redis-server in the background; its pid goes to RD_LAUNCHED.
rd_launch() {
  # No configuration file: every setting is on the command line. --save ""
  # and --appendonly no: nothing is written but the log and the pid file.
  setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes \
    --dir "$RD_DIR" --pidfile "$RD_PID" --logfile "$RD_LOG" --daemonize no \
    --save "" --appendonly no --maxclients "$((MAX_CONNECTIONS * 2))" \
    </dev/null >>"$RD_LOG" 2>&1 &
  RD_LAUNCHED=$!
}

rd_start() {
  local pid
  if rd_running; then
    log "Redis already running on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  command -v redis-server >/dev/null 2>&1 || die "redis-server not found (run scripts/install_deps.sh)"
  command -v redis-cli >/dev/null 2>&1 || die "redis-cli not found (run scripts/install_deps.sh)"
  if pid=$(rd_pid); then
    die "a redis-server (pid $pid) is running on $RD_DIR but does not answer; run '$0 stop' first"
  fi
  if port_in_use "$REDIS_PORT"; then
    die "port $REDIS_PORT is already in use by another process; set CLOBBER_REDIS_PORT to a free port"
  fi
  mkdir -p "$RD_DIR"
  chmod 700 "$RD_DIR"
  launch_until_ready Redis "$REDIS_PORT" CLOBBER_REDIS_PORT "$RD_LOG" rd_launch rd_ping RD_LAUNCHED
  log "Redis ready: redis://127.0.0.1:$REDIS_PORT/0"
}

rd_stop() {
  local pid waited=0
  pid=$(rd_pid) || return 0
  log "stopping Redis"
  rd_cli shutdown nosave >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  while alive "$pid"; do
    if ((waited >= TIMEOUT * 2)); then
      log "Redis (pid $pid) did not stop in ${TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  if alive "$pid"; then
    die "could not stop Redis (pid $pid)"
  fi
}

# --- the directory ----------------------------------------------------------

# Creates SERVER_DIR, or checks that an existing one is ours.
prepare_dir() {
  if [[ -L "$SERVER_DIR" ]]; then
    die "$SERVER_DIR is a symbolic link; refusing to use it"
  fi
  if [[ -d "$SERVER_DIR" ]]; then
    [[ -O "$SERVER_DIR" ]] || die "$SERVER_DIR belongs to another user; set CLOBBER_SERVER_DIR"
    if [[ ! -f "$MARKER" ]] && [[ -n $(ls -A "$SERVER_DIR") ]]; then
      die "$SERVER_DIR exists and was not made by servers.sh; set CLOBBER_SERVER_DIR"
    fi
  else
    mkdir -p "$SERVER_DIR"
  fi
  # Traversable by the postgres user, which owns the pg/ subdirectory.
  chmod 755 "$SERVER_DIR"
  touch "$MARKER"
}

print_env() {
  echo "export CLOBBER_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PG_PORT/$DB_NAME"
  echo "export CLOBBER_TEST_MYSQL_URL=mysql://root@127.0.0.1:$MYSQL_PORT/$DB_NAME"
  echo "export CLOBBER_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

cmd_start() {
  prepare_dir
  pg_start
  my_start
  rd_start
}

cmd_stop() {
  if [[ ! -d "$SERVER_DIR" ]]; then
    log "nothing to stop ($SERVER_DIR does not exist)"
    return 0
  fi
  if [[ ! -f "$MARKER" ]]; then
    die "$SERVER_DIR was not made by servers.sh; not touching it"
  fi
  local status=0
  (pg_stop) || status=1
  (my_stop) || status=1
  (rd_stop) || status=1
  if [[ $status -ne 0 ]]; then
    die "a server did not stop; $SERVER_DIR kept for inspection"
  fi
  rm -rf "$SERVER_DIR"
  log "stopped; removed $SERVER_DIR"
}

cmd_restart() {
  [[ -f "$MARKER" ]] || die "$SERVER_DIR was not made by servers.sh; not touching it"
  case "${1:-}" in
    pg) pg_stop && pg_start ;;
    mysql) my_stop && my_start ;;
    redis) rd_stop && rd_start ;;
    *) die "restart takes pg, mysql or redis" ;;
  esac
}

cmd_status() {
  local status=0
  if [[ -d "$PG_DIR" ]] && pg_running; then
    echo "PostgreSQL: running on 127.0.0.1:$PG_PORT ($PG_DATA)"
  else
    echo "PostgreSQL: not running"
    status=1
  fi
  if my_running; then
    echo "MariaDB: running on 127.0.0.1:$MYSQL_PORT ($MY_DATA)"
  else
    echo "MariaDB: not running"
    status=1
  fi
  if rd_running; then
    echo "Redis: running on 127.0.0.1:$REDIS_PORT ($RD_DIR)"
  else
    echo "Redis: not running"
    status=1
  fi
  return $status
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) print_env ;;
  restart) cmd_restart "${2:-}" ;;
  -h | --help | help)
    sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    echo "usage: $0 start|stop|status|env|restart pg|mysql|redis" >&2
    exit 2
    ;;
esac
