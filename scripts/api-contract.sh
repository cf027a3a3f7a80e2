#!/usr/bin/env bash
# Tests the running server against its own OpenAPI document (GET /api/v1/openapi.json)
# with schemathesis, as every role: admin, auditor, manager, staff, privacy officer and
# anonymous. Builds the server, starts it on a free port over a fresh SQLite data
# directory, signs in as the
# first admin, replaces the generated password, creates one account per role, then lets
# schemathesis generate requests for every operation: deeply (examples, boundary cases,
# random data) for the operations the role may call, by the document's `x-roles`, and a
# few requests each for the others, whose refusals are checked too. A 5xx, or an answer
# whose status, content type or body the document does not describe, fails the run.
#
# API_CONTRACT_EXAMPLES (default 10) is the number of random requests per operation:
# `API_CONTRACT_EXAMPLES=200 scripts/api-contract.sh` runs longer, and
# `API_CONTRACT_PHASES=examples,coverage,fuzzing,stateful` adds sequences of calls that
# feed one answer's ids into the next request. Reports
# (JUnit, and the failing cases as curl commands in the output) go to
# target/api-contract/. Installs schemathesis from PyPI when it is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
examples="${API_CONTRACT_EXAMPLES:-10}"
phases="${API_CONTRACT_PHASES:-examples,coverage,fuzzing}"
schemathesis_version="4.32.5"
out="$root/target/api-contract"

log() { printf '\033[1m[api-contract]\033[0m %s\n' "$*" >&2; }

if [ "$(st --version 2>/dev/null)" != "st, version $schemathesis_version" ]; then
  log "installing schemathesis $schemathesis_version from PyPI (once)"
  python3 -m pip install -q --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

log "building the server"
cargo build -q -p consentry-server --bin consentry

rm -rf "$out"
mkdir -p "$out"
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
target/debug/consentry serve --listen "127.0.0.1:$port" --data-dir "$data" --no-rate-limits \
  >"$out/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  grep -q '^  password:' "$out/server.log" && curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
  sleep 0.2
done
first_password="$(sed -n 's/^  password:  //p' "$out/server.log")"
[ -n "$first_password" ] || { log "the server printed no first password"; exit 1; }

# Signs in every account before any fuzzing (fuzzed sign-ins from this address would make
# it wait) and writes one line per role, tab-separated: role, session cookie, CSRF token,
# and the operations it may and may not call.
log "signing in as each role"
python3 - "$base" "$first_password" >"$out/sessions" <<'PY'
import json, re, sys, urllib.request, urllib.error

base, first_password = sys.argv[1], sys.argv[2]
COOKIE = "__Host-consentry_session"

def call(method, path, body=None, session=None):
    req = urllib.request.Request(base + "/api/v1" + path, method=method)
    req.add_header("Content-Type", "application/json")
    if session:
        req.add_header("Cookie", f"{COOKIE}={session[0]}")
        req.add_header("x-csrf-token", session[1])
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(req, data) as r:
            cookie = None
            for v in r.headers.get_all("Set-Cookie") or []:
                if v.startswith(COOKIE + "="):
                    cookie = v.split(";")[0].split("=", 1)[1]
            text = r.read()
            return (json.loads(text) if text else None), cookie
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode()}")

def sign_in(username, password, new_password):
    info, cookie = call("POST", "/auth/login", {"username": username, "password": password})
    session = (cookie, info["csrf_token"])
    if info["user"]["must_change_password"]:
        info, cookie = call("POST", "/auth/password",
                            {"current_password": password, "new_password": new_password},
                            session)
        session = (cookie, info["csrf_token"])
    return session

admin = sign_in("admin", first_password, "a-long-first-password")
sessions = {"admin": admin}
team, _ = call("POST", "/teams", {"name": "Contract team"}, admin)
for role in ["auditor", "manager", "staff", "privacy_officer"]:
    issued, _ = call("POST", "/users", {
        "username": f"contract-{role}", "display_name": f"Contract {role}",
        "role": role, "team_id": team["id"] if role in ("manager", "staff") else None,
    }, admin)
    sessions[role] = sign_in(f"contract-{role}", issued["one_time_password"],
                             f"a-long-{role[::-1]}-secret")
# What each role may do, from the document's `x-roles`: its runs go deep there, and only
# check the refusals elsewhere.
with urllib.request.urlopen(base + "/api/v1/openapi.json") as r:
    doc = json.load(r)
operations = [(f"{method.upper()} {path}", op) for path, item in doc["paths"].items()
              for method, op in item.items()]
def names(ops):
    # A regular expression of operation names ("GET /forms"), for schemathesis' filters.
    return "^(" + "|".join(re.escape(name) for name, _ in ops) + ")$" if ops else "-"
# The admin's run changes accounts (disables, resets passwords), so it goes last.
for role in ["anonymous", "auditor", "manager", "staff", "privacy_officer", "admin"]:
    cookie, csrf = sessions.get(role, ("", ""))
    allowed = [(name, op) for name, op in operations
               if op["x-permission"] == "public" or role in op.get("x-roles", [])]
    refused = [(name, op) for name, op in operations if (name, op) not in allowed]
    print("\t".join([role, cookie or "-", csrf or "-", names(allowed), names(refused)]))
PY

failed=()
# One schemathesis run: its name, then its own arguments.
run() {
  local name="$1"
  shift
  # Signing out and changing the password would end the session the rest of the run
  # uses; both are covered by the end-to-end suite instead. One worker: schemathesis
  # 4.32's generation is not thread-safe (an internal KeyError in hypothesis' caches).
  # Run from $out, where schemathesis keeps its cache.
  if ! (cd "$out" && st run "$base/api/v1/openapi.json" "$@" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --exclude-path /auth/logout --exclude-path /auth/password \
    --seed 18 --generation-database none \
    --workers 1 \
    --request-timeout 30 \
    --report junit --report-junit-path "$out/$name.xml" \
    --warnings off \
    </dev/null >"$out/$name.log" 2>&1); then
    failed+=("$name")
    tail -n 200 "$out/$name.log" | cut -c1-2000 >&2
  else
    grep -E '(No issues|passed|failed).* in [0-9.]+s' "$out/$name.log" | tail -n 1 >&2 || true
  fi
}
while IFS=$'\t' read -r role cookie csrf allowed refused; do
  headers=()
  if [ "$cookie" != "-" ]; then
    headers=(-H "Cookie: __Host-consentry_session=$cookie" -H "x-csrf-token: $csrf")
  fi
  log "as $role: the operations $role may call, $examples random requests each"
  run "$role" "${headers[@]}" --include-name-regex "$allowed" \
    --phases "$phases" --max-examples "$examples"
  if [ "$refused" != "-" ]; then
    log "as $role: the refusals of the others"
    run "$role-refused" "${headers[@]}" --include-name-regex "$refused" \
      --phases fuzzing --max-examples 2
  fi
done <"$out/sessions"

if grep -q 'panicked' "$out/server.log"; then
  log "the server panicked: see $out/server.log"
  failed+=("server")
fi
if [ "${#failed[@]}" -gt 0 ]; then
  log "failed: ${failed[*]} (logs in $out)"
  exit 1
fi
log "every role's run passed"
