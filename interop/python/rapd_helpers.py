"""Small helpers shared by the interop tests: the rapd process, tokens, SDK clients.

Nothing here talks to rapd in a special way: the clients are configured exactly as a
user of the Microsoft Graph SDKs for Python would configure them (see interop/README.md).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import requests
from azure.core.credentials import AccessToken

REPO_ROOT = Path(__file__).resolve().parents[2]

# What a real application asks Entra ID for when it calls Graph.
GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]

# How Graph (Intune) writes a DateTimeOffset that has no value yet: 0001-01-01T00:00:00Z.
NO_VALUE = datetime(1, 1, 1, tzinfo=timezone.utc)

READ_WRITE = "DeviceManagementServiceConfig.ReadWrite.All"
READ_ONLY = "DeviceManagementServiceConfig.Read.All"

HEALTHZ_TIMEOUT_S = 20.0


def rapd_bin() -> Path:
    """$RAPD_BIN, or target/release/rapd under the repository root."""
    configured = os.environ.get("RAPD_BIN")
    path = Path(configured) if configured else REPO_ROOT / "target" / "release" / "rapd"
    return path if path.is_absolute() else (Path.cwd() / path)


def fresh_postgres_schema() -> Optional[tuple[str, str]]:
    """With $RAPD_INTEROP_DATABASE_URL set (interop/run.sh's PostgreSQL pass), a new schema in
    that database: (name, the URL that makes rapd use it). None: rapd uses SQLite."""
    admin = os.environ.get("RAPD_INTEROP_DATABASE_URL")
    if not admin:
        return None
    name = f"rapd_i_{os.urandom(8).hex()}"
    subprocess.run(
        ["psql", admin, "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE SCHEMA {name}"], check=True
    )
    separator = "&" if "?" in admin else "?"
    return name, f"{admin}{separator}options=-c%20search_path%3D{name}"


def drop_postgres_schema(name: str) -> None:
    admin = os.environ["RAPD_INTEROP_DATABASE_URL"]
    subprocess.run(["psql", admin, "-qc", f"DROP SCHEMA IF EXISTS {name} CASCADE"], check=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RapdServer:
    """One `rapd serve` process on 127.0.0.1 with its own data directory."""

    binary: Path
    workdir: Path
    port: int = field(default_factory=free_port)
    process: Optional[subprocess.Popen] = None
    config: Optional[str] = None  # TOML text for `--config`, when the test needs settings
    schema: Optional[str] = None  # the PostgreSQL schema of this server, when on PostgreSQL

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def stdout_path(self) -> Path:
        return self.workdir / "rapd.stdout.log"

    @property
    def stderr_path(self) -> Path:
        return self.workdir / "rapd.stderr.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if not self.binary.is_file():
            raise RuntimeError(
                f"rapd binary not found at {self.binary}: build it with "
                "`cargo build --release -p rapd` or set RAPD_BIN"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            str(self.binary), "serve",
            "--listen", f"127.0.0.1:{self.port}",
            "--data-dir", str(self.data_dir),
        ]
        if self.config is not None:
            config_path = self.workdir / "rapd.toml"
            config_path.write_text(self.config)
            args += ["--config", str(config_path)]
        env = dict(os.environ)
        postgres = fresh_postgres_schema()
        if postgres is not None:
            self.schema, env["RAPD_DATABASE_URL"] = postgres
        env.pop("RAPD_INTEROP_DATABASE_URL", None)
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + HEALTHZ_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"rapd exited with status {self.process.returncode} before /healthz answered\n"
                    + self.logs()
                )
            try:
                r = requests.get(f"{self.base_url}/healthz", timeout=2)
                if r.status_code == 200:
                    return
                last = f"HTTP {r.status_code}"
            except requests.RequestException as e:
                last = type(e).__name__
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"rapd did not answer GET /healthz with 200 within {HEALTHZ_TIMEOUT_S:.0f} s "
            f"(last: {last})\n" + self.logs()
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.schema is not None:
            drop_postgres_schema(self.schema)
            self.schema = None

    def logs(self) -> str:
        parts = []
        for name, path in (("stdout", self.stdout_path), ("stderr", self.stderr_path)):
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"----- rapd {name} ({path}) -----\n{text}")
        return "\n".join(parts)

    def token(
        self,
        *,
        tenant: Optional[str] = None,
        scopes: tuple[str, ...] = (),
        user: Optional[str] = None,
        app: bool = False,
        ttl: Optional[int] = None,
    ) -> str:
        """Mint a development token: `rapd token --data-dir DIR [...]` prints one JWT."""
        args = [str(self.binary), "token", "--data-dir", str(self.data_dir)]
        if tenant:
            args += ["--tenant", tenant]
        for scope in scopes:
            args += ["--scope", scope]
        if user:
            args += ["--user", user]
        if app:
            args.append("--app")
        if ttl is not None:
            args += ["--ttl", str(ttl)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError(
                f"`{' '.join(args)}` exited with {done.returncode}\n"
                f"stdout: {done.stdout}\nstderr: {done.stderr}"
            )
        jwt = done.stdout.strip()
        assert len(jwt.splitlines()) == 1 and jwt.count(".") == 2, (
            f"`rapd token` must print one JWT alone on stdout, got: {done.stdout!r}"
        )
        return jwt


def control_token(server: "RapdServer") -> str:
    """The test-control admin token: `rapd control-token --data-dir DIR` prints it."""
    done = subprocess.run(
        [str(server.binary), "control-token", "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise RuntimeError(f"`rapd control-token` exited with {done.returncode}: {done.stderr}")
    return done.stdout.strip()


class StaticTokenCredential:
    """An azure.core TokenCredential that hands out one pre-minted access token.

    Stands in for an azure-identity credential (ClientSecretCredential, ...): the SDK
    calls get_token(*scopes) before each request and sends the result as a Bearer token.
    """

    def __init__(self, token: str, lifetime_s: int = 3600) -> None:
        self._token = token
        self._expires_on = int(time.time()) + lifetime_s

    def get_token(self, *scopes: str, claims: Optional[str] = None,
                  tenant_id: Optional[str] = None, enable_cae: bool = False,
                  **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, self._expires_on)


def graph_client(base_url: str, token: str, version: str = "v1.0"):
    """A GraphServiceClient (v1.0 from msgraph-sdk, beta from msgraph-beta-sdk) on rapd.

    These lines are the whole configuration a user needs (also in interop/README.md).
    GraphServiceClient(credentials=..., scopes=...) builds kiota's
    AzureIdentityAuthenticationProvider with an empty allowed-hosts list (= every host)
    and kiota accepts plain http for localhost/127.0.0.1/::1, so only the base URL changes.
    """
    credential = StaticTokenCredential(token)
    if version == "v1.0":
        from msgraph import GraphServiceClient
    elif version == "beta":
        from msgraph_beta import GraphServiceClient
    else:
        raise ValueError(version)
    client = GraphServiceClient(credentials=credential, scopes=GRAPH_SCOPES)
    client.request_adapter.base_url = f"{base_url}/{version}"
    return client


def assert_odata_error(err, status: int, code: str) -> None:
    """The SDK raised ODataError with this status and error.code, a message and a request-id."""
    assert err.response_status_code == status, (
        f"expected HTTP {status}, got {err.response_status_code}: {err!r}"
    )
    assert err.error is not None, f"error body was not parsed as an OData error: {err!r}"
    assert err.error.code == code, f"expected error.code {code!r}, got {err.error.code!r}"
    assert err.error.message, "error.message must be non-empty"
    assert err.error.inner_error is not None, "error.innerError missing (spelled innerError?)"
    assert err.error.inner_error.request_id, "error.innerError['request-id'] must be non-empty"
    header = (err.response_headers or {}).get("request-id")
    assert header == err.error.inner_error.request_id, (
        f"request-id header {header!r} != innerError request-id {err.error.inner_error.request_id!r}"
    )
