#!/usr/bin/env bash
# schemathesis against a running rapd, driven by the server's own GET /openapi.json.
#
#   RAPD_BIN=target/release/rapd bash interop/schemathesis.sh [extra `schemathesis run` flags]
#
# RAPD_BIN (default: target/release/rapd, relative to the repo root) must already be built
# (cargo build --release -p rapd). Creates or updates the venv target/schemathesis-venv from
# interop/schemathesis/requirements.txt, starts `$RAPD_BIN serve` on a free loopback port with a
# fresh data directory and RAPD_THROTTLING=off, mints a development token with `$RAPD_BIN token`,
# and runs every schemathesis phase (examples, coverage, fuzzing, stateful) with every check,
# going on past a failure so that one run lists them all (about 90 s with the defaults). Exits
# non-zero on any failure. Only 127.0.0.1 is contacted: proxies are switched off, the schema has
# no remote references, and the example database is off. One hook (written below) keeps the
# cross-request rules of a generated positive `$batch` that JSON Schema cannot express.
#
# Knobs: SCHEMATHESIS_MAX_EXAMPLES (per operation, default 100), SCHEMATHESIS_SEED (default
# 20260101), SCHEMATHESIS_REPORT_DIR (default target/schemathesis-report: a JUnit report, an
# NDJSON event log of the run with every failing request, and schemathesis's crash cache).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

RAPD_BIN="${RAPD_BIN:-target/release/rapd}"
case "$RAPD_BIN" in
  /*) ;;
  *) RAPD_BIN="$REPO_ROOT/$RAPD_BIN" ;;
esac
if [[ ! -x "$RAPD_BIN" ]]; then
  echo "schemathesis: no executable rapd at $RAPD_BIN (cargo build --release -p rapd)" >&2
  exit 1
fi

MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
SEED="${SCHEMATHESIS_SEED:-20260101}"
REPORT_DIR="${SCHEMATHESIS_REPORT_DIR:-$REPO_ROOT/target/schemathesis-report}"
VENV="$REPO_ROOT/target/schemathesis-venv"
REQS="$REPO_ROOT/interop/schemathesis/requirements.txt"

step() { printf '\n== schemathesis: %s\n' "$*"; }

# Loopback only: no proxy may carry the requests elsewhere.
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"

step "python venv ($VENV)"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
# Reinstall only when requirements.txt changed since the last successful install.
STAMP="$VENV/.schemathesis-requirements.sha256"
WANT="$(sha256sum "$REQS" | cut -d' ' -f1)"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"
  echo "$WANT" > "$STAMP"
else
  echo "requirements unchanged, venv up to date"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rapd-schemathesis.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"

step "rapd serve --listen 127.0.0.1:$PORT (RAPD_THROTTLING=off)"
env -u RAPD_BIN RAPD_THROTTLING=off "$RAPD_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" \
  </dev/null >"$WORK/rapd.stdout.log" 2>"$WORK/rapd.stderr.log" &
SERVER_PID=$!

# stderr only: the start-up banner on stdout holds a token.
show_logs() {
  echo "----- rapd stderr (last 200 lines) -----"; tail -n 200 "$WORK/rapd.stderr.log" || true
}

if ! "$VENV/bin/python" - "$BASE/healthz" "$SERVER_PID" <<'EOF'
import os, sys, time, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("rapd exited before /healthz answered")
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit("rapd did not answer GET /healthz with 200 within 20 s")
EOF
then
  show_logs
  exit 1
fi

TOKEN="$(env -u RAPD_BIN "$RAPD_BIN" token --data-dir "$WORK/data" </dev/null)"

# The two rules of a `$batch` envelope that JSON Schema cannot state (the document says them in
# words): request ids are unique, and `dependsOn` names other requests of the batch without a
# cycle. A schema-valid envelope generated for a positive test is made to keep them: a repeated
# id gets a suffix, and each dependency is pointed at an earlier request. Negative cases are left
# as generated.
cat >"$WORK/rapd_batch_hooks.py" <<'PY'
import schemathesis


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if not case.operation.path.endswith("/$batch") or meta is None:
        return case
    if not meta.generation.mode.is_positive:
        return case
    body = case.body
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        return case
    earlier = []
    for index, item in enumerate(body["requests"]):
        if not isinstance(item, dict):
            continue
        ident = item.get("id")
        if isinstance(ident, str) and ident:
            while ident in earlier:
                ident = f"{ident}~{index}"
            item["id"] = ident
        depends_on = item.get("dependsOn")
        if isinstance(depends_on, list):
            item["dependsOn"] = [
                d if d in earlier else earlier[position % len(earlier)]
                for position, d in enumerate(depends_on)
                if earlier
            ]
        if isinstance(ident, str) and ident:
            earlier.append(ident)
    return case
PY

step "schemathesis run $BASE/openapi.json --checks all (max ${MAX_EXAMPLES} examples per operation, seed $SEED)"
mkdir -p "$REPORT_DIR"
# Our own configuration file: no stray schemathesis.toml is read, and the crash files behind the
# `st replay` hints go under the report directory instead of ./.schemathesis in the work tree.
cat >"$WORK/schemathesis.toml" <<TOML
[cache]
directory = "$REPORT_DIR/cache"
TOML
status=0
SCHEMATHESIS_HOOKS=rapd_batch_hooks PYTHONPATH="$WORK" \
  "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run "$BASE/openapi.json" \
  --checks all \
  --header "Authorization: Bearer $TOKEN" \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$SEED" \
  --workers 1 \
  --continue-on-failure \
  --generation-database none \
  --request-timeout 10 \
  --report junit,ndjson --report-dir "$REPORT_DIR" \
  --output-truncate false \
  --no-color \
  "$@" || status=$?

if [[ $status -ne 0 ]]; then
  step "FAILED (schemathesis exit $status); reports in $REPORT_DIR"
  show_logs
else
  step "no failures"
fi
exit "$status"
