#!/usr/bin/env bash
# The console in a real browser: Playwright (PyPI) driving Debian's Chromium against the release
# binary (interop/console/test_console.py).
#
#   RAPD_BIN=target/release/rapd bash interop/console.sh
#   RAPD_CONSOLE_SCREENSHOTS=docs/console bash interop/console.sh   # refresh the README's pictures
#
# Installs what it needs on first use: the Debian package chromium (apt-get, only if
# /usr/bin/chromium is missing; Playwright never downloads a browser) and the pinned PyPI packages
# of interop/console/requirements.txt into the venv target/console-venv.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

RAPD_BIN="${RAPD_BIN:-target/release/rapd}"
case "$RAPD_BIN" in
  /*) ;;
  *) RAPD_BIN="$REPO_ROOT/$RAPD_BIN" ;;
esac
export RAPD_BIN

if [[ ! -x /usr/bin/chromium ]]; then
  echo "== console: apt-get install chromium"
  apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
fi

VENV="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/console-venv"
REQS="$REPO_ROOT/interop/console/requirements.txt"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$REQS" | cut -d' ' -f1)"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"
  echo "$WANT" > "$STAMP"
fi

if [[ -n "${RAPD_CONSOLE_SCREENSHOTS:-}" ]]; then
  mkdir -p "$RAPD_CONSOLE_SCREENSHOTS"
  RAPD_CONSOLE_SCREENSHOTS="$(cd "$RAPD_CONSOLE_SCREENSHOTS" && pwd)"
  export RAPD_CONSOLE_SCREENSHOTS
fi
echo "== console: pytest -q interop/console (RAPD_BIN=$RAPD_BIN, /usr/bin/chromium)"
PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m pytest -q -p no:cacheprovider interop/console
