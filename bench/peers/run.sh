#!/usr/bin/env bash
# The peers, for bench/run.sh --peers: Prism, json-server, Mockoon and WireMock, installed from
# npm into a scratch folder ($PEERS_DIR), each serving the same Graph-shaped bodies from the
# configurations here. They have no PATCH and their list holds one partner, so they are driven
# on GET item, GET list and POST disconnect only. Appends to $RESULTS as bench/run.sh does.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PEERS_DIR="${PEERS_DIR:-${TMPDIR:-/tmp}/rapd-bench-peers}"
ID="a3c1f0d2-0000-4000-8000-000000000001"
BASE="/v1.0/deviceManagement/remoteAssistancePartners"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rapd-peers.XXXXXX")"
SERVER_PID=""
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

if [[ ! -d "$PEERS_DIR/node_modules/wiremock" ]]; then
  log "installing the peers into $PEERS_DIR"
  mkdir -p "$PEERS_DIR"
  (cd "$PEERS_DIR" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --silent @stoplight/prism-cli json-server@0.17.4 @mockoon/cli wiremock@3.13.2)
fi
command -v java >/dev/null || apt-get install -y -qq default-jre-headless >/dev/null

tree_pids() { local p=$1 c; echo "$p"; for c in $(pgrep -P "$p" 2>/dev/null); do tree_pids "$c"; done; }
tree_mb() {   # $1 field (VmRSS, VmHWM) summed over the tree, MiB
  local t=0 p v
  for p in $(tree_pids "$SERVER_PID"); do
    v=$(awk -v f="$1:" '$1==f{print $2}' "/proc/$p/status" 2>/dev/null); t=$((t + ${v:-0}))
  done
  awk -v k="$t" 'BEGIN{printf "%.1f", k/1024}'
}
stop_peer() {
  [[ -z "$SERVER_PID" ]] && return 0
  local pids p; pids=$(tree_pids "$SERVER_PID" | tac)
  for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap 'stop_peer; rm -rf "$WORK"' EXIT

start_peer() {
  case "$1" in
    jsonserver) PORT=4011; cp "$HERE/jsonserver/db.json" "$WORK/db.json"
      JS_LOGGER=0 NODE_PATH="$PEERS_DIR/node_modules" node "$HERE/jsonserver/server.js" "$WORK/db.json" $PORT >/dev/null 2>&1 & ;;
    mockoon) PORT=4012
      node "$PEERS_DIR/node_modules/@mockoon/cli/bin/run.js" start -d "$HERE/mockoon/environment.json" \
        -p $PORT -l 127.0.0.1 -X >/dev/null 2>&1 & ;;
    wiremock) PORT=4013; rm -rf "$WORK/wm"; cp -r "$HERE/wiremock" "$WORK/wm"
      java -jar "$(ls "$PEERS_DIR"/node_modules/wiremock/build/wiremock-standalone-*.jar | head -1)" \
        --port $PORT --bind-address 127.0.0.1 --root-dir "$WORK/wm" --disable-banner --no-request-journal >/dev/null 2>&1 & ;;
    prism) PORT=4014
      node "$PEERS_DIR/node_modules/@stoplight/prism-cli/dist/index.js" mock -h 127.0.0.1 -p $PORT \
        -v silent "$HERE/openapi.yaml" >/dev/null 2>&1 & ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 1 900); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$BASE/$ID" || true)" == 200 ]] && return 0
    sleep 0.1
  done
  log "$1 did not become ready"; return 1
}

run_wrk() {   # label endpoint method url
  local out r
  METHOD=$3 wrk -t1 -c"$CONNS" -d"${WARMUP}s" --timeout 5s -s "$HERE/../lua/request.lua" "$4" >/dev/null
  for r in $(seq 1 "$RUNS"); do
    out=$(METHOD=$3 wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s -s "$HERE/../lua/request.lua" "$4" | grep '^RESULT')
    log "$1 $2 run $r: $out"
    echo -e "$1\t$2\t$r\t$out rss_mb=$(tree_mb VmRSS)" >> "$RESULTS"
  done
}

for peer in prism jsonserver mockoon wiremock; do
  log "peer $peer"
  start_peer "$peer" || { stop_peer; continue; }
  origin="http://127.0.0.1:$PORT"
  run_wrk "$peer" item GET "$origin$BASE/$ID"
  run_wrk "$peer" list GET "$origin$BASE"
  run_wrk "$peer" disconnect POST "$origin$BASE/$ID/disconnect"
  echo -e "$peer\tpeak\t0\tpeak_rss_mb=$(tree_mb VmHWM)" >> "$RESULTS"
  stop_peer
done
