#!/usr/bin/env bash
# The one benchmark command: builds the release server (and, for the browser phase, the
# web app with Chromium), measures this machine's own limits and the product beside
# them, and rewrites BENCHMARKS.md at the repository's root (see tests/src/bin/bench.rs).
#
# Optional arguments, passed to consentry-bench (0 skips a phase):
#   scripts/bench.sh [SUBMISSIONS] [SYNC_RECORDS] [RETENTION_VALUES] [EXPORT_RECORDS]
#                    [IMPORT_ROWS] [REPLICA_RECORDS] [BROWSER]
# defaults 30000 10000 100000 100000 100000 0 1: SUBMISSIONS is how many distinct signed
# submissions are prepared for each 16-client run; REPLICA_RECORDS syncs that many
# records through one server process and then two on one PostgreSQL database; BROWSER=0
# (or CONSENTRY_BENCH_BROWSER=0) skips the headless-Chromium phase and the web app's
# build. PostgreSQL from CONSENTRY_TEST_POSTGRES, by default
# postgres://postgres@127.0.0.1:5432/postgres; without it its rows say why.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
# The load generator wrk, from Debian.
if ! command -v wrk >/dev/null; then
  echo "[bench] installing wrk" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends wrk >/dev/null
fi
if [ "${7:-1}" != "0" ] && [ "${CONSENTRY_BENCH_BROWSER:-1}" != "0" ]; then
  # The web app in dist/ that the browser phase loads, and Chromium to load it.
  scripts/build-frontend.sh --browser
fi
cargo build --release -q -p consentry-server -p consentry-tests --bin consentry --bin consentry-bench
CONSENTRY_BENCH_COMMAND="scripts/bench.sh" exec target/release/consentry-bench "$@"
