#!/usr/bin/env bash
# Benchmarks the release server: submissions per second, latency p50/p99 and server CPU
# per submission (see tests/src/bin/bench.rs). Optional argument: how many submissions.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build --release -q -p consentry-server -p consentry-tests --bin consentry --bin consentry-bench
exec target/release/consentry-bench "$@"
