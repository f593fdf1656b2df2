#!/usr/bin/env bash
# Instructions per GET item request with /metrics' counting on and off, counted by callgrind:
# unlike requests/s, an instruction count does not move with the host's load, so it shows what
# the counting costs where wall-clock ratios on shared cores are noise (bench/analysis.md).
#
# Each setting: the release binary under `valgrind --tool=callgrind`, a partner and a token,
# WARMUP requests, counters zeroed, REQUESTS requests on one keep-alive connection, counters
# dumped. Prints both counts and their ratio; exits 1 when counting costs more than LIMIT_PCT.
#
# Usage: bench/instructions.sh   Env: REQUESTS (2000) WARMUP (300) LIMIT_PCT (5)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REQUESTS="${REQUESTS:-2000}"
WARMUP="${WARMUP:-300}"
LIMIT_PCT="${LIMIT_PCT:-5}"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
(cd "$ROOT" && cargo build --release --locked -p rapd -q)
RAPD="${CARGO_TARGET_DIR:-$ROOT/target}/release/rapd"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rapd-instructions.XXXXXX")"
PID=""
trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

# count METRICS PORT: instructions per request of rapd with `metrics = METRICS`.
count() {
  local dir="$WORK/$1" port=$2 token
  RAPD_THROTTLING=off RAPD_LOG=error RAPD_METRICS=$1 valgrind --tool=callgrind \
    --callgrind-out-file="$WORK/callgrind.$1" "$RAPD" serve --listen "127.0.0.1:$port" \
    --data-dir "$dir" >/dev/null 2>"$WORK/valgrind.$1.log" &
  PID=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.5; done
  token=$("$RAPD" token --data-dir "$dir")
  python3 - "$port" "$token" "$WARMUP" "$REQUESTS" "$PID" <<'PY'
import http.client, json, subprocess, sys
port, token, warmup, requests, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
base = "/v1.0/deviceManagement/remoteAssistancePartners"
auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
c.request("POST", base, json.dumps({"displayName": "instructions"}), {**auth, "Content-Type": "application/json"})
r = c.getresponse(); partner = json.loads(r.read())["id"]
def get(n):
    for _ in range(n):
        c.request("GET", f"{base}/{partner}", headers=auth)
        r = c.getresponse(); r.read()
        assert r.status == 200, r.status
get(warmup)
subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
get(requests)
subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
PY
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  # The dump after zeroing holds the timed requests only; its totals line is Ir.
  local dump
  dump=$(ls "$WORK"/callgrind."$1".* | sort | tail -1)
  awk -v n="$REQUESTS" '/^(totals|summary):/{print int($2 / n); exit}' "$dump"
}

on=$(count true 4200)
off=$(count false 4201)
pct=$(awk -v a="$on" -v b="$off" 'BEGIN{printf "%+.1f", (a - b) * 100 / b}')
echo "GET item instructions per request: metrics on $on, off $off ($pct %, limit $LIMIT_PCT %)"
awk -v p="$pct" -v l="$LIMIT_PCT" 'BEGIN{exit !(p <= l)}'
