#!/usr/bin/env bash
# CGI vs WSGI vs ASGI, measured: the same tiny app (playground/ch4) served
# by cgi-runner (a python3 process per request), gunicorn with 2 sync
# workers (Flask), and uvicorn (FastAPI), each on loopback, each in its own
# session (setsid), the same load generator (wrk) for all.
#
#   bench/gateway-interfaces.sh [SECONDS]     (default 10 per run)
#
# Two loads per server: the greeting (how fast is one request?) and
# /slow?seconds=0.5 with 50 connections (how many can wait at once?).
# Printed: req/s, the concurrency reached (req/s x 0.5 s for /slow), and
# the memory of the server's whole process tree (RSS, KiB) under the slow
# load. Run on demand; tests never assert timings. cgi-runner gets
# PATH=/usr/bin:/bin, so `#!/usr/bin/env python3` is Debian's python3, the
# one gunicorn and uvicorn run on (not a pyenv shim, which costs more than
# the script).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
for tool in wrk gunicorn uvicorn python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk gunicorn uvicorn python3-flask python3-fastapi)"; exit 1; }
done
cargo build -q --release -p cgi-runner
CGI=target/release/cgi-runner

rss_tree() { # total RSS (KiB) of a process and all its descendants
  local pids; pids=$(pstree -p "$1" 2>/dev/null | grep -o '([0-9]\+)' | tr -d '()' || echo "$1")
  ps -o rss= -p $(echo $pids | tr ' ' ',') | awk '{s+=$1} END {print s}'
}

run() { # name url-prefix start-command...
  local name=$1 base=$2; shift 2
  local slug; slug=$(echo "$name" | cut -d' ' -f1)
  setsid "$@" >"/tmp/bench-$slug.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "$base/" >/dev/null && break; sleep 0.1; done
  local greet slow mem
  greet=$(wrk -t2 -c10 -d"${SECS}s" "$base/" | awk '/Requests\/sec/ {print $2}')
  wrk -t2 -c50 -d"${SECS}s" --timeout 30s "$base/slow?seconds=0.5" >"/tmp/bench-$slug-slow.txt" &
  local load=$!
  sleep $((SECS / 2)); mem=$(rss_tree "$pid")
  wait $load
  slow=$(awk '/Requests\/sec/ {print $2}' "/tmp/bench-$slug-slow.txt")
  printf '%-28s %10s %12s %14s %12s\n' "$name" "$greet" "$slow" \
    "$(awk -v r="$slow" 'BEGIN {printf "%.1f", r*0.5}')" "$mem"
  kill -- -"$pid" 2>/dev/null || kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "versions: $($CGI --version); gunicorn $(gunicorn --version 2>&1 | grep -o '[0-9.]\+'); uvicorn $(uvicorn --version | awk '{print $3}'); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "load: wrk -t2 -c10 -d${SECS}s / ; wrk -t2 -c50 -d${SECS}s /slow?seconds=0.5"
printf '%-28s %10s %12s %14s %12s\n' interface "greet r/s" "slow r/s" "concurrency" "RSS KiB"
run "CGI (cgi-runner, python3)" http://127.0.0.1:18101/greet.py \
  env PATH=/usr/bin:/bin "$CGI" --root playground/ch4/cgi-bin --listen 127.0.0.1:18101
run "WSGI (gunicorn, 2 sync)" http://127.0.0.1:18102 \
  gunicorn --chdir playground/ch4 --bind 127.0.0.1:18102 --workers 2 --log-level warning app_wsgi:app
run "ASGI (uvicorn, 1 process)" http://127.0.0.1:18103 \
  uvicorn --app-dir playground/ch4 --host 127.0.0.1 --port 18103 --log-level warning app_asgi:app
