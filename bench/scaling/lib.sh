# Shell functions of the scaling load scripts (http_rps, upstream_keepalive).
# Source it; it defines functions and variables only. It builds on the
# rate-limiter scripts' lib.sh (servers on 127.0.0.1, free ports, pinning,
# stop_all at exit) and adds the scaling servers and wrk with count.lua.

source "$(dirname "${BASH_SOURCE[0]}")/../rate_limiter/lib.sh"
count_script=$root_dir/scaling/src/demo/count.lua

# start_scaling_service BUILD_DIR PORT HANDLER THREADS NAME: starts
# scaling-service on server_core and sets scaling_service_pid.
start_scaling_service() {
  local build=$1 port=$2 handler=$3 threads=$4 name=$5
  local binary=$build/scaling/scaling-service
  [[ -x $binary ]] || die "scaling-service not found at $binary: build it with" \
    "'cmake --build $build --target scaling-service'"
  taskset -c "$server_core" "$binary" --port "$port" --handler "$handler" \
    --threads "$threads" --instance-name "$name" --log-level warn \
    >"$work_dir/$name.log" 2>&1 &
  scaling_service_pid=$!
  started_pids+=($!)
  wait_for_port "$port" "scaling-service $name"
}

# write_nginx_common NAME: prints the start of an nginx configuration with
# one worker, its files under $work_dir/NAME, and no access log.
write_nginx_common() {
  local dir=$work_dir/$1
  cat <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
CONF
}

# run_nginx NAME PORT: starts nginx with $work_dir/NAME/nginx.conf on
# server_core.
run_nginx() {
  local dir=$work_dir/$1 port=$2
  require_program nginx nginx
  taskset -c "$server_core" nginx -p "$dir" -c "$dir/nginx.conf" \
    -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
  started_pids+=($!)
  wait_for_port "$port" "nginx $1"
}

# start_nginx_fixed PORT: starts nginx, which returns 200 and "ok\n" (the
# body of scaling-service --handler fixed) to GET /. Sets nginx_worker_pid.
start_nginx_fixed() {
  local port=$1
  mkdir -p "$work_dir/nginx-fixed"
  {
    write_nginx_common nginx-fixed
    cat <<CONF
  server {
    listen 127.0.0.1:$port;
    location = / { default_type text/plain; return 200 "ok\n"; }
  }
}
CONF
  } >"$work_dir/nginx-fixed/nginx.conf"
  run_nginx nginx-fixed "$port"
  nginx_worker_pid=$(find_only_child "${started_pids[-1]}" "nginx worker")
}

# start_nginx_proxy NAME PORT KEEPALIVE UPSTREAM_PORT...: nginx proxying to
# the upstream ports on 127.0.0.1. With KEEPALIVE=true it keeps upstream
# connections open (keepalive 32, proxy_http_version 1.1 and an empty
# Connection header, all three needed); with false it opens one per request,
# nginx's default.
start_nginx_proxy() {
  local name=$1 port=$2 keepalive=$3
  shift 3
  local servers="" upstream_port
  for upstream_port in "$@"; do
    servers+="    server 127.0.0.1:$upstream_port;"$'\n'
  done
  local pool_line="" proxy_lines=""
  if [[ $keepalive == true ]]; then
    pool_line="    keepalive 32;"
    proxy_lines="      proxy_http_version 1.1;
      proxy_set_header Connection \"\";"
  fi
  mkdir -p "$work_dir/$name"
  {
    write_nginx_common "$name"
    cat <<CONF
  upstream instances {
$servers$pool_line
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://instances;
$proxy_lines
    }
  }
}
CONF
  } >"$work_dir/$name/nginx.conf"
  run_nginx "$name" "$port"
}

# start_haproxy NAME PORT KEEPALIVE UPSTREAM_PORT...: HAProxy with one
# thread on server_core, round robin over the upstream ports. HAProxy keeps
# upstream connections open by default; KEEPALIVE=false adds
# `option http-server-close`.
start_haproxy() {
  local name=$1 port=$2 keepalive=$3
  shift 3
  require_program haproxy haproxy
  local dir=$work_dir/$name i=0 upstream_port
  mkdir -p "$dir"
  {
    cat <<CONF
global
  pidfile $dir/haproxy.pid
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
frontend web
  bind 127.0.0.1:$port
  default_backend instances
backend instances
  balance roundrobin
CONF
    [[ $keepalive == true ]] || echo "  option http-server-close"
    for upstream_port in "$@"; do
      echo "  server app-$((++i)) 127.0.0.1:$upstream_port"
    done
  } >"$dir/haproxy.cfg"
  taskset -c "$server_core" haproxy -db -f "$dir/haproxy.cfg" \
    >"$dir/haproxy.log" 2>&1 &
  started_pids+=($!)
  wait_for_port "$port" "haproxy $name"
}

# run_counted_wrk URL CONNECTIONS SECONDS CPU_LIST: runs wrk with one thread
# pinned to CPU_LIST and count.lua, and prints one JSON line. Its fields are
# requests, rps, p50_us, p99_us, socket_errors (connect + read + write +
# timeout), non_2xx, and valid, which is false after any socket error.
run_counted_wrk() {
  local url=$1 connections=$2 seconds=$3 cpus=$4
  require_program wrk wrk
  taskset -c "$cpus" wrk -t1 -c"$connections" -d"${seconds}s" --timeout 5s \
    -s "$count_script" "$url" >"$work_dir/wrk.out" 2>&1 ||
    die "wrk failed on $url: $(cat "$work_dir/wrk.out")"
  python3 - "$work_dir/wrk.out" <<'PYTHON'
import json, sys
values = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 3 and parts[0] == "labkit-wrk":
        values[parts[1]] = float(parts[2])
missing = [k for k in ("requests", "duration_us", "p50_us", "p99_us",
                       "connect_errors", "read_errors", "write_errors",
                       "timeouts", "non_2xx") if k not in values]
if missing:
    sys.exit(f"wrk printed no {', '.join(missing)}: see {sys.argv[1]}")
socket_errors = int(values["connect_errors"] + values["read_errors"] +
                    values["write_errors"] + values["timeouts"])
print(json.dumps({
    "requests": int(values["requests"]),
    "rps": values["requests"] / (values["duration_us"] / 1e6),
    "p50_us": int(values["p50_us"]), "p99_us": int(values["p99_us"]),
    "socket_errors": socket_errors, "non_2xx": int(values["non_2xx"]),
    "valid": socket_errors == 0}))
PYTHON
}

# run_measured_wrk URL CONNECTIONS SECONDS CPU_LIST SERVER_PID: run_counted_wrk,
# with cpu_us_per_request added to its JSON line: the CPU time (user +
# system) process SERVER_PID used during the run, in microseconds, divided
# by the requests wrk completed.
run_measured_wrk() {
  local server_pid=$5 before after line
  before=$(process_cpu_ticks "$server_pid")
  line=$(run_counted_wrk "$1" "$2" "$3" "$4")
  after=$(process_cpu_ticks "$server_pid")
  python3 -c 'import json, sys
run = json.loads(sys.argv[1])
ticks, per_second = int(sys.argv[2]), int(sys.argv[3])
run["cpu_us_per_request"] = (ticks / per_second * 1e6 / run["requests"]
                             if run["requests"] else None)
print(json.dumps(run))' "$line" $((after - before)) "$clock_ticks"
}
