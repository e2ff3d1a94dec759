#!/usr/bin/env bash
# A two-shard ClickHouse cluster on this machine, for the video ClickHouse tests and bench.
#
#   scripts/clickhouse_cluster.sh start    install if missing, start ZooKeeper and both servers
#   scripts/clickhouse_cluster.sh stop     stop both servers and ZooKeeper
#   scripts/clickhouse_cluster.sh status   exit 0 when ZooKeeper and both servers answer
#   scripts/clickhouse_cluster.sh stop-shard N / start-shard N   one server (fault tests)
#
# Every command is idempotent. Layout (override the root with CLICKHOUSE_CLUSTER_DIR):
#   shard N: tcp 910N, http 812(3+N), interserver 901N, data in $ROOT/shardN
#   ZooKeeper: 127.0.0.1:2191, data in $ROOT/zookeeper
# The cluster is named by CLICKHOUSE_CLUSTER_NAME (default commerce_stats).
set -euo pipefail

ROOT=${CLICKHOUSE_CLUSTER_DIR:-/tmp/commerce-stats-clickhouse}
CLUSTER=${CLICKHOUSE_CLUSTER_NAME:-commerce_stats}
ZK_PORT=2191
SHARDS=(1 2)

tcp_port() { echo $((9100 + $1)); }
http_port() { echo $((8123 + $1)); }
interserver_port() { echo $((9010 + $1)); }

install_if_missing() {
  if [ -x /usr/sbin/clickhouse-server ] && [ -f /usr/share/java/zookeeper.jar ]; then
    return
  fi
  echo "installing Debian's clickhouse-server, clickhouse-client and zookeeper"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends clickhouse-server clickhouse-client zookeeper \
    >/dev/null || { apt-get update -qq && apt-get install -y --no-install-recommends \
    clickhouse-server clickhouse-client zookeeper >/dev/null; }
}

is_running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_zookeeper_config() {
  local dir=$ROOT/zookeeper
  mkdir -p "$dir/data" "$dir/conf"
  cat >"$dir/conf/zoo.cfg" <<EOF
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,stat
EOF
  cat >"$dir/conf/log4j.properties" <<EOF
log4j.rootLogger=WARN, FILE
log4j.appender.FILE=org.apache.log4j.FileAppender
log4j.appender.FILE.File=$dir/zookeeper.log
log4j.appender.FILE.layout=org.apache.log4j.PatternLayout
log4j.appender.FILE.layout.ConversionPattern=%d %p %c: %m%n
EOF
}

zookeeper_answers() {
  # "ruok" over the client port; bash's /dev/tcp keeps this free of netcat.
  local answer
  answer=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$ZK_PORT && printf ruok >&3 && cat <&3" \
    2>/dev/null || true)
  [ "$answer" = "imok" ]
}

start_zookeeper() {
  local dir=$ROOT/zookeeper
  if is_running "$dir/pid" && zookeeper_answers; then return; fi
  write_zookeeper_config
  nohup java -Xmx256m -cp "$dir/conf:/usr/share/java/zookeeper.jar:/usr/share/java/*" \
    -Dzookeeper.log.dir="$dir" org.apache.zookeeper.server.quorum.QuorumPeerMain \
    "$dir/conf/zoo.cfg" >"$dir/stdout.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 60); do zookeeper_answers && return; sleep 0.5; done
  echo "ZooKeeper did not answer on 127.0.0.1:$ZK_PORT (see $dir/zookeeper.log)" >&2
  return 1
}

remote_servers() {
  echo "<remote_servers><$CLUSTER>"
  for n in "${SHARDS[@]}"; do
    echo "<shard><internal_replication>true</internal_replication><replica>"
    echo "<host>127.0.0.1</host><port>$(tcp_port "$n")</port></replica></shard>"
  done
  echo "</$CLUSTER></remote_servers>"
}

write_server_config() {
  local n=$1 dir=$ROOT/shard$1
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/log"
  cat >"$dir/users.xml" <<EOF
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default>
    <password></password>
    <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota>
  </default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
EOF
  cat >"$dir/config.xml" <<EOF
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log>
    <errorlog>$dir/log/error.log</errorlog><size>100M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$(http_port "$n")</http_port>
  <tcp_port>$(tcp_port "$n")</tcp_port>
  <interserver_http_port>$(interserver_port "$n")</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_connections>512</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  $(remote_servers)
  <zookeeper><node><host>127.0.0.1</host><port>$ZK_PORT</port></node>
    <session_timeout_ms>10000</session_timeout_ms></zookeeper>
  <macros><shard>$n</shard><replica>r1</replica><cluster>$CLUSTER</cluster></macros>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
EOF
}

server_answers() {
  [ "$(curl -s --max-time 2 "http://127.0.0.1:$(http_port "$1")/ping" 2>/dev/null)" = "Ok." ]
}

launch_shard() {
  local dir=$ROOT/shard$1
  # started from this shell (no subshell in between), so the pid file names the server
  nohup /usr/sbin/clickhouse-server --config-file="$dir/config.xml" \
    >>"$dir/log/stdout.log" 2>&1 &
  echo $! >"$dir/pid"
}

start_shard() {
  local n=$1 dir=$ROOT/shard$1 launches=1
  if is_running "$dir/pid" && server_answers "$n"; then return; fi
  write_server_config "$n"
  launch_shard "$n"
  # A server that finds ZooKeeper not serving sessions yet exits while loading its
  # replicated tables: launch it again (a few times). After an unclean stop it may also
  # wait for its old ZooKeeper session to expire before answering.
  for _ in $(seq 1 180); do
    server_answers "$n" && return
    if ! is_running "$dir/pid" && [ "$launches" -lt 6 ]; then
      sleep 1
      launch_shard "$n"
      launches=$((launches + 1))
    fi
    sleep 0.5
  done
  echo "ClickHouse shard $n did not answer on http port $(http_port "$n") (see $dir/log)" >&2
  return 1
}

stop_pid() {
  local pidfile=$1
  if is_running "$pidfile"; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
}

status() {
  local healthy=0
  if zookeeper_answers; then echo "zookeeper 127.0.0.1:$ZK_PORT up"; else
    echo "zookeeper 127.0.0.1:$ZK_PORT down"; healthy=1; fi
  for n in "${SHARDS[@]}"; do
    if server_answers "$n"; then echo "shard $n tcp $(tcp_port "$n") up"; else
      echo "shard $n tcp $(tcp_port "$n") down"; healthy=1; fi
  done
  return $healthy
}

case "${1:-}" in
  start)
    install_if_missing
    start_zookeeper
    for n in "${SHARDS[@]}"; do start_shard "$n"; done
    status
    ;;
  stop)
    for n in "${SHARDS[@]}"; do stop_pid "$ROOT/shard$n/pid"; done
    stop_pid "$ROOT/zookeeper/pid"
    ;;
  status) status ;;
  start-shard) start_shard "${2:?shard number}" ;;
  stop-shard) stop_pid "$ROOT/shard${2:?shard number}/pid" ;;
  url)
    hosts=()
    for n in "${SHARDS[@]}"; do hosts+=("127.0.0.1:$(tcp_port "$n")"); done
    (IFS=,; echo "clickhouse://${hosts[*]}")
    ;;
  *)
    echo "usage: $0 start|stop|status|start-shard N|stop-shard N|url" >&2
    exit 2
    ;;
esac
