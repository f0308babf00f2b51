#!/usr/bin/env bash
# HTTPS in front (chapter 8): miniproxy beside nginx, measured fairly, in
# two scenarios, one run:
#
#   handshakes  every request on a new connection (`Connection: close`), so
#               each one is a full TLS handshake: new handshakes per second
#   keepalive   64 connections kept open: HTTPS requests per second once the
#               handshakes are paid
#
#   bash bench/https.sh             # nginx vs miniproxy
#   bash bench/https.sh calibrate   # nginx vs a second, identical nginx: ≈ 1.0
#   ROUNDS=5 SECONDS_EACH=20 CONNECTIONS=64 bash bench/https.sh
#
# Fair means (see DESIGN.md and bench/compare.sh):
# - the same certificate and key for both (ECDSA P-256, from `miniproxy
#   cert`), the same TLS version and cipher suite (the script prints what
#   each negotiated, and stops if they differ), HTTP/1.1 on both (wrk does
#   not speak HTTP/2);
# - both proxy GET /hello to the same backend, a one-worker nginx that
#   answers from memory, over upstream keep-alive; access logs off on both;
# - nginx runs `worker_processes auto`, miniproxy its default runtime (one
#   thread per core); each server in its own session (`setsid`);
# - wrk loads one server at a time, nginx and miniproxy alternating, in
#   every round and scenario; neither side resumes TLS sessions (wrk never
#   does, and nginx's session cache and tickets are off), so a "handshake"
#   is a full one on both.
#
# Needs nginx, wrk, openssl and curl. Listens on 127.0.0.1 only and stops
# everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

mode=${1:-compare}
case "$mode" in
  compare|calibrate) ;;
  *) echo "usage: bash bench/https.sh [compare|calibrate]" >&2; exit 2 ;;
esac
rounds=${ROUNDS:-3}
seconds=${SECONDS_EACH:-10}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
nginx_port=18443
mini_port=18444
mini_http_port=18445
backend_port=18446

need nginx wrk openssl curl setsid
need_free_ports $nginx_port $mini_port $mini_http_port $backend_port

cargo build --release -q -p miniproxy --features tls
mini=target/release/miniproxy
# One certificate for both, named for the address wrk and curl connect to.
"$mini" cert --dir "$work/certs" 127.0.0.1 >/dev/null
cert=$work/certs/127.0.0.1.pem
key=$work/certs/127.0.0.1-key.pem
ca=$work/certs/ca.pem

nginx_conf() { # name workers server-block
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<CONF
worker_processes $2;
daemon off;
pid $work/$1/nginx.pid;
error_log $work/$1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/$1/body;
  proxy_temp_path $work/$1/proxy;
  fastcgi_temp_path $work/$1/fastcgi;
  uwsgi_temp_path $work/$1/uwsgi;
  scgi_temp_path $work/$1/scgi;
  upstream backend { server 127.0.0.1:$backend_port; keepalive 64; }
  server {
    $3
  }
}
CONF
}

nginx_conf backend 1 "listen 127.0.0.1:$backend_port; location /hello { return 200 \"hello\"; }"
front_block() { # port
  echo "listen 127.0.0.1:$1 ssl;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    location /hello {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
    }"
}
nginx_conf front auto "$(front_block $nginx_port)"
nginx_conf other auto "$(front_block $mini_port)"
cat > "$work/miniproxy.toml" <<CONF
listen = "127.0.0.1:$mini_http_port"
listen_https = "127.0.0.1:$mini_port"
access_log = "off"
[[site]]
names = ["127.0.0.1"]
default = true
upstream = "127.0.0.1:$backend_port"
tls_cert = "$cert"
tls_key = "$key"
CONF

# lib.sh's start, but the output goes to /dev/null, not to
# $work/<command>.log: there the two or three nginx would share one
# nginx.log, and each already writes its errors to its own
# $work/<name>/error.log.
start() { setsid "$@" >/dev/null 2>&1 & pids+=($!); }
start nginx -p "$work/backend" -c "$work/backend/nginx.conf"
start nginx -p "$work/front" -c "$work/front/nginx.conf"
if [ "$mode" = calibrate ]; then
  second=nginx-2
  start nginx -p "$work/other" -c "$work/other/nginx.conf"
else
  second=miniproxy
  start env RUST_LOG=warn "$mini" --config "$work/miniproxy.toml"
fi

for port in $nginx_port $mini_port; do
  for _ in $(seq 100); do
    curl -sf --cacert "$ca" -o /dev/null "https://127.0.0.1:$port/hello" && break
    sleep 0.1
  done
done

# What each side negotiated with a default OpenSSL client (wrk's library).
negotiated() {
  openssl s_client -connect "127.0.0.1:$1" -CAfile "$ca" </dev/null 2>/dev/null \
    | grep -m1 '^New, ' | sed 's/^New, //; s/, Cipher is / /'

}
nginx_tls=$(negotiated $nginx_port)
mini_tls=$(negotiated $mini_port)
if [ "$nginx_tls" != "$mini_tls" ]; then
  echo "bench: the two negotiated different TLS: nginx '$nginx_tls', $second '$mini_tls'" >&2
  exit 1
fi

# Peak resident memory (KiB) of every process in the session of `pid`.
peak_rss() {
  local total=0 p
  for p in $(pgrep -s "$1"); do
    total=$((total + $(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

echo "GET /hello over HTTPS ($nginx_tls, ECDSA P-256 certificate), proxied to a one-worker nginx backend"
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') (worker_processes auto, $(nginx -V 2>&1 | grep -o 'OpenSSL [0-9.]*' | head -1)), $([ "$mode" = calibrate ] && echo "nginx-2 (the same config)" || echo "miniproxy $(git rev-parse --short HEAD) (rustls + ring)"), wrk -t$threads -c$connections -d${seconds}s, $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %-11s %-6s %10s %9s %9s %12s\n' server scenario round "req/s" "p50" "p99" "peak RSS"
declare -A sum
for scenario in handshakes keepalive; do
  header=()
  [ "$scenario" = handshakes ] && header=(-H "Connection: close")
  sum[nginx]=0; sum[$second]=0
  for round in $(seq "$rounds"); do
    for name in nginx $second; do
      if [ $name = nginx ]; then port=$nginx_port; pid=${pids[1]}
      else port=$mini_port; pid=${pids[2]}; fi
      out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "${header[@]}" "https://127.0.0.1:$port/hello")
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      p50=$(awk '/^ +50%/ {print $2}' <<<"$out")
      p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
      errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr -s ' ' | tr '\n' ' ')
      printf '%-10s %-11s %-6s %10s %9s %9s %9s KiB %s\n' "$name" "$scenario" "$round" "$rps" "$p50" "$p99" "$(peak_rss "$pid")" "$errors"
      sum[$name]=$(awk -v a="${sum[$name]}" -v b="$rps" 'BEGIN {print a + b}')
    done
  done
  awk -v a="${sum[$second]}" -v b="${sum[nginx]}" -v s="$scenario" -v n="$second" \
    'BEGIN {printf "%s: %s / nginx, mean req/s over all rounds: %.2f\n", s, n, a / b}'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
