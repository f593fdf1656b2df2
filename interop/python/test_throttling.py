"""Intune's throttling meets the SDK's retry handler: a 429 with Retry-After is waited out and
the request then succeeds, with no code in the script."""

from __future__ import annotations

import time

import pytest
from msgraph.generated.models.remote_assistance_partner import RemoteAssistancePartner

from rapd_helpers import RapdServer, graph_client, rapd_bin

# Intune's shape with a short window so the test waits about a second, not twenty.
THROTTLED = """
[throttling]
window_secs = 2
app_writes = 3
tenant_writes = 6
"""


@pytest.fixture
def throttled_rapd(tmp_path):
    server = RapdServer(binary=rapd_bin(), workdir=tmp_path, config=THROTTLED)
    server.start()
    yield server
    server.stop()


async def test_sdk_backs_off_on_429_and_succeeds(throttled_rapd):
    client = graph_client(throttled_rapd.base_url, throttled_rapd.token(), "v1.0")
    partners = client.device_management.remote_assistance_partners
    before = len((await partners.get()).value)

    started = time.monotonic()
    for i in range(4):  # the fourth write in the window is answered 429, then retried
        created = await partners.post(RemoteAssistancePartner(display_name=f"throttled {i}"))
        assert created is not None and created.id
    elapsed = time.monotonic() - started

    assert elapsed >= 0.5, f"the SDK cannot have waited for Retry-After ({elapsed:.2f} s)"
    assert len((await partners.get()).value) == before + 4
