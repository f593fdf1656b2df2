"""One `rapd serve` process on 127.0.0.1 with a data directory of its own.

Only the standard library is needed to start it and mint tokens; `graph_client()` imports the
Microsoft Graph SDK (`msgraph-sdk`, or `msgraph-beta-sdk` for beta) when called.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from rapd.binary import find_rapd_bin

# What a real application asks Entra ID for when it calls Graph.
GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]

STARTUP_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0
# A free port can be taken between finding it and rapd binding it: try again on another.
BIND_ATTEMPTS = 3


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RapdServer:
    """`rapd serve --profile development --listen 127.0.0.1:PORT --data-dir TMP`.

    `start()` returns once `/readyz` answers, with the state empty (the sample partner a first
    start creates is removed); `stop()` sends SIGTERM to the process, SIGKILL after
    `STOP_TIMEOUT_S`, and deletes the data directory. Also a context manager.

    The process gets this environment without its `RAPD_*` variables, so a shell's settings
    change nothing; `env` adds variables (e.g. `{"RAPD_THROTTLING": "off"}`), `args` flags.
    """

    def __init__(
        self,
        binary: Optional[os.PathLike[str] | str] = None,
        *,
        args: Sequence[str] = (),
        env: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.binary = Path(binary) if binary is not None else find_rapd_bin()
        self.args = list(args)
        self.env = dict(env or {})
        self.port: Optional[int] = None
        self.workdir: Optional[Path] = None
        self.process: Optional[subprocess.Popen[bytes]] = None
        self._control_token: Optional[str] = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> "RapdServer":
        self.workdir = Path(tempfile.mkdtemp(prefix="rapd-"))
        self.data_dir.mkdir(mode=0o700)
        try:
            for attempt in range(BIND_ATTEMPTS):
                self.port = _free_port()
                self._spawn()
                if self._wait_ready(retry_bind=attempt + 1 < BIND_ATTEMPTS):
                    break
            self.reset()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """SIGTERM by PID, SIGKILL if it is still running after `STOP_TIMEOUT_S`."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()  # SIGKILL
                self.process.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> "RapdServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self) -> None:
        args = [
            str(self.binary), "serve",
            "--profile", "development",
            "--listen", f"127.0.0.1:{self.port}",
            "--data-dir", str(self.data_dir),
            *self.args,
        ]
        env = self._child_env()
        with open(self._log("stdout"), "wb") as out, open(self._log("stderr"), "wb") as err:
            self.process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
            )

    def _wait_ready(self, retry_bind: bool) -> bool:
        """True once `/readyz` is 200; False if the port was taken and another may be tried."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if retry_bind and "in use" in self._log("stderr").read_text(errors="replace"):
                    return False
                raise RuntimeError(
                    f"rapd exited with status {self.process.returncode} before it was ready\n"
                    + self.logs()
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/readyz", timeout=2) as r:
                    if r.status == 200:
                        return True
                    last = f"HTTP {r.status}"
            except (urllib.error.URLError, OSError) as e:
                last = str(e)
            time.sleep(0.05)
        raise RuntimeError(
            f"rapd was not ready on {self.base_url}/readyz within {STARTUP_TIMEOUT_S:.0f} s "
            f"(last: {last})\n{self.logs()}"
        )

    # -- where it is -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`; Graph is under `/v1.0` and `/beta`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> Optional[int]:
        return self.process.pid if self.process is not None else None

    @property
    def data_dir(self) -> Path:
        if self.workdir is None:
            raise RuntimeError("the server is not started")
        return self.workdir / "data"

    def _log(self, stream: str) -> Path:
        return self.workdir / f"rapd.{stream}.log"

    def logs(self) -> str:
        """What the server printed so far, stdout then stderr."""
        if self.workdir is None:
            return ""
        parts = []
        for stream in ("stdout", "stderr"):
            path = self._log(stream)
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"----- rapd {stream} -----\n{text}")
        return "\n".join(parts)

    # -- tokens and clients ----------------------------------------------------------------

    def token(
        self,
        *,
        tenant: Optional[str] = None,
        scopes: Sequence[str] = (),
        user: Optional[str] = None,
        app: bool = False,
        ttl: Optional[int] = None,
    ) -> str:
        """A development token from `rapd token` on this server's data directory.

        Defaults: the development tenant and user, delegated,
        `DeviceManagementServiceConfig.ReadWrite.All`, one hour.
        """
        args = ["token"]
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
        return self._run(args)

    @property
    def control_token(self) -> str:
        """The admin token of the test-control API under `/_rapd/`."""
        if self._control_token is None:
            self._control_token = self._run(["control-token"])
        return self._control_token

    def reset(self, tenant: Optional[str] = None) -> None:
        """`POST /_rapd/reset`: delete every tenant's state, or one tenant's."""
        url = f"{self.base_url}/_rapd/reset"
        if tenant:
            url += f"?tenant={tenant}"
        self._control("POST", url)

    def seed(self, fixture: Mapping[str, Any]) -> dict[str, Any]:
        """`POST /_rapd/seed` with a fixture (docs/test-control.md describes the format)."""
        return self._control("POST", f"{self.base_url}/_rapd/seed", fixture)

    def graph_client(self, version: str = "v1.0", *, token: Optional[str] = None, **claims: Any):
        """A `GraphServiceClient` on this server: msgraph-sdk for `v1.0`, msgraph-beta-sdk for
        `beta`. It sends `token`, or one minted by `token(**claims)`."""
        if version == "v1.0":
            from msgraph import GraphServiceClient
        elif version == "beta":
            from msgraph_beta import GraphServiceClient
        else:
            raise ValueError(f"version is 'v1.0' or 'beta', not {version!r}")
        credential = StaticTokenCredential(token or self.token(**claims))
        client = GraphServiceClient(credentials=credential, scopes=GRAPH_SCOPES)
        client.request_adapter.base_url = f"{self.base_url}/{version}"
        return client

    def _run(self, args: list[str]) -> str:
        done = subprocess.run(
            [str(self.binary), *args, "--data-dir", str(self.data_dir)],
            capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
            env=self._child_env(),
        )
        if done.returncode != 0:
            raise RuntimeError(f"`rapd {args[0]}` exited with {done.returncode}: {done.stderr}")
        return done.stdout.strip()

    def _child_env(self) -> dict[str, str]:
        """This environment without `RAPD_*`, plus `env`: `serve` and `token` read the same."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAPD_")}
        env.update(self.env)
        return env

    def _control(self, method: str, url: str, body: Optional[Mapping[str, Any]] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"Bearer {self.control_token}",
            "Content-Type": "application/json",
        })
        with urllib.request.urlopen(request, timeout=30) as r:
            payload = r.read()
        return json.loads(payload) if payload else None


class StaticTokenCredential:
    """An azure.core `TokenCredential` that hands out one access token.

    It stands in for an azure-identity credential: the SDK calls `get_token(*scopes)` before
    each request and sends the result as the Bearer token.
    """

    def __init__(self, token: str, lifetime_s: int = 3600) -> None:
        self._token = token
        self._expires_on = int(time.time()) + lifetime_s

    def get_token(self, *scopes: str, **kwargs: Any):
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, self._expires_on)
