#!/usr/bin/env bash
# Benchmarks the release server: submissions per second, latency p50/p99 and server CPU
# per submission, staff sync, a retention run, exports and imports (see
# tests/src/bin/bench.rs). Optional arguments: how many submissions, sync records,
# retention values, export records and import rows (0 skips a phase), and how many
# records to sync through one server process and then two on one PostgreSQL database
# (two replicas against one; default 0, skipped; PostgreSQL from CONSENTRY_TEST_POSTGRES,
# by default postgres://postgres@127.0.0.1:5432/postgres): `scripts/bench.sh 0 0 0 0 0
# 20000` runs that alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
# The load generator wrk, from Debian; nothing of the web tool chain is needed here.
if ! command -v wrk >/dev/null; then
  echo "[bench] installing wrk" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends wrk >/dev/null
fi
cargo build --release -q -p consentry-server -p consentry-tests --bin consentry --bin consentry-bench
exec target/release/consentry-bench "$@"
