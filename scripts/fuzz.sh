#!/usr/bin/env bash
# Fuzzes shared's parsers and verifiers with cargo-fuzz (the targets are in fuzz/): each
# target runs for FUZZ_SECONDS (default 20) from its committed seeds (fuzz/corpus/) and
# what earlier runs found (fuzz/target/corpus/), and prints how many inputs it ran. Exits
# non-zero when any target crashes; the input that did it is in fuzz/artifacts/<target>/
# and `cargo +nightly fuzz run <target> <that file>` replays it. Arguments name the
# targets to run (all by default). A long run: `FUZZ_SECONDS=600 scripts/fuzz.sh`.
# Installs cargo-fuzz from crates.io when it is missing (once, about two minutes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${FUZZ_SECONDS:-20}"
cargo_fuzz_version="0.13.2"

log() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }

if ! rustup toolchain list | grep -q '^nightly'; then
  log "installing the nightly toolchain (cargo-fuzz needs it)"
  rustup toolchain install nightly --profile minimal
fi
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
  log "installing cargo-fuzz $cargo_fuzz_version (about two minutes, once)"
  # As scripts/tools.sh installs its tools: no LTO, many codegen units.
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install -q cargo-fuzz --version "$cargo_fuzz_version" --locked
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi
# No sanitizer: shared and the fuzz crate forbid unsafe code, and without AddressSanitizer
# the build is quicker and each input several times faster. Debug assertions turn
# arithmetic overflow into a crash.
flags=(--sanitizer none --debug-assertions)
log "building ${targets[*]}"
cargo +nightly fuzz build "${flags[@]}"

logs="fuzz/target/logs"
mkdir -p "$logs"
failed=()
for target in "${targets[@]}"; do
  found="fuzz/target/corpus/$target"
  mkdir -p "$found"
  log "$target: ${seconds}s"
  # New inputs go to the first directory, so the committed seeds stay as they are.
  if cargo +nightly fuzz run "${flags[@]}" "$target" "$found" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
    >"$logs/$target.log" 2>&1; then
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target.log")"
    printf '%-14s %12s executions in %ss\n' "$target" "${runs:-?}" "$seconds"
  else
    failed+=("$target")
    if grep -q "Test unit written to" "$logs/$target.log"; then
      printf '%-14s CRASHED (log: %s)\n' "$target" "$logs/$target.log"
    else
      printf '%-14s FAILED (log: %s)\n' "$target" "$logs/$target.log"
      tail -n 5 "$logs/$target.log"
    fi
    grep -E -A1 "panicked at" "$logs/$target.log" | head -n 2 || true
    grep -E -m1 "ERROR: libFuzzer" "$logs/$target.log" || true
    grep -E "Test unit written to" "$logs/$target.log" || true
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  log "failed: ${failed[*]}"
  exit 1
fi
