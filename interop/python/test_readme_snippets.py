"""The README's Python and JavaScript snippets run as printed there.

Each fenced ```python and ```js block of README.md's "Graph SDKs" section is written to a file,
the README's origin (http://127.0.0.1:8080) replaced by this test's server, and run as a user
would run it: `python disconnect.py` in the venv, `node disconnect.mjs` beside interop/js's
node_modules, with the banner's TOKEN in the environment. Each lists the development tenant's
partners and disconnects the sample, which starts onboarded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import requests

from rapd_helpers import REPO_ROOT, RapdServer, rapd_bin

README_ORIGIN = "http://127.0.0.1:8080"
SAMPLE_NAME = "Contoso Remote Assistance (sample)"
PARTNERS = "/v1.0/deviceManagement/remoteAssistancePartners"


def snippets(language: str) -> list[str]:
    """The ```language blocks of README.md's "Graph SDKs" section."""
    text = (REPO_ROOT / "README.md").read_text()
    section = text.split("\n## Graph SDKs\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"^```{language}\n(.*?)^```$", section, flags=re.M | re.S)


@pytest.fixture
def server(tmp_path):
    """A fresh rapd, so the development tenant holds exactly the sample partner."""
    rapd = RapdServer(binary=rapd_bin(), workdir=tmp_path)
    try:
        rapd.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield rapd
    rapd.stop()


def sample(server: RapdServer, token: str) -> dict:
    listed = requests.get(
        server.base_url + PARTNERS, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()["value"]
    assert [p["displayName"] for p in listed] == [SAMPLE_NAME], listed
    return listed[0]


def run(args: list[str], cwd, token: str) -> str:
    env = dict(os.environ, TOKEN=token)
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def prepared(code: str, server: RapdServer) -> str:
    assert README_ORIGIN in code, "the snippet names rapd's default origin"
    return code.replace(README_ORIGIN, server.base_url)


def test_the_python_snippet_runs_as_printed(server, tmp_path):
    [code] = snippets("python")
    token = server.token()
    assert sample(server, token)["onboardingStatus"] == "onboarded"
    script = tmp_path / "disconnect.py"
    script.write_text(prepared(code, server))
    out = run([sys.executable, str(script)], tmp_path, token)
    assert SAMPLE_NAME in out and "disconnected" in out, out
    assert sample(server, token)["onboardingStatus"] == "notOnboarded"


def test_the_javascript_snippet_runs_as_printed(server):
    [code] = snippets("js")
    node = shutil.which("node")
    modules = REPO_ROOT / "interop" / "js" / "node_modules" / "@microsoft" / "microsoft-graph-client"
    assert node and modules.is_dir(), "needs node and interop/js/node_modules (interop/run.sh)"
    token = server.token()
    assert sample(server, token)["onboardingStatus"] == "onboarded"
    # Beside interop/js's node_modules, where Node resolves the import from.
    script = REPO_ROOT / "interop" / "js" / f".readme-snippet-{os.getpid()}.mjs"
    script.write_text(prepared(code, server))
    try:
        out = run([node, str(script)], script.parent, token)
    finally:
        script.unlink()
    assert SAMPLE_NAME in out and "disconnected" in out, out
    assert sample(server, token)["onboardingStatus"] == "notOnboarded"
