#!/usr/bin/env bash
# miniproxy beside nginx: same machine, same load generator, same request.
# Run from the repository root:
#
#   bash bench/compare.sh static     # a 250-byte file from disk (default)
#   bash bench/compare.sh proxy      # GET /hello forwarded to demo-was
#   ROUNDS=5 SECONDS_EACH=20 bash bench/compare.sh proxy
#
# Needs nginx and wrk (apt-get install nginx wrk). Everything listens on
# 127.0.0.1 only and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=${1:-static}
case "$scenario" in
  static) path=/style.css ;;
  proxy) path=/hello ;;
  *) echo "usage: bash bench/compare.sh [static|proxy]" >&2; exit 2 ;;
esac
rounds=${ROUNDS:-3}
seconds=${SECONDS_EACH:-10}
connections=${CONNECTIONS:-50}
nginx_port=18080
miniproxy_port=18081
app_port=18082

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
worker_processes ${NGINX_WORKERS:-1};
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
  # Upstream keep-alive, as nginx is tuned in production (its default is a
  # new connection per request, HTTP/1.0).
  upstream app { server 127.0.0.1:$app_port; keepalive 32; }
  server {
    listen 127.0.0.1:$nginx_port;
    root $work;
    location /hello {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
CONF

cargo build --release -q -p miniproxy -p demo-was
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log" &
# Access logging off everywhere: we measure serving, not logging.
RUST_LOG=warn target/release/demo-was --port "$app_port" --profile bench 2>/dev/null &
RUST_LOG=warn target/release/miniproxy --root "$work" --listen "127.0.0.1:$miniproxy_port" \
  --upstream "127.0.0.1:$app_port" --static-ext css >/dev/null &

for port in $nginx_port $miniproxy_port; do
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port$path" && break
    sleep 0.1
  done
done

echo "$scenario: GET $path; nginx $(nginx -v 2>&1 | sed 's/.*\///'), miniproxy $(git rev-parse --short HEAD), wrk -t1 -c$connections -d${seconds}s, $(nproc) cores"
printf '%-10s %-6s %12s %12s %12s\n' server round "req/s" "avg latency" "p99 latency"
for round in $(seq "$rounds"); do
  for server in nginx miniproxy; do
    port=$nginx_port
    [ "$server" = miniproxy ] && port=$miniproxy_port
    out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port$path")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    avg=$(awk '/^    Latency/ {print $2}' <<<"$out")
    p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
    printf '%-10s %-6s %12s %12s %12s\n' "$server" "$round" "$rps" "$avg" "$p99"
  done
done
