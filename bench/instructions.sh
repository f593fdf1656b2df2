#!/usr/bin/env bash
# Instructions per GET request with /metrics' counting on and off, counted by callgrind:
# unlike requests/s, an instruction count does not move with the host's load, so it shows what
# the counting costs, or what a change to a request saves, where wall-clock ratios on shared
# cores are noise (bench/analysis.md).
#
# Each setting: the release binary under `valgrind --tool=callgrind`, PARTNERS partners and a
# token, WARMUP requests, counters zeroed, REQUESTS requests on one keep-alive connection,
# counters dumped. Prints both counts and their ratio; exits 1 when counting costs more than
# LIMIT_PCT. REQUEST=item asks for one partner; REQUEST=list for the collection (one page of
# the benchmark's 100 partners, no $select). RAPD_BIN measures that binary instead of building
# this tree (to count a build of another commit the same way).
#
# Usage: bench/instructions.sh   Env: REQUEST (item|list) PARTNERS (1 for item, 100 for list)
#        REQUESTS (2000) WARMUP (300) LIMIT_PCT (5) RAPD_BIN
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REQUEST="${REQUEST:-item}"
case "$REQUEST" in
  item) PARTNERS="${PARTNERS:-1}" ;;
  list) PARTNERS="${PARTNERS:-100}" ;;
  *) echo "REQUEST is item or list, not $REQUEST" >&2; exit 2 ;;
esac
REQUESTS="${REQUESTS:-2000}"
WARMUP="${WARMUP:-300}"
LIMIT_PCT="${LIMIT_PCT:-5}"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
if [[ -n "${RAPD_BIN:-}" ]]; then
  RAPD="$RAPD_BIN"
  unset RAPD_BIN # rapd warns of a RAPD_ variable it does not know
else
  (cd "$ROOT" && cargo build --release --locked -p rapd -q)
  RAPD="${CARGO_TARGET_DIR:-$ROOT/target}/release/rapd"
fi
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
  python3 - "$port" "$token" "$WARMUP" "$REQUESTS" "$PID" "$REQUEST" "$PARTNERS" <<'PY'
import http.client, json, subprocess, sys
port, token, warmup, requests, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
request, partners = sys.argv[6], int(sys.argv[7])
base = "/v1.0/deviceManagement/remoteAssistancePartners"
auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
for i in range(partners):
    name = "instructions" if i == 0 else f"instructions {i}"  # the item's body as it always was
    c.request("POST", base, json.dumps({"displayName": name}), {**auth, "Content-Type": "application/json"})
    r = c.getresponse(); partner = json.loads(r.read())["id"]
path = f"{base}/{partner}" if request == "item" else base
def get(n):
    for _ in range(n):
        c.request("GET", path, headers=auth)
        r = c.getresponse(); body = r.read()
        assert r.status == 200, r.status
        assert request == "item" or len(json.loads(body)["value"]) == min(partners, 100)
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
echo "GET $REQUEST instructions per request: metrics on $on, off $off ($pct %, limit $LIMIT_PCT %)"
awk -v p="$pct" -v l="$LIMIT_PCT" 'BEGIN{exit !(p <= l)}'
