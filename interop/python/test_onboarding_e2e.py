"""The whole onboarding loop on one machine: a script begins onboarding through the Graph SDK,
rapd's partner simulator (the vendor) redeems the code and calls in, the script sees the partner
onboarded, disconnects it, the simulator's next call is refused, and the audit trail lists
every step with its actor."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from msgraph.generated.models.remote_assistance_onboarding_status import (
    RemoteAssistanceOnboardingStatus,
)
from msgraph.generated.models.remote_assistance_partner import RemoteAssistancePartner

from rapd_helpers import READ_WRITE, RapdServer, graph_client, rapd_bin

SIMULATED_VENDOR = """
[partner_sim]
enabled = true
delay_secs = 1
heartbeat_secs = 1
"""

AUDIT_READ = "DeviceManagementApps.Read.All"


@pytest.fixture
def rapd_with_vendor(tmp_path):
    server = RapdServer(binary=rapd_bin(), workdir=tmp_path, config=SIMULATED_VENDOR)
    server.start()
    yield server
    server.stop()


async def wait_for(predicate, timeout_s: float = 15.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out")


async def test_begin_onboarding_simulated_vendor_disconnect_and_audit(rapd_with_vendor):
    tenant = str(uuid.uuid4())
    token = rapd_with_vendor.token(tenant=tenant, scopes=(READ_WRITE, AUDIT_READ))
    client = graph_client(rapd_with_vendor.base_url, token, "v1.0")
    partners = client.device_management.remote_assistance_partners

    created = await partners.post(
        RemoteAssistancePartner(display_name="Contoso Remote", onboarding_url="https://example.com/onboard")
    )
    partner = partners.by_remote_assistance_partner_id(created.id)
    started = datetime.now(timezone.utc)
    await partner.begin_onboarding.post()

    async def onboarded():
        return (await partner.get()).onboarding_status == RemoteAssistanceOnboardingStatus.Onboarded

    await wait_for(onboarded)
    connected = await partner.get()
    assert connected.last_connection_date_time >= started - timedelta(seconds=1), "a fresh connection"

    await partner.disconnect.post()
    assert (await partner.get()).onboarding_status == RemoteAssistanceOnboardingStatus.NotOnboarded

    async def vendor_refused():
        return "partner simulator: disconnected" in rapd_with_vendor.stderr_path.read_text()

    await wait_for(vendor_refused, timeout_s=10)
    assert "401" in rapd_with_vendor.stderr_path.read_text()

    trail = (await client.device_management.audit_events.get()).value
    steps = [(e.activity_type, e.actor.audit_actor_type) for e in trail]
    assert steps == [
        ("Create RemoteAssistancePartner", "ItPro"),
        ("BeginOnboarding RemoteAssistancePartner", "ItPro"),
        ("Connect RemoteAssistancePartner", "Partner"),
        ("Disconnect RemoteAssistancePartner", "ItPro"),
    ], steps
    assert all(e.category == "RemoteAssistance" for e in trail)
    assert trail[0].actor.user_id and trail[2].actor.application_id == created.id
