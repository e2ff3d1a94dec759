#!/usr/bin/env bash
# A PostgreSQL primary and its hot standby on this machine, for the read-replica tests and
# bench: `scripts/replica_pair.sh start|stop|status` (also `stop-standby` / `start-standby`,
# which the tests use to take the standby away and bring it back).
#
# Uses Debian's own PostgreSQL binaries (/usr/lib/postgresql/<version>/bin) and runs the
# servers as the `postgres` user, so it must be started as root or as postgres. Both servers
# listen on 127.0.0.1 only and trust local TCP connections: they hold test data, nothing else.
#
#   primary  port ${REPLICA_PAIR_PRIMARY_PORT:-5433}  data ${REPLICA_PAIR_DIR:-/tmp/commerce-stats-pg}-primary
#   standby  port ${REPLICA_PAIR_STANDBY_PORT:-5434}  data ${REPLICA_PAIR_DIR:-/tmp/commerce-stats-pg}-standby
#
# `start` is idempotent: a server that already answers is left as it is.
set -euo pipefail

BASE_DIR=${REPLICA_PAIR_DIR:-/tmp/commerce-stats-pg}
PRIMARY_DIR="$BASE_DIR-primary"
STANDBY_DIR="$BASE_DIR-standby"
PRIMARY_PORT=${REPLICA_PAIR_PRIMARY_PORT:-5433}
STANDBY_PORT=${REPLICA_PAIR_STANDBY_PORT:-5434}
HOST=127.0.0.1

pg_bin() {
  local version
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    echo "replica_pair: no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2
    exit 1
  fi
  echo "/usr/lib/postgresql/$version/bin"
}

BIN=$(pg_bin)

as_postgres() {
  if [ "$(id -un)" = "postgres" ]; then
    "$@"
  else
    # -s: postgres may have no login shell; cd /: its home may not be readable from here
    (cd / && su postgres -s /bin/bash -c "$(printf '%q ' "$@")")
  fi
}

answers() { "$BIN/pg_isready" -q -h "$HOST" -p "$1"; }

wait_until_answers() {
  local port=$1
  for _ in $(seq 1 60); do
    answers "$port" && return 0
    sleep 0.5
  done
  echo "replica_pair: the server on port $port did not answer" >&2
  return 1
}

log_file() { echo "$BASE_DIR-$1.log"; }

init_primary() {
  [ -f "$PRIMARY_DIR/PG_VERSION" ] && return 0
  echo "replica_pair: initdb of the primary in $PRIMARY_DIR"
  # a standby copied from an earlier primary cannot follow a new one
  stop_server "$STANDBY_DIR"
  rm -rf "$STANDBY_DIR"
  mkdir -p "$PRIMARY_DIR"
  chown postgres: "$PRIMARY_DIR" 2>/dev/null || true
  chmod 700 "$PRIMARY_DIR"
  as_postgres "$BIN/initdb" -D "$PRIMARY_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$PRIMARY_DIR/postgresql.conf" <<EOF

# commerce-stats replica pair
listen_addresses = '$HOST'
port = $PRIMARY_PORT
unix_socket_directories = '/tmp'
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
wal_keep_size = '256MB'
hot_standby = on
hot_standby_feedback = on
max_connections = 200
shared_buffers = '128MB'
fsync = on
EOF
  cat >"$PRIMARY_DIR/pg_hba.conf" <<EOF
# commerce-stats replica pair: loopback only
local all all trust
host replication all 127.0.0.1/32 trust
host all all 127.0.0.1/32 trust
EOF
}

start_primary() {
  answers "$PRIMARY_PORT" && return 0
  init_primary
  touch "$(log_file primary)" && chown postgres: "$(log_file primary)" 2>/dev/null || true
  as_postgres "$BIN/pg_ctl" -D "$PRIMARY_DIR" -l "$(log_file primary)" -w start >/dev/null
  wait_until_answers "$PRIMARY_PORT"
}

init_standby() {
  [ -f "$STANDBY_DIR/PG_VERSION" ] && return 0
  echo "replica_pair: pg_basebackup of the standby into $STANDBY_DIR"
  mkdir -p "$STANDBY_DIR"
  chown postgres: "$STANDBY_DIR" 2>/dev/null || true
  chmod 700 "$STANDBY_DIR"
  as_postgres "$BIN/pg_basebackup" -h "$HOST" -p "$PRIMARY_PORT" -U postgres -D "$STANDBY_DIR" -R -X stream
  # the copy carries the primary's port; the standby listens on its own
  cat >>"$STANDBY_DIR/postgresql.conf" <<EOF

# commerce-stats replica pair: the standby
port = $STANDBY_PORT
EOF
}

start_standby() {
  answers "$STANDBY_PORT" && return 0
  init_standby
  touch "$(log_file standby)" && chown postgres: "$(log_file standby)" 2>/dev/null || true
  as_postgres "$BIN/pg_ctl" -D "$STANDBY_DIR" -l "$(log_file standby)" -w start >/dev/null
  wait_until_answers "$STANDBY_PORT"
}

stop_server() {
  local dir=$1
  if [ -f "$dir/postmaster.pid" ]; then
    as_postgres "$BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
}

status() {
  local code=0
  if answers "$PRIMARY_PORT"; then echo "primary: answering on $HOST:$PRIMARY_PORT"; else echo "primary: down"; code=1; fi
  if answers "$STANDBY_PORT"; then echo "standby: answering on $HOST:$STANDBY_PORT"; else echo "standby: down"; code=1; fi
  return $code
}

case "${1:-}" in
  start)
    start_primary
    start_standby
    status
    ;;
  stop)
    stop_server "$STANDBY_DIR"
    stop_server "$PRIMARY_DIR"
    ;;
  stop-standby) stop_server "$STANDBY_DIR" ;;
  start-standby) start_standby ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status|stop-standby|start-standby" >&2
    exit 2
    ;;
esac
