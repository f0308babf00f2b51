#!/usr/bin/env bash
# cgi-runner beside Apache's mod_cgid, on the same trivial shell script
# (playground/ch4/cgi-bin/hello.sh), the same load, one run each:
#
#   bash bench/cgi-vs-apache.sh [SECONDS] [ROUNDS]   (default 10 s, 3 rounds)
#
# Three servers: cgi-runner alone; cgi-runner mounted in miniproxy
# (playground/ch4/miniproxy.toml, access log off); Apache 2.4 with mod_cgid
# (playground/ch4/apache-cgi.conf on a loopback port, a temporary
# ServerRoot, never the system service). Each runs in its own session
# (setsid), logging warnings only; wrk -t2 -c16 loads one at a time, in
# rounds whose order rotates, each line with the machine's load average
# (a shared machine is noisy: compare within a round, and the means).
# Last, the floor: the same script started by a shell loop, fork + exec +
# the script and nothing else. Run on demand; tests never assert timings.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SECS=${1:-10}
ROUNDS=${2:-3}
export RUST_LOG=warn
need --hint "apt-get install wrk curl apache2" wrk curl apache2 setsid
need_free_ports 18201 18202 18203
cargo build -q --release -p cgi-runner -p miniproxy

ready() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return; sleep 0.1; done; echo "bench: $1 never answered" >&2; exit 1; }

start env PATH=/usr/bin:/bin target/release/cgi-runner --root playground/ch4/cgi-bin \
  --mount /cgi-bin/ --listen 127.0.0.1:18201
start target/release/miniproxy --config playground/ch4/miniproxy.toml \
  --listen 127.0.0.1:18202 --access-log off
start apache2 -f "$PWD/playground/ch4/apache-cgi.conf" -DFOREGROUND \
  -C "Define CH4 $PWD/playground/ch4" -C "Define PORT 18203"
for port in 18201 18202 18203; do ready "http://127.0.0.1:$port/cgi-bin/hello.sh"; done

echo "hello.sh, wrk -t2 -c16 -d${SECS}s, $ROUNDS rounds; $(apache2 -v | head -1 | cut -d' ' -f3); $(nproc) cores"
printf '%-6s %-32s %10s %10s   %s\n' round server "req/s" "p99" "load average (1 5 15 min)"
servers=("cgi-runner:18201" "cgi-runner behind miniproxy:18202" "Apache mod_cgid:18203")
declare -A total
for round in $(seq "$ROUNDS"); do
  for i in 0 1 2; do
    line=${servers[$(( (i + round - 1) % 3 ))]}
    name=${line%:*}; port=${line##*:}
    out=$(wrk -t2 -c16 -d"${SECS}s" --latency "http://127.0.0.1:$port/cgi-bin/hello.sh")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    total[$name]=$(awk -v a="${total[$name]:-0}" -v b="$rps" 'BEGIN {print a + b}')
    printf '%-6s %-32s %10s %10s   %s\n' "$round" "$name" "$rps" \
      "$(awk '/^ +99%/ {print $2}' <<<"$out")" "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
apache=$(awk -v t="${total[Apache mod_cgid]}" -v n="$ROUNDS" 'BEGIN {print t / n}')
for name in "cgi-runner" "cgi-runner behind miniproxy" "Apache mod_cgid"; do
  awk -v t="${total[$name]}" -v n="$ROUNDS" -v a="$apache" -v name="$name" \
    'BEGIN {printf "mean   %-32s %10.2f   %.2fx Apache\n", name, t / n, t / n / a}'
done
# The floor: a new process per request costs at least this much.
n=2000
start_ns=$(date +%s%N)
for _ in $(seq $n); do playground/ch4/cgi-bin/hello.sh >/dev/null; done
elapsed_ns=$(( $(date +%s%N) - start_ns ))
printf '%-32s %10s %10s\n' "fork+exec floor (shell loop)" \
  "$(awk -v n=$n -v ns=$elapsed_ns 'BEGIN {printf "%.2f", n / (ns / 1e9)}')" "-"
