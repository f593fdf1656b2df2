#!/usr/bin/env bash
# The benchmark: rapd against the bare baseline (bench/bare), same machine, same run.
#
# Builds both (release), starts each on loopback, seeds 100 partners through the API, then
# drives GET item, GET list (100 partners), PATCH and disconnect with wrk (warm-up, then timed
# runs) at 32 connections with Intune throttling off, checks that no answer was an error,
# and records requests/s, p50, p99 and RSS. On SQLite it also measures the time to ready on a
# database of 100 000 partners, and GET item and a filtered list at 1 000 and at 1 000 000
# partners (100 000 tenants); and rapd on SQLite once more with `worker_threads = 1`, and for
# GET item with `metrics = false` (what /metrics' counting costs); and the mixed workload (1 000
# tenants, 90 % reads, 10 % writes, a token per tenant) on SQLite, and on PostgreSQL with one
# and two nodes. On PostgreSQL also PATCH spread over the 100 partners of one tenant and over
# one partner in each of the mixed workload's tenants, and pgbench's simple-update rate on the
# same server (a scratch database), the floor for durable writes there. Writes
# docs/performance.md and docs/performance.svg.
#
# Usage: bench/run.sh [--database-url postgres://user@host/db] [--peers] [--quick]
#   --database-url  also run rapd on PostgreSQL (a database made for the run, then dropped)
#   --peers         add the peers (Prism, json-server, Mockoon, WireMock) from npm, see bench/peers
#   --quick         short runs (3 s), for trying the script
# Env: DURATION (10) WARMUP (3) RUNS (2) CONNS (32) SCALE_PARTNERS (1000000) PEERS_DIR
#      MIX_TENANTS (1000) MIX_PARTNERS (10)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/bench"
DATABASE_URL=""
PEERS=0
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
RUNS="${RUNS:-2}"
CONNS="${CONNS:-32}"
MIX_TENANTS="${MIX_TENANTS:-1000}"
MIX_PARTNERS="${MIX_PARTNERS:-10}"
SCALE_PARTNERS="${SCALE_PARTNERS:-1000000}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --database-url) DATABASE_URL="$2"; shift 2 ;;
    --peers) PEERS=1; shift ;;
    --quick) DURATION=3; WARMUP=1; RUNS=1; SCALE_PARTNERS=100000; MIX_TENANTS=50; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rapd-bench.XXXXXX")"
RESULTS="$WORK/results.tsv"
SERVER_PID=""
PG_DB=""
PG_ADMIN=""
cleanup() {
  stop_server
  if [[ -n "$PG_DB" ]]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
command -v sqlite3 >/dev/null || apt-get install -y -qq sqlite3 >/dev/null
if [[ -n "$DATABASE_URL" ]] && ! command -v pgbench >/dev/null; then
  log "installing pgbench"
  apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null
fi

log "building rapd and the baseline (release)"
(cd "$ROOT" && cargo build --release --locked -p rapd -q)
(cd "$BENCH/bare" && cargo build --release --locked -q)
RAPD="${CARGO_TARGET_DIR:-$ROOT/target}/release/rapd"
BARE="${CARGO_TARGET_DIR:-$BENCH/bare/target}/release/bare"

# --- processes -----------------------------------------------------------------------------
rss_mb() { awk '$1=="VmRSS:"{printf "%.1f", $2/1024}' "/proc/$1/status"; }
hwm_mb() { awk '$1=="VmHWM:"{printf "%.1f", $2/1024}' "/proc/$1/status"; }

stop_server() {
  [[ -z "$SERVER_PID" ]] && return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  # The server is not this shell's child (launch.py started it): poll until it is gone or a zombie.
  for _ in $(seq 1 100); do
    [[ "$(awk '$1=="State:"{print $2}' "/proc/$SERVER_PID/status" 2>/dev/null)" =~ ^(Z|)$ ]] && break
    sleep 0.05
  done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

start_rapd() {   # $1 data dir, $2 port, $3 database url or "", $4 worker threads or "": sets SERVER_PID and READY_MS
  local launched
  launched=$(env RAPD_THROTTLING=off RAPD_LOG=error ${3:+RAPD_DATABASE_URL="$3"} \
    ${4:+RAPD_WORKER_THREADS="$4"} \
    python3 "$BENCH/launch.py" "http://127.0.0.1:$2/healthz" "$WORK/rapd-$2.log" \
    "$RAPD" serve --listen "127.0.0.1:$2" --data-dir "$1")
  read -r SERVER_PID READY_MS <<<"$launched"
}

# --- load ----------------------------------------------------------------------------------
# run_wrk LABEL ENDPOINT METHOD URL BODY TOKEN: warm-up, then RUNS timed runs into $RESULTS.
run_wrk() {
  METHOD=$3 BODY=$5 TOKEN=$6 wrk_runs "$1" "$2" request.lua "$4"
}

# wrk_runs LABEL ENDPOINT SCRIPT URL: warm-up, then RUNS timed runs of bench/lua/SCRIPT (which
# reads its settings from the environment) into $RESULTS.
wrk_runs() {
  local label=$1 endpoint=$2 script=$3 url=$4 out r
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" --timeout 5s -s "$BENCH/lua/$script" "$url" >/dev/null
  for r in $(seq 1 "$RUNS"); do
    out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s -s "$BENCH/lua/$script" "$url" |
      grep '^RESULT')
    log "$label $endpoint run $r: $out rss=$(rss_mb "$SERVER_PID")MiB"
    echo -e "$label\t$endpoint\t$r\t$out rss_mb=$(rss_mb "$SERVER_PID")" >> "$RESULTS"
    if ! grep -q 'non2xx=0 sock_err=0' <<<"$out"; then
      log "FAILED: $label $endpoint answered errors: $out"; exit 1
    fi
  done
}

BASE="/v1.0/deviceManagement/remoteAssistancePartners"
PATCH_BODY='{"displayName":"Renamed by the benchmark"}'

drive() {   # $1 label, $2 origin, $3 partner id, $4 token
  run_wrk "$1" item GET "$2$BASE/$3" "" "$4"
  run_wrk "$1" list GET "$2$BASE" "" "$4"
  run_wrk "$1" patch PATCH "$2$BASE/$3" "$PATCH_BODY" "$4"
  run_wrk "$1" disconnect POST "$2$BASE/$3/disconnect" "" "$4"
  echo -e "$1\tpeak\t0\tpeak_rss_mb=$(hwm_mb "$SERVER_PID")" >> "$RESULTS"
}

seed_api() {   # $1 origin, $2 token, $3 count: creates partners, prints the first id
  python3 - "$1$BASE" "$2" "$3" <<'PY'
import json, sys, urllib.request
url, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
ids = []
for i in range(1, count + 1):
    body = json.dumps({"displayName": f"Partner {i}", "onboardingUrl": "https://example.invalid/onboard"})
    request = urllib.request.Request(url, body.encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        ids.append(json.load(response)["id"])
print(ids[0])
PY
}

bench_rapd() {   # $1 label, $2 database url or "", $3 worker threads or "" (one per CPU)
  local dir="$WORK/$1" port=4020 token id
  mkdir -p "$dir"
  start_rapd "$dir" "$port" "$2" "${3:-}"
  token=$("$RAPD" token --data-dir "$dir" --ttl 86400)
  id=$(seed_api "http://127.0.0.1:$port" "$token" 100)
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port$BASE/$id/beginOnboarding"
  echo -e "$1\tready\t0\tready_ms=$READY_MS" >> "$RESULTS"
  drive "$1" "http://127.0.0.1:$port" "$id" "$token"
  stop_server
}

# GET item on SQLite with `metrics = false`: what counting every request for /metrics costs.
bench_metrics_off() {
  local dir="$WORK/metrics-off" port=4022 token id
  mkdir -p "$dir"
  RAPD_METRICS=false start_rapd "$dir" "$port" ""
  token=$("$RAPD" token --data-dir "$dir" --ttl 86400)
  id=$(seed_api "http://127.0.0.1:$port" "$token" 100)
  run_wrk rapd-sqlite-metrics-off item GET "http://127.0.0.1:$port$BASE/$id" "" "$token"
  stop_server
}

# --- the mixed workload: MIX_TENANTS tenants, 90 % reads, 10 % writes, a token per tenant ----
# mix_wrk LABEL FILE ORIGIN...: warm-up, then RUNS timed runs with one wrk per origin (node) at
# once; the runs' requests/s add up, p50 is their mean and p99 their worst.
mix_wrk() {
  local label=$1 file=$2 r origin outs rss
  shift 2
  for origin in "$@"; do
    MIX_FILE=$file wrk -t1 -c"$CONNS" -d"${WARMUP}s" --timeout 5s -s "$BENCH/lua/mixed.lua" \
      "$origin" >/dev/null &
  done
  wait
  for r in $(seq 1 "$RUNS"); do
    outs="$WORK/mix-$label-$r"
    rm -f "$outs".*
    local n=0
    for origin in "$@"; do
      n=$((n + 1))
      MIX_FILE=$file wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s -s "$BENCH/lua/mixed.lua" \
        "$origin" | grep '^RESULT' > "$outs.$n" &
    done
    wait
    rss=0
    for pid in "${MIX_PIDS[@]}"; do rss=$(awk -v a="$rss" -v b="$(rss_mb "$pid")" 'BEGIN{print a+b}'); done
    local combined
    combined=$(cat "$outs".* | awk '{for(i=2;i<=NF;i++){split($i,kv,"="); v[kv[1]]+=kv[2]; if(kv[1]=="p99_ms"&&kv[2]>m)m=kv[2]}; n++}
      END{printf "RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d non2xx=%d sock_err=%d", v["rps"], v["p50_ms"]/n, m, v["requests"], v["non2xx"], v["sock_err"]}')
    log "$label mixed run $r: $combined rss=${rss}MiB"
    echo -e "$label\tmixed\t$r\t$combined rss_mb=$rss" >> "$RESULTS"
    if ! grep -q 'non2xx=0 sock_err=0' <<<"$combined"; then
      log "FAILED: $label mixed answered errors: $combined"; exit 1
    fi
  done
}

bench_mixed() {   # $1 label, $2 database url or "", $3 nodes (1 or 2), $4 "writes": PATCH only too
  local dir="$WORK/$1" file="$WORK/$1.tokens" port origins=() node
  MIX_PIDS=()
  for node in $(seq 1 "${3:-1}"); do
    port=$((4040 + node))
    mkdir -p "$dir-$node"
    # Every node shares the first node's issuer key, so each accepts every tenant's token.
    [[ $node -gt 1 ]] && cp "$dir-1/"*.pem "$dir-$node/" 2>/dev/null
    start_rapd "$dir-$node" "$port" "$2"
    MIX_PIDS+=("$SERVER_PID")
    origins+=("http://127.0.0.1:$port")
  done
  log "$1: seeding $MIX_TENANTS tenants of $MIX_PARTNERS partners"
  python3 "$BENCH/mix_seed.py" "$RAPD" "$dir-1" "${origins[0]}" "$MIX_TENANTS" "$MIX_PARTNERS" "$file"
  mix_wrk "$1" "$file" "${origins[@]}"
  # The same tenants, one partner each, written to and nothing else: writes that share nothing.
  if [[ "${4:-}" == writes ]]; then
    MIX_FILE=$file wrk_runs rapd-postgresql patch-tenants writes.lua "${origins[0]}"
  fi
  for pid in "${MIX_PIDS[@]}"; do SERVER_PID=$pid; stop_server; done
}

# --- PostgreSQL writes ----------------------------------------------------------------------
# PATCH spread over the 100 partners of one tenant: writes that share the tenant, not the row.
bench_pg_partners() {   # $1 database url
  local dir="$WORK/pg-partners" port=4023 file="$WORK/pg-partners.tokens"
  mkdir -p "$dir"
  start_rapd "$dir" "$port" "$1"
  python3 "$BENCH/mix_seed.py" "$RAPD" "$dir" "http://127.0.0.1:$port" 1 100 "$file" every
  MIX_FILE=$file wrk_runs rapd-postgresql patch-partners writes.lua "http://127.0.0.1:$port"
  stop_server
}

# pgbench's simple update (-N) on a scratch database of the same server: what one durable
# write transaction per request can reach there, the floor rapd's writes are compared with.
bench_pgbench() {
  local db="${PG_DB}_pgbench" out tps latency
  psql "$PG_ADMIN" -qc "CREATE DATABASE $db"
  pgbench -i -q "${DATABASE_URL%/*}/$db" >/dev/null 2>&1
  out=$(pgbench -N -c "$CONNS" -j 2 -T "$DURATION" "${DATABASE_URL%/*}/$db" 2>/dev/null)
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  tps=$(awk '/^tps = /{print $3; exit}' <<<"$out")
  latency=$(awk '/^latency average = /{print $4; exit}' <<<"$out")
  log "pgbench -N: tps=$tps latency=${latency}ms"
  echo -e "pgbench\tsimple-update\t1\tRESULT rps=$tps lat_ms=$latency" >> "$RESULTS"
}

# --- SQLite at scale: tenants of 10 partners each, seeded with SQL -------------------------
# seed_sql DB PARTNERS: adds PARTNERS partners in PARTNERS/10 random tenants, each a copy of
# a real row (so timestamps and encodings are rapd's own), in one transaction.
seed_sql() {
  sqlite3 "$1" <<SQL
.output /dev/null
PRAGMA journal_mode=WAL;
.output stdout
BEGIN;
CREATE TEMP TABLE seed_tenants AS
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2 / 10)
  SELECT randomblob(16) AS tid FROM n;
INSERT INTO tenants SELECT tid, NULL, 1, (SELECT created FROM partners LIMIT 1) FROM seed_tenants;
INSERT INTO partners (tenant_id, id, display_name, onboarding_url, onboarding_status,
                      last_connection, onboarding_expiry, created, revision)
  SELECT t.tid, randomblob(16), 'Partner ' || k.i, p.onboarding_url, 0,
         p.last_connection, 0, p.created, 1
  FROM seed_tenants t,
       (WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < 10) SELECT i FROM m) k,
       (SELECT * FROM partners LIMIT 1) p;
COMMIT;
-- Leave no WAL behind: rapd would otherwise checkpoint the seed during the timed runs.
.output /dev/null
PRAGMA wal_checkpoint(TRUNCATE);
.output stdout
SQL
}

bench_scale() {   # $1 total partners: GET item and a filtered list of one tenant of 10
  local dir="$WORK/scale-$1" port=4021 token id
  mkdir -p "$dir"
  start_rapd "$dir" "$port" ""
  token=$("$RAPD" token --data-dir "$dir" --ttl 86400)
  id=$(seed_api "http://127.0.0.1:$port" "$token" 10)
  stop_server
  log "seeding $1 partners with SQL"
  seed_sql "$dir/rapd.db" "$(( $1 - 10 ))"
  start_rapd "$dir" "$port" ""
  echo -e "scale-$1\tready\t0\tready_ms=$READY_MS" >> "$RESULTS"
  run_wrk "scale-$1" item GET "http://127.0.0.1:$port$BASE/$id" "" "$token"
  run_wrk "scale-$1" filtered GET \
    "http://127.0.0.1:$port$BASE?\$filter=startswith(displayName,'Partner%201')" "" "$token"
  stop_server
}

# --- the run -------------------------------------------------------------------------------
echo -e "label\tendpoint\trun\tresult" > "$RESULTS"
log "baseline"
read -r SERVER_PID READY_MS <<<"$(python3 "$BENCH/launch.py" "http://127.0.0.1:4010$BASE/x" "$WORK/bare.log" "$BARE")"
drive bare http://127.0.0.1:4010 a3c1f0d2-0000-4000-8000-000000000001 ""
stop_server

log "rapd on SQLite"
bench_rapd rapd-sqlite ""
# The same with one runtime thread: on a machine whose other core runs the load generator, this
# shows what waking idle threads to steal work costs (docs/configuration.md, worker_threads).
log "rapd on SQLite with metrics off (GET item)"
bench_metrics_off
log "rapd on SQLite with worker_threads = 1"
bench_rapd rapd-sqlite-1thread "" 1
if [[ -n "$DATABASE_URL" ]]; then
  PG_DB="rapd_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  PG_ADMIN="${DATABASE_URL%/*}/postgres"
  psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB"
  log "rapd on PostgreSQL ($PG_DB)"
  bench_rapd rapd-postgresql "${DATABASE_URL%/*}/$PG_DB"
  log "PostgreSQL writes: one tenant's partners, and pgbench's floor"
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -qc "CREATE DATABASE $PG_DB"
  bench_pg_partners "${DATABASE_URL%/*}/$PG_DB"
  bench_pgbench
fi
log "the mixed workload"
bench_mixed mix-sqlite ""
if [[ -n "$DATABASE_URL" ]]; then
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -qc "CREATE DATABASE $PG_DB"
  bench_mixed mix-postgresql "${DATABASE_URL%/*}/$PG_DB" 1 writes
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -qc "CREATE DATABASE $PG_DB"
  bench_mixed mix-postgresql-2nodes "${DATABASE_URL%/*}/$PG_DB" 2
fi
log "ready time on 100 000 partners, and scaling"
bench_scale 1000
bench_scale 100000
[[ "$SCALE_PARTNERS" != 100000 ]] && bench_scale "$SCALE_PARTNERS"

if [[ "$PEERS" == 1 ]]; then
  RESULTS="$RESULTS" SERVER_LOG=/dev/null DURATION="$DURATION" WARMUP="$WARMUP" RUNS="$RUNS" \
    CONNS="$CONNS" bash "$BENCH/peers/run.sh"
fi

mkdir -p "$BENCH/results"
cp "$RESULTS" "$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ).tsv"
python3 "$BENCH/report.py" "$RESULTS" "$ROOT/docs/performance.md" "$ROOT/docs/performance.svg" \
  "wrk -t1 -c$CONNS, ${WARMUP} s warm-up, $RUNS × ${DURATION} s per endpoint; $(nproc) cores shared by server and load generator"
log "wrote docs/performance.md and docs/performance.svg"
