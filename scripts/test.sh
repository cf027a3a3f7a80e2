#!/usr/bin/env bash
# Runs every test: unit tests, the API suite on SQLite and PostgreSQL, and the browser
# suite in headless Chromium. Installs what is missing and starts PostgreSQL if it is
# down. Extra arguments go to `cargo test` (e.g. a test name filter).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. scripts/tools.sh --browser

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "[test] starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

scripts/build-frontend.sh
# The front end ships as WASM only: the workspace's host tests leave it out
# (default-members), and its pure logic's unit tests (outbox, forms, i18n, validation
# helpers) run here on the host as a library.
cargo test --workspace --exclude consentry-frontend "$@"
cargo test -p consentry-frontend --lib "$@"
