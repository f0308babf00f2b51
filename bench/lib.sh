# What the bench scripts share; each one sources it (`. bench/lib.sh`)
# after `cd`-ing to the repository root.

export PATH="$PATH:/usr/sbin"

# Stops unless every named tool is installed. `need --hint TEXT TOOL...`
# adds TEXT, say the apt-get line that installs them, to the message: a
# package is not always named after its tool (pstree comes in psmisc).
need() {
  local hint=""
  if [ "${1:-}" = --hint ]; then hint=" ($2)"; shift 2; fi
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is not installed$hint" >&2; exit 1; }
  done
}

# Stops if something already listens on one of the ports: a server left
# over from another run would be measured in place of ours.
need_free_ports() {
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "bench: something already listens on 127.0.0.1:$port; stop it first" >&2
      exit 1
    fi
  done
}

# The run's files, and every process `start` began: both are gone when the
# script exits, however it exits.
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# Starts a command in a session of its own (setsid: the scheduler's
# autogroups then treat every server alike), its output in $work, and
# remembers its process group.
start() { setsid "$@" >"$work/$(basename "$1").log" 2>&1 & pids+=($!); }
