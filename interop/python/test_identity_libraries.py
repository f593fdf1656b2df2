"""azure-identity, MSAL Python and msgraph-sdk's GraphServiceClient(credentials=...) against
rapd's identity provider and Graph, both over https, with only the documented settings changed.

Each flow runs in a fresh process (identity_flows.py) so that it sees exactly the trust
variables it documents: this machine may export system-bundle variables, and aiohttp reads
SSL_CERT_FILE once per process. App-only flows run against a rapd with the `graph`
permission profile; delegated flows against the default `founding-page` profile.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rapd_helpers import RapdServer, free_port, rapd_bin

FLOWS = Path(__file__).with_name("identity_flows.py")
TRUST_VARIABLES = ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR",
                   "NODE_EXTRA_CA_CERTS"]
FLOW_TIMEOUT_S = 120


class TlsRapd:
    """A rapd serving http and https, and what `rapd ca` printed for it."""

    def __init__(self, workdir: Path, permissions: str) -> None:
        self.tls_port = free_port()
        self.server = RapdServer(binary=rapd_bin(), workdir=workdir)
        self.server.config = (
            f'permissions = "{permissions}"\n'
            f'[tls]\nlisten = "127.0.0.1:{self.tls_port}"\n'
            "[idp]\ndevice_code_auto_approve = true\ndevice_code_interval_secs = 1\n"
        )
        self.trust: dict[str, str] = {}

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}"

    def start(self) -> None:
        self.server.start()
        printed = subprocess.run(
            [str(rapd_bin()), "ca", "--data-dir", str(self.server.data_dir)],
            capture_output=True, text=True, timeout=30, check=True, stdin=subprocess.DEVNULL,
        ).stdout
        for line in printed.splitlines():
            if line.startswith("export "):
                name, _, value = line[len("export "):].partition("=")
                self.trust[name] = value.split("'")[1]
        assert set(self.trust) == {"REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS"}

    def run_flow(self, flow: str, env: dict[str, str]) -> subprocess.CompletedProcess:
        clean = {k: v for k, v in os.environ.items()
                 if k not in TRUST_VARIABLES and not k.startswith("AZURE_")}
        clean.update(env, RAPD_HTTPS=self.https, PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run(
            [sys.executable, str(FLOWS), flow], env=clean, capture_output=True, text=True,
            timeout=FLOW_TIMEOUT_S, stdin=subprocess.DEVNULL,
        )


def _start(tmp_path_factory, permissions: str):
    rapd = TlsRapd(tmp_path_factory.mktemp(f"rapd-tls-{permissions}"), permissions)
    try:
        rapd.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    return rapd


@pytest.fixture(scope="module")
def founding_page(tmp_path_factory):
    rapd = _start(tmp_path_factory, "founding-page")
    yield rapd
    rapd.server.stop()


@pytest.fixture(scope="module")
def graph_profile(tmp_path_factory):
    rapd = _start(tmp_path_factory, "graph")
    yield rapd
    rapd.server.stop()


def requests_and_httpx(rapd: TlsRapd) -> dict[str, str]:
    """Sync azure-identity and MSAL use requests; msgraph-sdk (httpx) reads SSL_CERT_FILE."""
    return {"REQUESTS_CA_BUNDLE": rapd.trust["REQUESTS_CA_BUNDLE"],
            "SSL_CERT_FILE": rapd.trust["SSL_CERT_FILE"]}


def assert_ok(done: subprocess.CompletedProcess, flow: str) -> None:
    assert done.returncode == 0 and done.stdout.startswith(f"OK {flow}"), (
        f"{flow} failed ({done.returncode})\nstdout: {done.stdout}\nstderr: {done.stderr[-4000:]}"
    )


# Delegated flows: the founding page's permission, so they run under the default profile.
@pytest.mark.parametrize("flow", [
    "device_code",
    "username_password",
    "msal_device_code",
    "msal_username_password_adfs",
])
def test_delegated_flows_under_the_default_profile(founding_page, flow):
    assert_ok(founding_page.run_flow(flow, requests_and_httpx(founding_page)), flow)


# App-only flows: refused by the founding page, accepted by the `graph` profile.
@pytest.mark.parametrize("flow", ["client_secret", "msal_client_credentials"])
def test_app_flows_under_the_graph_profile(graph_profile, flow):
    assert_ok(graph_profile.run_flow(flow, requests_and_httpx(graph_profile)), flow)


def test_async_default_credential_from_environment_only(graph_profile):
    env = {
        "AZURE_AUTHORITY_HOST": graph_profile.https,
        "AZURE_TENANT_ID": "contoso.onmicrosoft.com",
        "AZURE_CLIENT_ID": "0e8b1f2a-9c3d-4a6b-b7e5-3f2d1c0b9a80",
        "AZURE_CLIENT_SECRET": "rapd-dev-secret",
        # aiohttp (azure.identity.aio) and httpx (msgraph-sdk) both read SSL_CERT_FILE.
        "SSL_CERT_FILE": graph_profile.trust["SSL_CERT_FILE"],
    }
    assert_ok(graph_profile.run_flow("default_credential_aio_env", env),
              "default_credential_aio_env")


def test_app_flow_is_refused_by_the_founding_page(founding_page):
    done = founding_page.run_flow("msal_client_credentials", requests_and_httpx(founding_page))
    assert done.returncode != 0
    assert "403" in done.stderr, done.stderr[-2000:]


def test_without_the_trust_variables_the_certificate_is_refused(graph_profile):
    done = graph_profile.run_flow("msal_client_credentials", {})
    assert done.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in done.stderr, done.stderr[-2000:]
