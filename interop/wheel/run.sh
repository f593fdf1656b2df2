#!/usr/bin/env bash
# rapd without Rust, as a user gets it: build the wheel (maturin, `bindings = "bin"`), install it
# with pip into a fresh venv beside the Graph SDK, and run test_plugin.py there with the wheel's
# pytest plugin. Nothing of this repository is on that venv's path but the wheel.
#
#   bash interop/wheel/run.sh
#
# The wheel is built by `pip wheel ./python` (maturin 1.16.0 from PyPI in pip's isolated build
# environment), whose cargo build uses CARGO_TARGET_DIR (default: target/) like the rest of the
# test command, so it reuses the release build. RAPD_BIN is unset for the tests: the plugin must
# find the binary the wheel installed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rapd-wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
VENV="$WORK/venv"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --quiet)

step() { printf '\n== wheel: %s\n' "$*"; }

step "fresh venv ($VENV)"
python3 -m venv "$VENV"

step "pip wheel ./python (maturin, release build in $CARGO_TARGET_DIR)"
start=$SECONDS
"${PIP[@]}" wheel --no-deps --wheel-dir "$WORK/dist" ./python
wheels=("$WORK"/dist/rapd-*.whl)
echo "built $(basename "${wheels[0]}") ($(du -h "${wheels[0]}" | cut -f1)) in $((SECONDS - start)) s"

step "pip install the wheel with the Graph SDK (interop/python/requirements.txt pins)"
"${PIP[@]}" install -r interop/python/requirements.txt "${wheels[0]}[graph]"

step "pytest interop/wheel with the wheel's plugin"
cd interop/wheel
env -u RAPD_BIN PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m pytest -q
