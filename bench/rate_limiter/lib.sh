# Shell functions shared by the rate-limiter load scripts (http_rps, peers).
# Source it; it defines functions and variables only.
#
# Every server started here listens on 127.0.0.1 only, on a free port, with
# its pid and files in one temporary directory ($work_dir). stop_all, which
# the caller runs from an EXIT trap, stops each one by its pid and deletes
# the directory. Load goes to loopback only, for a fixed duration.
#
# Pinning on a machine with two cores: servers on core 0 (server_core),
# load generators and clients on core 1 (client_core).

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root_dir=$(cd "$bench_dir/../.." && pwd)
server_core=0
client_core=1
started_pids=()
work_dir=""
# Clock ticks per second, the unit of the CPU times in /proc/PID/stat.
clock_ticks=$(getconf CLK_TCK)
# Process ids of the servers whose CPU time run_wrk measures: set by
# start_rl_service, start_http_baseline and start_nginx (its one worker).
rl_service_pid=""
http_baseline_pid=""
nginx_worker_pid=""

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "$*"; exit 1; }

# make_work_dir creates $work_dir, the temporary directory for pid files,
# configurations and server logs.
make_work_dir() {
  work_dir=$(mktemp -d "${TMPDIR:-/tmp}/labkit-bench.XXXXXX")
}

# stop_servers stops every server started here, newest first, by its pid:
# SIGTERM, then SIGKILL after 5 s.
stop_servers() {
  local i pid
  for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
    pid=${started_pids[i]}
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  started_pids=()
}

# stop_all stops every server, then deletes $work_dir. Safe to call more
# than once.
stop_all() {
  stop_servers
  if [[ -n $work_dir && -d $work_dir ]]; then
    rm -rf "$work_dir"
  fi
}

# free_port prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_for_port PORT NAME: waits up to 10 s for a listener on 127.0.0.1:PORT.
wait_for_port() {
  local port=$1 name=$2
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  die "$name did not listen on 127.0.0.1:$port within 10 s; its log is in $work_dir"
}

# require_program NAME PACKAGE: fails with the install command if NAME is
# not on the PATH.
require_program() {
  command -v "$1" >/dev/null ||
    die "$1 not found: install the Debian package $2 (scripts/setup.sh does)"
}

# rl_limited_path is the path the load scripts request from rl-service.
# Every path is under the default tier's limit.
rl_limited_path=/api/items

# write_rl_service_config writes $work_dir/rl-service.conf: one default tier
# of one million requests per second (GCRA), which no run here reaches, so
# every request takes a full decision and is allowed.
write_rl_service_config() {
  cat >"$work_dir/rl-service.conf" <<'EOF'
# A limit that no benchmark run reaches: every request is decided, and
# every decision allows it.
[tier default]
rate = 1000000/s
algorithm = gcra
EOF
}

# start_rl_service BUILD_DIR PORT: starts rl-service with one thread on
# server_core, the configuration of write_rl_service_config, and the
# in-process store.
start_rl_service() {
  local build=$1 port=$2
  local binary=$build/rate_limiter/service/rl-service
  [[ -x $binary ]] || die "rl-service not found at $binary: build it with" \
    "'cmake --build $build --target rl-service'"
  taskset -c "$server_core" "$binary" --config "$work_dir/rl-service.conf" \
    --port "$port" --threads 1 --store memory --log-level warn \
    >"$work_dir/rl-service.log" 2>&1 &
  rl_service_pid=$!
  started_pids+=($!)
  wait_for_port "$port" rl-service
}

# check_rl_service PORT: fails unless rl-service responds 200 on the limited
# path with a RateLimit field, which shows the limiter decided the request.
check_rl_service() {
  local port=$1 headers
  headers=$(curl -s -D - -o /dev/null --max-time 5 \
    "http://127.0.0.1:$port$rl_limited_path") ||
    die "rl-service did not respond on 127.0.0.1:$port$rl_limited_path"
  grep -q '^HTTP/1.1 200' <<<"$headers" ||
    die "rl-service responded to $rl_limited_path without 200: $(head -n 1 <<<"$headers")"
  grep -qi '^RateLimit:' <<<"$headers" ||
    die "rl-service responded to $rl_limited_path without a RateLimit field"
}

# start_http_baseline BUILD_DIR PORT: starts the kit's HTTP server with a
# fixed allowed response and no limiter (bench/rate_limiter/http_baseline.cc)
# with one thread on server_core.
start_http_baseline() {
  local build=$1 port=$2
  local binary=$build/bench/bench_rate_limiter_http_baseline
  [[ -x $binary ]] || die "http_baseline not found at $binary: build it with" \
    "'cmake --build $build --target bench_rate_limiter_http_baseline'"
  taskset -c "$server_core" "$binary" --port "$port" --threads 1 \
    --max-seconds 900 >"$work_dir/http_baseline.log" 2>&1 &
  http_baseline_pid=$!
  started_pids+=($!)
  wait_for_port "$port" http_baseline
}

# start_nginx PORT: starts nginx with one worker on server_core and sets
# nginx_worker_pid. Two locations respond 200 with a fixed body from the
# empty_gif module: /limited behind limit_req at a rate no run reaches,
# /unlimited without it. /probe allows one request per minute, so a second
# request there proves limit_req is active.
start_nginx() {
  local port=$1
  require_program nginx nginx
  mkdir -p "$work_dir/nginx"
  cat >"$work_dir/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work_dir/nginx/nginx.pid;
error_log $work_dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work_dir/nginx/body;
  proxy_temp_path $work_dir/nginx/proxy;
  fastcgi_temp_path $work_dir/nginx/fastcgi;
  uwsgi_temp_path $work_dir/nginx/uwsgi;
  scgi_temp_path $work_dir/nginx/scgi;
  keepalive_requests 1000000;
  limit_req_zone \$binary_remote_addr zone=clients:10m rate=1000000r/s;
  limit_req_zone \$binary_remote_addr zone=probe:1m rate=1r/m;
  limit_req_status 429;
  server {
    listen 127.0.0.1:$port;
    location = /limited { limit_req zone=clients burst=1000000 nodelay; empty_gif; }
    location = /unlimited { empty_gif; }
    location = /probe { limit_req zone=probe; empty_gif; }
  }
}
EOF
  taskset -c "$server_core" nginx -p "$work_dir/nginx" \
    -c "$work_dir/nginx/nginx.conf" -e "$work_dir/nginx/error.log" \
    >"$work_dir/nginx/stdout.log" 2>&1 &
  started_pids+=($!)
  wait_for_port "$port" nginx
  nginx_worker_pid=$(find_only_child "$!" "nginx worker")
}

# find_only_child PID NAME prints the pid of PID's one child process, waiting
# up to 5 s for it: the nginx master listens before it forks its worker.
find_only_child() {
  local parent=$1 name=$2 children
  for _ in $(seq 50); do
    children=$(pgrep -P "$parent" || true)
    if [[ -n $children && $children != *$'\n'* ]]; then
      printf '%s\n' "$children"
      return 0
    fi
    sleep 0.1
  done
  die "expected one $name process under pid $parent, found: ${children:-none}"
}

# process_cpu_ticks PID prints the CPU time (user + system, all threads) the
# process PID has used so far, in clock ticks ($clock_ticks per second).
process_cpu_ticks() {
  local stat fields
  stat=$(<"/proc/$1/stat") || die "cannot read /proc/$1/stat: the server exited"
  # The command name (field 2) is in parentheses and may contain spaces, so
  # split after it: utime and stime, fields 14 and 15, are then at 11 and 12.
  read -r -a fields <<<"${stat##*) }"
  printf '%d\n' $((fields[11] + fields[12]))
}

# waited_children_cpu_ticks prints the CPU time (user + system) of the
# children that the current shell has waited for, in clock ticks.
waited_children_cpu_ticks() {
  local stat fields
  stat=$(<"/proc/$BASHPID/stat")
  # cutime and cstime are fields 16 and 17, at 13 and 14 after the name.
  read -r -a fields <<<"${stat##*) }"
  printf '%d\n' $((fields[13] + fields[14]))
}

# start_redis PORT: starts a private redis-server on server_core, without
# persistence.
start_redis() {
  local port=$1
  require_program redis-server redis-server
  taskset -c "$server_core" redis-server --bind 127.0.0.1 --port "$port" \
    --save '' --appendonly no --dir "$work_dir" \
    >"$work_dir/redis.log" 2>&1 &
  started_pids+=($!)
  wait_for_port "$port" redis-server
}

# http_status URL prints the status code of one GET.
http_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1"
}

# run_wrk URL CONNECTIONS SECONDS SERVER_PID: runs wrk with one thread on
# client_core and prints the JSON line of wrk_json.lua with three fields
# added. server_cpu_ticks is the CPU time process SERVER_PID used during the
# run and wrk_cpu_ticks the CPU time of wrk itself, both in clock ticks, and
# clock_ticks_per_second converts them to seconds.
run_wrk() {
  local url=$1 connections=$2 seconds=$3 server_pid=$4
  require_program wrk wrk
  local server_before server_after wrk_ticks line
  server_before=$(process_cpu_ticks "$server_pid")

  # wrk runs as the only child of a subshell, so the subshell's waited-for
  # children CPU time is wrk's.
  wrk_ticks=$(
    taskset -c "$client_core" wrk -t1 -c"$connections" -d"${seconds}s" \
      --timeout 5s -s "$bench_dir/wrk_json.lua" "$url" \
      >"$work_dir/wrk.out" 2>&1 || exit 1
    waited_children_cpu_ticks
  ) || die "wrk failed on $url: $(cat "$work_dir/wrk.out")"
  server_after=$(process_cpu_ticks "$server_pid")

  line=$(tail -n 1 "$work_dir/wrk.out")
  [[ $line == '{'*'}' ]] ||
    die "wrk printed no JSON line for $url: $(cat "$work_dir/wrk.out")"
  printf '%s,"server_cpu_ticks":%d,"wrk_cpu_ticks":%d,"clock_ticks_per_second":%d}\n' \
    "${line%\}}" $((server_after - server_before)) "$wrk_ticks" "$clock_ticks"
}

# json_get JSON FIELD prints one top-level field of a JSON object.
json_get() {
  python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' \
    "$1" "$2"
}

# build_targets BUILD_DIR TARGET...: builds the targets a script needs,
# configuring BUILD_DIR as a Release build first if it is not configured.
# The compiler output goes to $BUILD_DIR/bench-build.log.
build_targets() {
  local build=$1
  shift
  if [[ ! -f $build/build.ninja && ! -f $build/Makefile ]]; then
    log "configuring a Release build in $build"
    cmake -S "$root_dir" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      >"${TMPDIR:-/tmp}/labkit-bench-configure.log" 2>&1 ||
      die "configuring $build failed: see ${TMPDIR:-/tmp}/labkit-bench-configure.log"
  fi
  log "building $* in $build"
  cmake --build "$build" --target "$@" >"$build/bench-build.log" 2>&1 ||
    die "building $* failed: see $build/bench-build.log"
}

# check_count OPTION VALUE MAX: fails unless VALUE is a whole number from 1
# to MAX.
check_count() {
  [[ $2 =~ ^[1-9][0-9]*$ && $2 -le $3 ]] ||
    die "invalid $1 '$2': expected a whole number from 1 to $3"
}
