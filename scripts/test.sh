#!/usr/bin/env bash
# The whole test suite: formatting, lints, every Rust test, then the real Graph SDKs against the
# release binary. Run from anywhere; installs what the SDK suites need (PyPI, npm) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== cargo build --release"
cargo build --release --locked -p rapd
echo "== SDK interop suites"
RAPD_BIN="$PWD/target/release/rapd" bash interop/run.sh
