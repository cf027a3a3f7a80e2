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
# Backups are made from the first start (every 24 h, encrypted) into data/backups and
# copied to an off-site folder: data/offsite for the demo; a real installation points
# CONSENTRY_BACKUP_OFFSITE_DIR (or --backup-offsite-dir) at another disk or a share.
export CONSENTRY_BACKUP_OFFSITE_DIR="${CONSENTRY_BACKUP_OFFSITE_DIR:-$root/data/offsite}"
exec target/serve/consentry serve "$@"
