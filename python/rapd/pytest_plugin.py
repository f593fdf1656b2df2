"""pytest fixtures that start the `rapd` binary this wheel installed.

Loaded by installing the wheel (entry point `pytest11`), nothing to import:

- `rapd`: a fresh server per test (own port, own data directory, empty state), stopped after it;
- `rapd_session`: one server for the whole session; call `rapd_session.reset()` where a test
  needs empty state (an autouse fixture of your own does it for every test).

Each yields a `rapd.RapdServer`: `base_url`, `token(...)`, `graph_client(...)`, `reset()`,
`seed(fixture)`. A failing test that used one gets the server's output as a report section.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from rapd.server import RapdServer

_FIXTURES = ("rapd", "rapd_session")


@pytest.fixture
def rapd() -> Iterator[RapdServer]:
    """A fresh `rapd serve` on a free loopback port, stopped by PID after the test."""
    with RapdServer() as server:
        yield server


@pytest.fixture(scope="session")
def rapd_session() -> Iterator[RapdServer]:
    """One `rapd serve` for the whole test session, stopped by PID at its end."""
    with RapdServer() as server:
        yield server


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    for name in _FIXTURES:
        server = getattr(item, "funcargs", {}).get(name)
        if isinstance(server, RapdServer):
            report.sections.append((f"rapd output ({name})", server.logs()))
