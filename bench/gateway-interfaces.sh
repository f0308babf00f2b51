#!/usr/bin/env bash
# CGI vs WSGI vs ASGI vs hyper, measured: the same tiny app (a greeting, a
# slow page, a counter; playground/ch4) served four ways, all behind one
# miniproxy (playground/ch4/four-ways.toml, sites told apart by Host):
#
#   CGI    greet.py, a python3 process per request, cgi-runner inside miniproxy
#   WSGI   app_wsgi.py (Flask) on gunicorn, 2 sync workers
#   ASGI   app_asgi.py (FastAPI) on uvicorn, 1 process
#   Rust   demo-was (hyper on tokio): /slow awaits a timer; /blocking holds
#          a thread, on 4 worker slots (the WSGI shape, in Rust)
#
#   bench/gateway-interfaces.sh [SECONDS]     (default 10 per load)
#
# Per row, fresh processes (each in its own session, setsid), then the same
# wrk loads through miniproxy: the greeting with 10 connections (how fast is
# one request?), then the slow page, 0.5 s, with 50 connections (how many
# can wait at once?). Printed: req/s of each, the concurrency reached on the
# slow page (req/s x 0.5 s: how many slow requests were in progress on
# average, Little's law), and the memory of every process serving the row
# (RSS, KiB, miniproxy included, sampled halfway through the slow load).
# Run on demand; tests never assert timings. Scripts get PATH=/usr/bin:/bin
# so `#!/usr/bin/env python3` is Debian's python3, the one gunicorn and
# uvicorn run on (not a pyenv shim, which costs more than the script).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SECS=${1:-10}
need --hint "apt-get install wrk gunicorn uvicorn python3-flask python3-fastapi psmisc" \
  wrk curl gunicorn uvicorn python3 setsid pstree
# The ports: miniproxy's, then gunicorn's, uvicorn's and demo-was's, as
# playground/ch4/four-ways.toml names them.
need_free_ports 8080 8001 8002 8081
cargo build -q --release -p miniproxy -p demo-was
PROXY=127.0.0.1:8080

# Every row has fresh processes: stop_all ends the row's servers and forgets
# them, so the exit's cleanup does not signal group numbers the system may
# have reused since.
stop_all() { for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
ready() { # host path
  for _ in $(seq 150); do curl -sf -o /dev/null -H "Host: $1" "http://$PROXY$2" && return; sleep 0.1; done
  echo "bench: $1$2 never answered; logs in $work" >&2; cat "$work"/*.log >&2; exit 1
}
rss_tree() { # total RSS (KiB) of these processes and all their descendants
  local all=""
  for pid in "$@"; do all="$all $(pstree -p "$pid" 2>/dev/null | grep -o '([0-9]\+)' | tr -d '()' | tr '\n' ' ')"; done
  ps -o rss= -p "$(echo $all | tr ' ' ',')" 2>/dev/null | awk '{s+=$1} END {print s+0}'
}
rate() { awk '/Requests\/sec/ {print $2}' "$1"; }

row() { # name host greet-path slow-path [backend command...]
  local name=$1 host=$2 greet=$3 slow=$4; shift 4
  local backend=""
  if [ $# -gt 0 ]; then start "$@"; backend=${pids[-1]}; fi
  start target/release/miniproxy --config playground/ch4/four-ways.toml --access-log off
  local proxy=${pids[-1]}
  ready "$host" "$greet"
  wrk -t2 -c10 -d"${SECS}s" -H "Host: $host" "http://$PROXY$greet" >"$work/greet.txt"
  wrk -t2 -c50 -d"${SECS}s" --timeout 30s -H "Host: $host" "http://$PROXY$slow" >"$work/slow.txt" &
  local load=$!
  sleep $((SECS / 2)); local mem; mem=$(rss_tree $proxy $backend)
  wait $load
  local slow_rate; slow_rate=$(rate "$work/slow.txt")
  printf '%-34s %10s %10s %12s %10s\n' "$name" "$(rate "$work/greet.txt")" "$slow_rate" \
    "$(awk -v r="$slow_rate" 'BEGIN {printf "%.1f", r*0.5}')" "$mem"
  stop_all
}

export PATH=/usr/bin:/bin:$PATH
# Logging equal on every row: warnings only (no access logs anywhere).
export RUST_LOG=warn
echo "versions: $(target/release/miniproxy --version); $(target/release/demo-was --version); gunicorn $(gunicorn --version 2>&1 | grep -o '[0-9.]\+' | head -1); uvicorn $(uvicorn --version | awk '{print $3}'); $(python3 --version); wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}')"
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "load, through miniproxy on $PROXY (one site per row, by Host):"
echo "  greet: wrk -t2 -c10 -d${SECS}s -H 'Host: SITE' http://$PROXY/GREETING"
echo "  slow:  wrk -t2 -c50 -d${SECS}s --timeout 30s -H 'Host: SITE' http://$PROXY/SLOW (0.5 s each)"
printf '%-34s %10s %10s %12s %10s\n' "interface (site)" "greet r/s" "slow r/s" "concurrency" "RSS KiB"
row "CGI: cgi-runner, python3 (cgi)" cgi.localhost /cgi-bin/greet.py /cgi-bin/greet.py/slow?seconds=0.5
row "WSGI: gunicorn, 2 sync (wsgi)" wsgi.localhost / /slow?seconds=0.5 \
  gunicorn --chdir playground/ch4 --bind 127.0.0.1:8001 --workers 2 --log-level warning app_wsgi:app
row "ASGI: uvicorn, 1 process (asgi)" asgi.localhost / /slow?seconds=0.5 \
  uvicorn --app-dir playground/ch4 --host 127.0.0.1 --port 8002 --log-level warning app_asgi:app
row "Rust: demo-was, async /slow (rust)" rust.localhost /hello /slow?ms=500 \
  target/release/demo-was --port 8081
row "Rust: demo-was, /blocking, 4 slots" rust.localhost /hello /blocking?ms=500 \
  target/release/demo-was --port 8081
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
