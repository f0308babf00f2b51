#!/usr/bin/env bash
# miniproxy beside nginx, measured fairly: the same load generator, the same
# request, the backend separate from both, each server in its own session,
# rounds alternating, logging off on both sides.
#
#   bash bench/compare.sh proxy      # GET /hello forwarded to a backend (default)
#   bash bench/compare.sh static     # a 250-byte file from disk
#   bash bench/compare.sh calibrate  # nginx against nginx: should read ≈ 1.0
#   bash bench/compare.sh floor      # proxy, but the least proxy hyper allows
#                                    # (crates/miniproxy/examples/floor.rs)
#   ROUNDS=5 SECONDS_EACH=20 CONNECTIONS=64 bash bench/compare.sh proxy
#   PAUSE_MS=2 bash bench/compare.sh static-16k   # below full load (below)
#
# Fair means (see DESIGN.md):
# - the backend for the proxy scenario is its own one-worker nginx that
#   answers "hello" from memory: not demo-was, which would compete for the
#   cores with the servers under test and blur what we measure;
# - nginx runs `worker_processes auto` (one worker per core), with upstream
#   keep-alive and `open_file_cache` as it is tuned in production;
#   miniproxy runs its default runtime (one thread per core);
# - every server starts in its own session (`setsid`), so the kernel's
#   autogroup scheduling treats them alike;
# - wrk -t2 loads one server at a time, nginx and miniproxy alternating;
# - peak memory is each server's VmHWM (nginx: master and workers summed);
# - CPU per request is the server's own user and kernel time over the
#   round (from /proc, all its processes and threads), divided by the
#   requests wrk counted: req/s depends on how the 2 cores are shared with
#   wrk and the backend, CPU per request says what each answer cost.
#
# Needs nginx, wrk and curl (apt-get install nginx wrk curl). Listens on 127.0.0.1
# only and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

scenario=${1:-proxy}
case "$scenario" in
  proxy|calibrate|floor) path=/hello ;;
  static) path=/style.css ;;        # the 250-byte stylesheet of chapter 1
  static-tiny) path=/tiny.css ;;     # 18 bytes
  static-16k) path=/big.css ;;       # 16 KiB
  *) echo "usage: bash bench/compare.sh [proxy|static|static-tiny|static-16k|calibrate|floor]" >&2; exit 2 ;;
esac
rounds=${ROUNDS:-3}
seconds=${SECONDS_EACH:-10}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
# At full load, latency is mostly queueing and the scheduler's doing. With
# PAUSE_MS, each connection waits that long after every answer before it
# asks again, so both servers get the same, lighter load (about
# CONNECTIONS × 1000 / PAUSE_MS requests a second at most) and p99 says
# how each one answers when it is not saturated.
pause_ms=${PAUSE_MS:-}
front_port=18080
other_port=18081
backend_port=18082

need nginx wrk curl setsid
need_free_ports $front_port $other_port $backend_port
cp playground/ch1/public/static/style.css "$work/style.css"
printf 'body{color:#222}\n\n' > "$work/tiny.css"                    # 18 bytes
head -c 16384 /dev/zero | tr '\0' 'a' > "$work/big.css"              # 16 KiB
chmod 644 "$work"/*.css

nginx_conf() { # name port workers server-block
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<CONF
worker_processes $3;
daemon off;
pid $work/$1/nginx.pid;
error_log $work/$1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  # miniproxy keeps small files in memory and checks them with one stat;
  # nginx's own cache of open files is the like for like (without it,
  # every request opens, stats and closes the file).
  open_file_cache max=1000 inactive=20s;
  types { text/css css; }
  client_body_temp_path $work/$1/body;
  proxy_temp_path $work/$1/proxy;
  fastcgi_temp_path $work/$1/fastcgi;
  uwsgi_temp_path $work/$1/uwsgi;
  scgi_temp_path $work/$1/scgi;
  upstream backend { server 127.0.0.1:$backend_port; keepalive 64; }
  server {
    listen 127.0.0.1:$2;
    $4
  }
}
CONF
}


front_block="root $work;
    location /hello {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }"
nginx_conf backend $backend_port 1 'location /hello { return 200 "hello"; }'
nginx_conf front $front_port auto "$front_block"
nginx_conf other $other_port auto "$front_block"

cargo build --release -q -p miniproxy
[ "$scenario" = floor ] && cargo build --release -q -p miniproxy --example floor
start nginx -p "$work/backend" -c "$work/backend/nginx.conf"
start nginx -p "$work/front" -c "$work/front/nginx.conf"
if [ "$scenario" = calibrate ]; then
  second=nginx
  start nginx -p "$work/other" -c "$work/other/nginx.conf"
elif [ "$scenario" = floor ]; then
  second=floor
  start target/release/examples/floor "127.0.0.1:$other_port" "127.0.0.1:$backend_port"
else
  second=miniproxy
  start env RUST_LOG=warn target/release/miniproxy --root "$work" --listen "127.0.0.1:$other_port" \
    --upstream "127.0.0.1:$backend_port" --static-ext css --access-log off
fi

for port in $front_port $other_port; do
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port$path" && break
    sleep 0.1
  done
done

# Peak resident memory (KiB) of every process in the session of `pid`.
peak_rss() {
  local total=0 p
  for p in $(pgrep -s "$1"); do
    total=$((total + $(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

[ -n "$pause_ms" ] && echo "function delay() return $pause_ms end" > "$work/pause.lua"

# User and kernel CPU time (clock ticks) of every process in the session of
# `pid`: fields 14 and 15 of /proc/PID/stat, which count all its threads.
cpu_ticks() {
  local user=0 kernel=0 p u k
  for p in $(pgrep -s "$1"); do
    read -r u k < <(awk '{print $14, $15}' "/proc/$p/stat" 2>/dev/null || echo 0 0)
    user=$((user + u)); kernel=$((kernel + k))
  done
  echo "$user $kernel"
}
tick_us=$((1000000 / $(getconf CLK_TCK)))

nginx_version=$(nginx -v 2>&1 | sed 's/.*\///')
second_version=$(git rev-parse --short HEAD)
[ "$second" = nginx ] && second_version=$nginx_version
echo "$scenario: GET $path; nginx $nginx_version (worker_processes auto), $second $second_version, wrk -t$threads -c$connections -d${seconds}s${pause_ms:+, a pause of ${pause_ms} ms after each answer}, $(nproc) cores"
printf '%-10s %-6s %10s %9s %9s %12s %18s\n' server round "req/s" "p50" "p99" "peak RSS" "CPU us/req usr+sys"
declare -A sum=([nginx]=0 [$second]=0) p99s=([first]="" [second]="")
for round in $(seq "$rounds"); do
  for which in first second; do
    if [ $which = first ]; then name=nginx; port=$front_port; pid=${pids[1]}
    else name=$second; port=$other_port; pid=${pids[2]}; fi
    read -r user0 kernel0 < <(cpu_ticks "$pid")
    out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency ${pause_ms:+-s "$work/pause.lua"} "http://127.0.0.1:$port$path")
    read -r user1 kernel1 < <(cpu_ticks "$pid")
    answered=$(awk '/requests in/ {print $1}' <<<"$out")
    cpu=$(awk -v u=$((user1 - user0)) -v k=$((kernel1 - kernel0)) -v t="$tick_us" -v n="$answered" \
      'BEGIN {printf "%.1f+%.1f", u * t / n, k * t / n}')
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '/^ +50%/ {print $2}' <<<"$out")
    p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
    label=$name; [ $which = second ] && [ "$scenario" = calibrate ] && label=nginx-2
    printf '%-10s %-6s %10s %9s %9s %9s KiB %18s\n' "$label" "$round" "$rps" "$p50" "$p99" "$(peak_rss "$pid")" "$cpu"
    sum[$which]=$(awk -v a="${sum[$which]:-0}" -v b="$rps" 'BEGIN {print a + b}')
    p99s[$which]+=" $p99"
  done
done
awk -v a="${sum[second]}" -v b="${sum[first]}" -v n="$second" \
  'BEGIN {printf "%s / nginx, mean req/s over all rounds: %.2f\n", n, a / b}'
# One round's p99 is at the mercy of whatever else the 2 cores ran in that
# round; the median over the rounds is the figure to compare.
median_ms() {
  tr ' ' '\n' <<<"$1" | awk 'NF {
      v = $1 + 0
      if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/ && $1 !~ /ms$/) v *= 1000
      print v }' | sort -n | awk '{ v[NR] = $1 } END {
      printf "%.2fms", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
label=$second; [ "$scenario" = calibrate ] && label=nginx-2
echo "median p99 over the rounds: nginx $(median_ms "${p99s[first]}"), $label $(median_ms "${p99s[second]}")"
