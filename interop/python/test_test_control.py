"""The test-control API with the real SDK: an injected 429 is waited out by the SDK's retry
handler, and a fixture seed and a reset are seen through Graph."""

from __future__ import annotations

import time

import pytest
import requests

from rapd_helpers import RapdServer, control_token, graph_client, rapd_bin

PARTNERS = "/{version}/deviceManagement/remoteAssistancePartners"
SEEDED = "0a0c1e8f-4d4a-4b57-9d2c-3e0f9fd2a0f1"
DEV_TENANT = "d3f0a7c2-5b1e-4c8d-9a6f-1e2b3c4d5e60"


@pytest.fixture
def control_rapd(tmp_path):
    server = RapdServer(binary=rapd_bin(), workdir=tmp_path)
    server.start()
    yield server
    server.stop()


def control(server: RapdServer) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {control_token(server)}"
    return session


async def test_sdk_retries_an_injected_429_and_succeeds(control_rapd):
    admin = control(control_rapd)
    url = f"{control_rapd.base_url}/_rapd"
    assert admin.delete(f"{url}/requests").status_code == 204
    rule = {"method": "GET", "path": PARTNERS, "status": 429, "retryAfterSeconds": 1, "count": 1}
    added = admin.post(f"{url}/faults", json=rule)
    assert added.status_code == 201, added.text

    client = graph_client(control_rapd.base_url, control_rapd.token(), "v1.0")
    started = time.monotonic()
    page = await client.device_management.remote_assistance_partners.get()
    elapsed = time.monotonic() - started
    assert page is not None and page.value is not None
    assert elapsed >= 0.9, f"the SDK cannot have waited for Retry-After ({elapsed:.2f} s)"

    log = admin.get(f"{url}/requests").json()["value"]
    calls = [e for e in log if e["path"] == "/v1.0/deviceManagement/remoteAssistancePartners"]
    # Newest first: the retry's 200 after the injected 429.
    assert [e["status"] for e in calls] == [200, 429], log
    # A fault applies only once the token is verified, so both name the tenant.
    assert [e["tenantId"] for e in calls] == [DEV_TENANT, DEV_TENANT]
    assert admin.get(f"{url}/faults").json()["value"] == [], "the rule is used up"


async def test_a_seed_and_a_reset_are_seen_through_the_sdk(control_rapd):
    admin = control(control_rapd)
    url = f"{control_rapd.base_url}/_rapd"
    fixture = {"tenants": [{
        "id": DEV_TENANT,
        "partners": [{
            "id": SEEDED,
            "displayName": "Seeded vendor",
            "onboardingStatus": "onboarding",
            "onboardingUrl": "https://vendor.example/onboard",
            "onboardingRequestExpiryDateTime": "2099-01-01T00:00:00Z",
        }],
    }]}
    seeded = admin.post(f"{url}/seed", json=fixture)
    assert seeded.status_code == 200, seeded.text

    v1 = graph_client(control_rapd.base_url, control_rapd.token(), "v1.0")
    beta = graph_client(control_rapd.base_url, control_rapd.token(), "beta")
    partner = await v1.device_management.remote_assistance_partners.by_remote_assistance_partner_id(
        SEEDED).get()
    assert partner.display_name == "Seeded vendor"
    assert partner.onboarding_status.value == "onboarding"
    partner = await beta.device_management.remote_assistance_partners.by_remote_assistance_partner_id(
        SEEDED).get()
    assert partner.onboarding_request_expiry_date_time.year == 2099

    assert admin.post(f"{url}/reset").status_code == 204
    page = await v1.device_management.remote_assistance_partners.get()
    assert page.value == []
