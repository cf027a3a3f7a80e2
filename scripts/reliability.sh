#!/usr/bin/env bash
# The reliability suite's long runs (issue #18), which the normal test run does small:
#  - the crash storm (tests/tests/e2e/crash_storm.rs) on SQLite and PostgreSQL: devices
#    sync CRASH_RECORDS records in all (default here 30,000) while the server is killed
#    with SIGKILL CRASH_KILLS times (default here 25) at random moments and restarted;
#    then every record is checked there once, the audit chain and the database's
#    integrity verified. CRASH_SEED replays a run's kill schedule (each run prints its).
#  - the replay storm (replay_storm.rs): REPLAY_CORPUS records (default here 20,000)
#    resent REPLAY_ROUNDS times (5) beside REPLAY_FRESH fresh records (2,000), on both
#    databases; it prints the fresh records' sync latency (p50, p95) alone and under the
#    storm. Figures are printed, never asserted.
# Any of those variables can be set to size a run. Arguments replace the test name filters
# (e.g. `crash_storm::sqlite` runs one storm on one database). Starts PostgreSQL if it is
# down, as test.sh does.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "[reliability] starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

export CRASH_RECORDS="${CRASH_RECORDS:-30000}"
export CRASH_CLIENTS="${CRASH_CLIENTS:-4}"
export CRASH_BATCH="${CRASH_BATCH:-250}"
export CRASH_KILLS="${CRASH_KILLS:-25}"
export REPLAY_CORPUS="${REPLAY_CORPUS:-20000}"
export REPLAY_ROUNDS="${REPLAY_ROUNDS:-5}"
export REPLAY_FRESH="${REPLAY_FRESH:-2000}"
export REPLAY_CLIENTS="${REPLAY_CLIENTS:-4}"

cargo build -q -p consentry-server --bin consentry
# One test at a time: the storms measure the server, not each other.
filters=("$@")
[ "${#filters[@]}" -gt 0 ] || filters=(crash_storm:: replay_storm::)
cargo test -q -p consentry-tests --test e2e -- --test-threads 1 --nocapture "${filters[@]}"
