#!/usr/bin/env bash
# Instructions (and heap allocations) miniproxy spends per proxied request,
# counted by valgrind's callgrind: the same figure for the same binary and
# requests, whatever else the machine is doing. wrk's req/s swings by a
# tenth from round to round on a shared 2-core machine; a change worth 2 %
# only shows here.
#
#   bash bench/instructions.sh [N]         (default 2000 requests)
#   bash bench/instructions.sh floor [N]   the same for the floor proxy
#                                          (crates/miniproxy/examples/floor.rs)
#   bash bench/instructions.sh nginx [N]   the same for nginx, configured as
#                                          compare.sh's front nginx (one
#                                          worker, no master: valgrind
#                                          follows one process)
#
# The requests are `GET /hello` on 4 keep-alive connections, after a
# warm-up, through miniproxy (2 workers, access log off) to a one-worker
# nginx answering `hello` from memory: the `proxy` scenario of compare.sh.
# Only miniproxy's user-space work is counted (not the kernel's, not the
# backend's). Needs valgrind, nginx, python3. Listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
server=miniproxy
case "${1:-}" in floor|nginx) server=$1; shift ;; esac
n=${1:-2000}
front_port=18086
backend_port=18087
need valgrind callgrind_annotate nginx curl python3 setsid
need_free_ports $front_port $backend_port

nginx_conf() { # name extra-main-settings server-and-upstream-blocks
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<CONF
$2
worker_processes 1;
daemon off;
pid $work/$1/nginx.pid;
error_log $work/$1/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/$1/body;
  proxy_temp_path $work/$1/proxy;
  fastcgi_temp_path $work/$1/fastcgi;
  uwsgi_temp_path $work/$1/uwsgi;
  scgi_temp_path $work/$1/scgi;
  $3
}
CONF
}
nginx_conf backend "" "server { listen 127.0.0.1:$backend_port; location /hello { return 200 \"hello\"; } }"
start nginx -p "$work/backend" -c "$work/backend/nginx.conf"
if [ "$server" = nginx ]; then
  nginx_conf front "master_process off;" "
  upstream backend { server 127.0.0.1:$backend_port; keepalive 64; }
  server {
    listen 127.0.0.1:$front_port;
    location /hello {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }"
  start valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" \
    nginx -p "$work/front" -c "$work/front/nginx.conf"
elif [ "$server" = floor ]; then
  cargo build --release -q -p miniproxy --example floor
  # One worker per core: the bench's machine has 2, as miniproxy's below.
  start valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" \
    target/release/examples/floor "127.0.0.1:$front_port" "127.0.0.1:$backend_port"
else
  cargo build --release -q -p miniproxy
  start valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" \
    target/release/miniproxy --root "$work" --listen "127.0.0.1:$front_port" \
    --upstream "127.0.0.1:$backend_port" --access-log off --workers 2
fi
for _ in $(seq 200); do
  curl -sf -o /dev/null "http://127.0.0.1:$front_port/hello" && break
  sleep 0.2
done

# GET /hello `count` times on 4 keep-alive connections, each answer read
# whole before the next request on its connection.
requests() {
  python3 - "$1" "$front_port" <<'PY'
import socket, sys
count, port = int(sys.argv[1]), int(sys.argv[2])
connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
request = b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n"
for _ in range(count // 4):
    for c in connections:
        c.sendall(request)
    for c in connections:
        answer = b""
        while not answer.endswith(b"hello"):
            chunk = c.recv(4096)
            if not chunk:
                sys.exit(f"bench: the server closed a connection after {answer!r}")
            answer += chunk
PY
}

pid=$(pgrep -f "callgrind.*(127.0.0.1:$front_port|$work/front)" | head -1) || {
  echo "bench: $server did not start:" >&2; cat "$work/valgrind.log" >&2; exit 1
}
requests 2000 # warm-up: connections to the backend open, caches filled
callgrind_control --zero "$pid" >/dev/null 2>&1
requests "$n"
callgrind_control --dump "$pid" >/dev/null 2>&1
dump=$(ls "$work"/callgrind.*.1 | head -1)
total=$(callgrind_annotate "$dump" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
# Calls to malloc, from the caller tree: every "(Nx)" line above malloc's.
# (awk stops reading there, hence `|| true` for the writer's broken pipe.)
mallocs=$(callgrind_annotate --threshold=100 --tree=caller "$dump" 2>/dev/null | awk '
  /^ *[0-9,]+ .*\* .*:malloc \[/ { print sum; exit }
  /^$/ { sum = 0; next }
  /< / && /\([0-9,]+x\)/ { calls = $0; sub(/.*\(/, "", calls); sub(/x\).*/, "", calls); gsub(",", "", calls); sum += calls }') || true
version=$(git rev-parse --short HEAD)
[ "$server" = nginx ] && version=$(nginx -v 2>&1 | sed "s/.*\///")
echo "$server $version, $n proxied GET /hello on 4 keep-alive connections, valgrind $(valgrind --version | sed 's/valgrind-//')"
awk -v t="$total" -v m="${mallocs:-0}" -v n="$n" \
  'BEGIN { printf "instructions per request: %d\nmalloc calls per request: %.1f\n", t / n, m / n }'
