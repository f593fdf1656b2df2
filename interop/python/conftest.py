"""Fixtures: one rapd server for the whole session, tokens, and SDK clients pointed at it."""

from __future__ import annotations

import pytest

from rapd_helpers import RapdServer, graph_client, rapd_bin

_started: list[RapdServer] = []


@pytest.fixture(scope="session")
def rapd(tmp_path_factory) -> RapdServer:
    """`$RAPD_BIN serve --listen 127.0.0.1:PORT --data-dir TMP`, ready on /healthz."""
    server = RapdServer(binary=rapd_bin(), workdir=tmp_path_factory.mktemp("rapd"))
    _started.append(server)
    try:
        server.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def token(rapd) -> str:
    """The default development token: dev tenant, delegated user, ServiceConfig.ReadWrite.All."""
    return rapd.token()


@pytest.fixture
def v1(rapd, token):
    """msgraph-sdk (v1.0) GraphServiceClient on rapd."""
    return graph_client(rapd.base_url, token, "v1.0")


@pytest.fixture
def beta(rapd, token):
    """msgraph-beta-sdk GraphServiceClient on rapd."""
    return graph_client(rapd.base_url, token, "beta")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """On any failure, show what the server printed."""
    failed = terminalreporter.stats.get("failed") or terminalreporter.stats.get("error")
    if failed:
        for server in _started:
            terminalreporter.section("rapd server output")
            terminalreporter.write_line(server.logs())
