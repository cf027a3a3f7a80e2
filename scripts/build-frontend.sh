#!/usr/bin/env bash
# Builds the web app into dist/ with Trunk (release, size-optimised WASM) and writes
# gzip and brotli copies of each text and WASM file for the server to send as they are.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. scripts/tools.sh "$@"

# The admin console, then the customer apps: a form's page with its first stage (the
# privacy pop-up) into dist/embed/, the form app it loads (form, signature, receipt)
# into dist/embed/form/, and the pages customers come back to (withdrawal, requests,
# verification) into dist/embed/self/. Trunk empties its folder first, so the order
# matters.
# The console with Leptos's `erase_components` (components and reactive closures boxed
# behind one type each instead of monomorphised per call site): a quarter less WASM. The
# customer apps without it: it cost their 50-field form a few milliseconds to draw, and
# they are small already (docs/performance.md). The console builds in a target folder
# of its own, so that the two settings do not keep rebuilding each other's dependencies.
CARGO_TARGET_DIR="$root/target/console-wasm" \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components" \
  trunk build --release --config Trunk.toml >&2
trunk build --release --config Trunk.toml --dist dist/embed --public-url /embed/ frontend/embed.html >&2
trunk build --release --config Trunk.toml --dist dist/embed/form --public-url /embed/form/ frontend/embed-form.html >&2
trunk build --release --config Trunk.toml --dist dist/embed/self --public-url /embed/self/ frontend/self-service.html >&2
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) |
  while read -r f; do
    gzip -9 -k -f "$f"
    brotli -q 11 -f -o "$f.br" "$f"
  done
for wasm in dist/*.wasm dist/embed/*.wasm dist/embed/form/*.wasm dist/embed/self/*.wasm; do
  [ -f "$wasm" ] || continue
  printf '[build] %s: %s bytes, %s gzip, %s brotli\n' "$wasm" "$(stat -c%s "$wasm")" "$(stat -c%s "$wasm.gz")" "$(stat -c%s "$wasm.br")" >&2
done
