#!/usr/bin/env bash
# Chapter 6's benchmark: failed requests and the slowest request while the
# switcher deploys back and forth, for miniproxy's admin API and for each
# nginx method (the tutorial's reload; reload with keepalive_timeout 0;
# both slots in one upstream, no reload). Everything listens on 127.0.0.1
# and is stopped at the end. Usage: bash bench/switches.sh [CLIENTS] [DEPLOYS]
set -euo pipefail
cd "$(dirname "$0")/.."
clients="${1:-64}"
deploys="${2:-10}"
echo "== $(nginx -v 2>&1); $(rustc --version); $(nproc) cores"
echo "== cargo run -p switcher --example switch_bench -- $clients $deploys"
cargo build -q -p switcher --example switch_bench
target/debug/examples/switch_bench "$clients" "$deploys"
