#!/usr/bin/env bash
# Memory with many idle keep-alive connections: nginx and miniproxy each
# serve an 18-byte file; a python3 client opens N connections, sends one
# request on each, reads the answer and leaves the connection open (idle,
# kept alive); then the server's resident memory is read (VmRSS, summed
# over nginx's master and workers).
#
#   bash bench/idle-connections.sh [N]     (default 10000)
#
# nginx: worker_processes auto, worker_connections N; miniproxy:
# --workers per core, --max-connections N. Both log nothing. Listens on
# 127.0.0.1 only and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
n=${1:-10000}
ulimit -n "$(( n + 1024 < $(ulimit -Hn) ? n + 1024 : $(ulimit -Hn) ))"
need nginx python3 setsid
need_free_ports 18090 18091
printf 'body{color:#222}\n\n' > "$work/tiny.css"
chmod 644 "$work/tiny.css"
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
worker_rlimit_nofile $((n * 2 + 1024));
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections $((n + 100)); }
http {
  access_log off;
  keepalive_timeout 300s;
  keepalive_requests 100000;
  server { listen 127.0.0.1:18090; root $work; }
}
CONF
cargo build --release -q -p miniproxy

rss() { # session leader pid
  local total=0 p
  for p in $(pgrep -s "$1"); do
    total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

start nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
start target/release/miniproxy --root "$work" --listen 127.0.0.1:18091 --access-log off --max-connections $((n + 100))
sleep 1

echo "idle keep-alive connections: $n, nginx $(nginx -v 2>&1 | sed 's/.*\///') vs miniproxy $(git rev-parse --short HEAD), $(nproc) cores"
printf '%-10s %14s %14s %12s\n' server "RSS before" "RSS with idle" "per conn"
i=0
for server in nginx miniproxy; do
  port=$((18090 + i)); leader=${pids[$i]}; i=$((i + 1))
  before=$(rss "$leader")
  python3 - "$port" "$n" "$leader" "$before" "$server" <<'PY'
import socket, subprocess, sys
port, n, leader, before, server = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
conns = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /tiny.css HTTP/1.1\r\nHost: bench\r\n\r\n")
    conns.append(s)
for s in conns:  # every answer read: each connection is now idle
    got = b""
    while b"\r\n\r\n" not in got or not got.endswith(b"\n\n"):
        got += s.recv(4096)
after = 0
for pid in subprocess.run(["pgrep", "-s", leader], capture_output=True, text=True).stdout.split():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                after += int(line.split()[1])
print(f"{server:<10} {before:>11} KiB {after:>11} KiB {(after - before) * 1024 / n:>9.0f} B")
PY
done
