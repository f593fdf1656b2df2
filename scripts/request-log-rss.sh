#!/usr/bin/env bash
# The request log keeps memory flat: one million requests through the release binary, VmRSS
# after warm-up against VmRSS after the million must stay within RSS_LIMIT_KIB (default 4 MiB).
#
#   RAPD_BIN=target/release/rapd bash scripts/request-log-rss.sh
#
# Load comes from wrk (Debian package `wrk`, installed with apt-get when missing). Requests are
# authorised Graph reads of one partner, with throttling off and a request log of 10 000 entries.
set -euo pipefail
cd "$(dirname "$0")/.."

RAPD_BIN="${RAPD_BIN:-$PWD/target/release/rapd}"
REQUESTS="${RSS_REQUESTS:-1000000}"
LIMIT_KIB="${RSS_LIMIT_KIB:-4096}"
CAPACITY=10000

if ! command -v wrk >/dev/null; then
  echo "rss: installing wrk with apt-get"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get install -y wrk >/dev/null || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; }
fi

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
RAPD_THROTTLING=off RAPD_REQUEST_LOG_CAPACITY=$CAPACITY RAPD_LOG=warn \
  "$RAPD_BIN" serve --listen "127.0.0.1:$port" --data-dir "$work/data" >"$work/stdout" 2>"$work/stderr" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
origin="http://127.0.0.1:$port"
for _ in $(seq 100); do
  curl -fsS "$origin/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
token="$("$RAPD_BIN" token --data-dir "$work/data")"
admin="$("$RAPD_BIN" control-token --data-dir "$work/data")"
id="$(curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"displayName":"rss"}' "$origin/v1.0/deviceManagement/remoteAssistancePartners" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
url="$origin/v1.0/deviceManagement/remoteAssistancePartners/$id"

# Runs wrk for $1 seconds; prints how many requests completed; fails on any non-2xx answer.
load() {
  local out
  out="$(wrk -t1 -c32 -d"$1"s --timeout 5s -H "Authorization: Bearer $token" "$url")"
  if grep -q "Non-2xx" <<<"$out" || grep -q "Socket errors" <<<"$out"; then
    echo "$out" >&2
    echo "rss: FAILED: errors under load" >&2
    return 1
  fi
  awk '/requests in/ {print $1}' <<<"$out"
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }

warm="$(load 5)"
(( warm > CAPACITY )) || { echo "rss: FAILED: warm-up did not fill the request log ($warm)"; exit 1; }
before="$(rss_kib)"
echo "rss: warm-up $warm requests, VmRSS $before KiB"
sent=0
started=$SECONDS
while (( sent < REQUESTS )); do
  sent=$(( sent + $(load 10) ))
  echo "rss: $sent requests, VmRSS $(rss_kib) KiB"
done
after="$(rss_kib)"
recorded="$(curl -fsS -H "Authorization: Bearer $admin" "$origin/_rapd/requests?limit=1" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["recorded"], d["capacity"])')"
echo "rss: $sent requests in $((SECONDS - started)) s; VmRSS $before -> $after KiB; log recorded/capacity: $recorded"
read -r count capacity <<<"$recorded"
(( count >= sent && capacity == CAPACITY )) || { echo "rss: FAILED: the log did not see every request"; exit 1; }
growth=$(( after - before ))
if (( growth > LIMIT_KIB )); then
  echo "rss: FAILED: VmRSS grew by $growth KiB (limit $LIMIT_KIB KiB)"
  exit 1
fi
echo "rss: passed: VmRSS grew by $growth KiB (limit $LIMIT_KIB KiB)"
