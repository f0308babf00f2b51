#!/usr/bin/env bash
# cgi-runner beside Apache's mod_cgid, on the same trivial shell script
# (playground/ch4/cgi-bin/hello.sh), the same load, one run each:
#
#   bash bench/cgi-vs-apache.sh [SECONDS]     (default 10)
#
# Four lines: cgi-runner alone; cgi-runner mounted in miniproxy
# (playground/ch4/miniproxy.toml, access log off); Apache 2.4 with mod_cgid
# (playground/ch4/apache-cgi.conf on a loopback port, a temporary
# ServerRoot, never the system service); and the floor: the same script
# started by a shell loop, fork + exec + the script and nothing else. Each
# server runs in its own session (setsid); wrk -t2 -c16 loads it. Run on
# demand; tests never assert timings.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
export PATH="$PATH:/usr/sbin"
for tool in wrk apache2 setsid; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk apache2)"; exit 1; }
done
cargo build -q --release -p cgi-runner -p miniproxy
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start() { setsid "$@" >"$work/$(basename "$1").log" 2>&1 & pids+=($!); }
ready() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return; sleep 0.1; done; echo "bench: $1 never answered" >&2; exit 1; }

start env PATH=/usr/bin:/bin target/release/cgi-runner --root playground/ch4/cgi-bin \
  --mount /cgi-bin/ --listen 127.0.0.1:18201
start target/release/miniproxy --config playground/ch4/miniproxy.toml \
  --listen 127.0.0.1:18202 --access-log off
start apache2 -f "$PWD/playground/ch4/apache-cgi.conf" -DFOREGROUND \
  -C "Define CH4 $PWD/playground/ch4" -C "Define PORT 18203"
for port in 18201 18202 18203; do ready "http://127.0.0.1:$port/cgi-bin/hello.sh"; done

echo "hello.sh, wrk -t2 -c16 -d${SECS}s; $(apache2 -v | head -1 | cut -d' ' -f3); $(nproc) cores"
printf '%-32s %10s %10s\n' server "req/s" "p99"
for line in "cgi-runner:18201" "cgi-runner behind miniproxy:18202" "Apache mod_cgid:18203"; do
  name=${line%:*}; port=${line##*:}
  out=$(wrk -t2 -c16 -d"${SECS}s" --latency "http://127.0.0.1:$port/cgi-bin/hello.sh")
  printf '%-32s %10s %10s\n' "$name" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '/^ +99%/ {print $2}' <<<"$out")"
done
# The floor: a new process per request costs at least this much.
n=2000
start_ns=$(date +%s%N)
for _ in $(seq $n); do playground/ch4/cgi-bin/hello.sh >/dev/null; done
elapsed_ns=$(( $(date +%s%N) - start_ns ))
printf '%-32s %10s %10s\n' "fork+exec floor (shell loop)" \
  "$(awk -v n=$n -v ns=$elapsed_ns 'BEGIN {printf "%.2f", n / (ns / 1e9)}')" "-"
