#!/usr/bin/env bash
# Installs what building and testing Consentry needs, from registries only (crates.io,
# npm, Debian). Each step runs only when its tool is missing or at the wrong version,
# so a second run takes seconds. Source it (`. scripts/tools.sh [--browser]`) to get
# the tools on PATH; `--browser` also installs Chromium and chromedriver for the tests.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
tools_dir="${CONSENTRY_TOOLS_DIR:-$HOME/.cache/consentry-tools}"
trunk_version="0.21.14"
binaryen_version="132.0.0"

log() { printf '\033[1m[tools]\033[0m %s\n' "$*" >&2; }

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing Debian packages: $*"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

command -v cargo >/dev/null || { log "cargo is missing: install Rust with rustup first"; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The tools are built without link-time optimisation, in 16 codegen units: Trunk's own
# release profile asks for fat LTO in one codegen unit, which leaves one core alone with
# the whole program at the end; how fast the tools themselves run hardly matters.
fast_install() {
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo install -q "$@"
}

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
wb_version="$(grep -A1 '^name = "wasm-bindgen"$' "$root/Cargo.lock" | sed -n 's/^version = "\(.*\)"$/\1/p')"
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$wb_version" ]; then
  log "installing wasm-bindgen-cli $wb_version (a few minutes, once)"
  # Not --locked: the CLI's own lock file names a crate version the registry lacks.
  fast_install wasm-bindgen-cli --version "$wb_version"
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $trunk_version" ]; then
  log "installing trunk $trunk_version (about ten minutes, once)"
  fast_install trunk --version "$trunk_version" --locked
fi

# Debian's binaryen is too old and produces a broken app; npm's is current.
if [ "$("$tools_dir/node_modules/.bin/wasm-opt" --version 2>/dev/null | awk '{print $3}')" != "${binaryen_version%%.*}" ]; then
  command -v npm >/dev/null || apt_install nodejs npm
  log "installing wasm-opt (npm binaryen@$binaryen_version)"
  mkdir -p "$tools_dir"
  npm install --silent --prefix "$tools_dir" --no-audit --no-fund "binaryen@$binaryen_version" >/dev/null
fi
export PATH="$tools_dir/node_modules/.bin:$PATH"

command -v gzip >/dev/null || apt_install gzip
command -v brotli >/dev/null || apt_install brotli
# pg_dump and pg_restore: PostgreSQL backups and their drills (server/src/backup/).
command -v pg_dump >/dev/null || apt_install postgresql-client

if [ "${1:-}" = "--browser" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  # The packages tests/package-lock.json pins, at those versions: axe-core, which the
  # browser tests run on each page (tests/src/a11y.rs), and survey-core and
  # survey-js-ui, the SurveyJS form the bench renders beside Consentry's
  # (tests/src/bin/bench/browser.rs).
  npm_wanted=""
  for npm_package in axe-core survey-core survey-js-ui; do
    npm_pinned="$(sed -n "/\"node_modules\/$npm_package\"/,/}/s/.*\"version\": \"\(.*\)\".*/\1/p" "$root/tests/package-lock.json")"
    npm_found="$(sed -n 's/^  "version": "\(.*\)".*/\1/p' "$root/tests/node_modules/$npm_package/package.json" 2>/dev/null || true)"
    [ "$npm_found" = "$npm_pinned" ] || npm_wanted="$npm_wanted $npm_package $npm_pinned"
  done
  if [ -n "$npm_wanted" ]; then
    command -v npm >/dev/null || apt_install nodejs npm
    log "installing$npm_wanted (npm ci in tests/)"
    npm ci --silent --prefix "$root/tests" --no-audit --no-fund >/dev/null
  fi
fi
