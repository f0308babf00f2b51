#!/usr/bin/env bash
# Static-file throughput: miniproxy beside nginx, same file, same machine,
# same load generator. Run from the repository root:
#
#   bash bench/static-files.sh            # 3 rounds of 10 s each
#   ROUNDS=5 SECONDS_EACH=20 bash bench/static-files.sh
#
# Needs nginx and wrk (apt-get install nginx wrk). Everything listens on
# 127.0.0.1 only and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
seconds=${SECONDS_EACH:-10}
connections=${CONNECTIONS:-50}
nginx_port=18080
miniproxy_port=18081

for tool in nginx wrk; do
  command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null \
    || { echo "bench: $tool is not installed" >&2; exit 1; }
done
export PATH="$PATH:/usr/sbin"

work=$(mktemp -d)
chmod 755 "$work"
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cp playground/ch1/public/static/style.css "$work/style.css"
chmod 644 "$work/style.css"

# nginx as it is usually tuned for static files: sendfile on, one worker
# (one worker per core is the default advice; the load generator needs the
# other core).
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  types { text/css css; }
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  server { listen 127.0.0.1:$nginx_port; root $work; }
}
CONF

cargo build --release -q -p miniproxy
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log" &
# Access logging off for both: we measure serving, not logging.
RUST_LOG=warn target/release/miniproxy --root "$work" --listen "127.0.0.1:$miniproxy_port" >/dev/null &

for port in $nginx_port $miniproxy_port; do
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/style.css" && break
    sleep 0.1
  done
done

echo "nginx $(nginx -v 2>&1 | sed 's/.*\///'), miniproxy $(git rev-parse --short HEAD), wrk -t1 -c$connections -d${seconds}s, $(nproc) cores"
printf '%-10s %-6s %12s %12s %12s\n' server round "req/s" "avg latency" "p99 latency"
for round in $(seq "$rounds"); do
  for server in nginx miniproxy; do
    port=$nginx_port
    [ "$server" = miniproxy ] && port=$miniproxy_port
    out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/style.css")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    avg=$(awk '/^    Latency/ {print $2}' <<<"$out")
    p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
    printf '%-10s %-6s %12s %12s %12s\n' "$server" "$round" "$rps" "$avg" "$p99"
  done
done
