#!/usr/bin/env bash
# The whole test suite: formatting, lints, every Rust test, then the real Graph SDKs and
# schemathesis against the release binary, and the request log's flat memory over a million
# requests. Run from anywhere; installs what those need (PyPI, npm, the Debian package wrk)
# on first use. Its last line counts the stages: "stages: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
stage() {
  local name="$1"
  shift
  echo "== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "== FAILED: $name"
  fi
}

stage "cargo fmt --check" cargo fmt --all --check
stage "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
stage "cargo test" cargo test --workspace --locked
if cargo build --release --locked -p rapd -p rapd_crashloop; then
  export RAPD_BIN="$PWD/target/release/rapd"
  # SIGKILL under a write load, 50 times; prints "kills=N acknowledged=N lost=0".
  stage "crash loop (SQLite)" target/release/rapd-crashloop --kills 50
  # The PostgreSQL leg, on the server RAPD_TEST_DATABASE_URL names (a database per run).
  if [[ -n "${RAPD_TEST_DATABASE_URL:-}" ]]; then
    stage "crash loop (PostgreSQL)" target/release/rapd-crashloop --kills 50 \
      --database-url "$RAPD_TEST_DATABASE_URL"
  else
    echo "== crash loop (PostgreSQL): not run, RAPD_TEST_DATABASE_URL is not set"
  fi
  stage "SDK interop suites" bash interop/run.sh
  stage "schemathesis against /openapi.json" bash interop/schemathesis.sh
  stage "request log: flat RSS over 1M requests" bash scripts/request-log-rss.sh
else
  failed=$((failed + 1))
  echo "== FAILED: cargo build --release"
fi
echo "stages: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
