#!/usr/bin/env bash
# A private MariaDB server for the tests, from Debian's mariadb-server: its
# own data directory, Unix socket and loopback port (a free ephemeral one),
# nothing shared with a system server.
#
#   eval "$(scripts/mariadb-test-server.sh start)"   # prints export lines
#   scripts/mariadb-test-server.sh stop [DIR]        # DIR defaults to $DN_MARIADB_DIR
#   scripts/mariadb-test-server.sh resume DIR        # start it again after a kill
#
# start prints:
#   DN_MARIADB_DIR       the server's folder (data/, sock, pid, error.log)
#   DN_TEST_MARIADB_DSN  mariadb://dunning:…@127.0.0.1:PORT/dunning_test over TCP;
#                        the user may create and drop databases (the contract
#                        test makes one per test)
# DN_MARIADB_BUFFER_POOL and DN_MARIADB_LOG_FILE_SIZE (default 256M and 128M)
# size InnoDB's buffer pool and redo log (the benchmarks give it room for a
# million customers). Works as root (CI): the server runs with --user=root. Waits at most
# START_TIMEOUT seconds (default 60) for the server to answer; stop waits at
# most 30 seconds for it to end, then kills it.
set -euo pipefail

start_timeout=${START_TIMEOUT:-60}

die() { echo "mariadb-test-server: $*" >&2; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# launch DIR: runs mariadbd on DIR's data, socket and port (DIR/port) and
# waits until it answers, at most start_timeout seconds.
launch() {
  local dir=$1 port mariadbd=/usr/sbin/mariadbd
  port=$(cat "$dir/port")
  command -v mariadbd > /dev/null && mariadbd=$(command -v mariadbd)
  # the server detaches from this shell's job control; its pid goes to $dir/pid
  nohup "$mariadbd" --no-defaults --user=root --datadir="$dir/data" --tmpdir="$dir/tmp" \
    --socket="$dir/sock" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --pid-file="$dir/pid" --log-error="$dir/error.log" --skip-log-bin \
    --innodb-buffer-pool-size="${DN_MARIADB_BUFFER_POOL:-256M}" --innodb-flush-log-at-trx-commit=2 \
    --innodb-log-file-size="${DN_MARIADB_LOG_FILE_SIZE:-128M}" --max-connections=200 \
    < /dev/null > /dev/null 2>&1 &
  echo $! > "$dir/launcher.pid"
  local waited=0
  until mariadb-admin --no-defaults --socket="$dir/sock" -uroot ping > /dev/null 2>&1; do
    if ! kill -0 "$(cat "$dir/launcher.pid")" 2> /dev/null; then
      tail -20 "$dir/error.log" >&2 || true
      echo "mariadb-test-server: mariadbd exited during start-up (log: $dir/error.log)" >&2
      return 1
    fi
    if [ "$waited" -ge $((start_timeout * 10)) ]; then
      tail -20 "$dir/error.log" >&2 || true
      kill "$(cat "$dir/launcher.pid")" 2> /dev/null || true
      echo "mariadb-test-server: mariadbd did not answer within ${start_timeout}s" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

start() {
  command -v mariadbd > /dev/null || [ -x /usr/sbin/mariadbd ] || die "mariadbd is missing (apt-get install mariadb-server)"
  local dir port
  dir=$(mktemp -d /tmp/dn-mariadb-XXXXXX)
  mkdir -p "$dir/data" "$dir/tmp"
  if ! mariadb-install-db --no-defaults --datadir="$dir/data" --user=root \
      --auth-root-authentication-method=normal --skip-test-db > "$dir/install.log" 2>&1; then
    cat "$dir/install.log" >&2
    rm -rf "$dir"
    die "mariadb-install-db failed"
  fi
  port=$(free_port)
  echo "$port" > "$dir/port"
  launch "$dir" || { rm -rf "$dir"; exit 1; }
  local password="test-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  mariadb --no-defaults --socket="$dir/sock" -uroot <<SQL
CREATE USER 'dunning'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER 'dunning'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'dunning'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'dunning'@'localhost';
CREATE DATABASE dunning_test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
SQL
  echo "export DN_MARIADB_DIR='$dir'"
  echo "export DN_TEST_MARIADB_DSN='mariadb://dunning:$password@127.0.0.1:$port/dunning_test'"
}

stop() {
  local dir=${1:-${DN_MARIADB_DIR:-}}
  [ -n "$dir" ] || die "stop: which server? (give its folder or set DN_MARIADB_DIR)"
  [ -d "$dir" ] || return 0
  case "$dir" in /tmp/dn-mariadb-*) ;; *) die "stop: $dir is not a test server folder" ;; esac
  local pid=""
  [ -f "$dir/pid" ] && pid=$(cat "$dir/pid")
  [ -z "$pid" ] && [ -f "$dir/launcher.pid" ] && pid=$(cat "$dir/launcher.pid")
  if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
    kill -TERM "$pid" 2> /dev/null || true
    local waited=0
    while kill -0 "$pid" 2> /dev/null && [ "$waited" -lt 300 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -0 "$pid" 2> /dev/null && kill -KILL "$pid" 2> /dev/null || true
  fi
  rm -rf "$dir"
}

# resume DIR: starts a stopped (or crashed) server again on its data, socket
# and port, as the outage tests do after killing it.
resume() {
  local dir=${1:-}
  case "$dir" in /tmp/dn-mariadb-*) ;; *) die "resume: $dir is not a test server folder" ;; esac
  [ -f "$dir/port" ] || die "resume: $dir holds no server"
  launch "$dir" || exit 1
}

case "${1:-}" in
  start) start ;;
  resume) shift; resume "${1:-}" ;;
  stop) shift; stop "${1:-}" ;;
  *) echo "usage: $0 start | stop [DIR] | resume DIR" >&2; exit 2 ;;
esac
