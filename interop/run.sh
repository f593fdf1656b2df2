#!/usr/bin/env bash
# Interop suites: the real Microsoft Graph SDKs (Python msgraph-sdk / msgraph-beta-sdk,
# JavaScript @microsoft/microsoft-graph-client) against a running rapd.
#
#   RAPD_BIN=target/release/rapd bash interop/run.sh
#
# RAPD_BIN (default: target/release/rapd, relative to the repo root) must already be built.
# Creates or updates the venv target/interop-venv and interop/js/node_modules, then runs
# `pytest -q interop/python` and `node --test interop/js/` once per engine: on SQLite, and on
# PostgreSQL when RAPD_TEST_DATABASE_URL names a database (each rapd then gets a fresh schema
# in it, made and dropped with psql). Under CI=true a missing RAPD_TEST_DATABASE_URL fails.
# Exits non-zero if any pass fails; every pass always runs, so one failing hides no other.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

RAPD_BIN="${RAPD_BIN:-target/release/rapd}"
case "$RAPD_BIN" in
  /*) ;;
  *) RAPD_BIN="$REPO_ROOT/$RAPD_BIN" ;;
esac
export RAPD_BIN
if [[ ! -x "$RAPD_BIN" ]]; then
  echo "interop: warning: no executable rapd at $RAPD_BIN (cargo build --release -p rapd); the suites will fail" >&2
fi

VENV="$REPO_ROOT/target/interop-venv"
REQS="$REPO_ROOT/interop/python/requirements.txt"

step() { printf '\n== interop: %s\n' "$*"; }

step "python venv ($VENV)"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
# Reinstall only when requirements.txt changed since the last successful install.
STAMP="$VENV/.interop-requirements.sha256"
WANT="$(sha256sum "$REQS" | cut -d' ' -f1)"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"
  echo "$WANT" > "$STAMP"
else
  echo "requirements unchanged, venv up to date"
fi

step "npm ci (interop/js)"
(cd interop/js && npm ci --no-audit --no-fund --loglevel=error)

status=0

engines=(sqlite)
if [[ -n "${RAPD_TEST_DATABASE_URL:-}" ]]; then
  engines+=(postgres)
elif [[ "${CI:-}" == "true" ]]; then
  echo "interop: CI=true needs RAPD_TEST_DATABASE_URL: the SDK suites run on both engines" >&2
  status=1
fi

for engine in "${engines[@]}"; do
  if [[ "$engine" == postgres ]]; then
    export RAPD_INTEROP_DATABASE_URL="$RAPD_TEST_DATABASE_URL"
  else
    unset RAPD_INTEROP_DATABASE_URL
  fi

  step "pytest -q interop/python on $engine (RAPD_BIN=$RAPD_BIN)"
  PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m pytest -q interop/python || status=1

  step "node --test interop/js/ on $engine (RAPD_BIN=$RAPD_BIN)"
  node --test interop/js/ || status=1
done
unset RAPD_INTEROP_DATABASE_URL

if [[ $status -ne 0 ]]; then
  step "FAILED"
else
  step "all interop suites passed"
fi
exit "$status"
