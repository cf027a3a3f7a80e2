#!/usr/bin/env bash
# Runs the product: builds the web app and the server, then serves on
# http://127.0.0.1:8080 with an embedded SQLite database under ./data. On the first
# start it prints the admin's one-time password. Extra arguments go to the server
# (see `--help`), e.g. `scripts/run.sh --listen 0.0.0.0:9000`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/build-frontend.sh
# The `serve` profile: release optimisation with a cheaper link step (see Cargo.toml).
cargo build --profile serve -q -p consentry-server
exec target/serve/consentry serve "$@"
