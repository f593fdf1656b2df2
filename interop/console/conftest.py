"""Fixtures of the console's browser test: one rapd server, Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("RAPD_CHROMIUM", "/usr/bin/chromium")


def rapd_bin() -> Path:
    path = Path(os.environ.get("RAPD_BIN", "target/release/rapd"))
    return path if path.is_absolute() else REPO_ROOT / path


class Rapd:
    """`rapd serve` in the development profile on a free loopback port."""

    def __init__(self, workdir: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.binary = rapd_bin()
        self.data_dir = workdir / "data"
        self.log = workdir / "rapd.log"
        self.base_url = f"http://127.0.0.1:{self.port}"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [str(self.binary), "serve", "--listen", f"127.0.0.1:{self.port}",
                 "--data-dir", str(self.data_dir)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("rapd did not answer /healthz\n" + self.log.read_text())

    def token(self, *scopes: str) -> str:
        args = [str(self.binary), "token", "--data-dir", str(self.data_dir)]
        for scope in scopes:
            args += ["--scope", scope]
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def rapd(tmp_path_factory):
    server = Rapd(tmp_path_factory.mktemp("rapd"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        # Debian's chromium package: Playwright never downloads a browser here.
        browser = p.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where pages are photographed: RAPD_CONSOLE_SCREENSHOTS (docs/console) or a temp dir."""
    wanted = os.environ.get("RAPD_CONSOLE_SCREENSHOTS")
    path = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
