"""Errors as the SDK parses them (401, 403, 404), $count, and the explicit-adapter setup."""

from __future__ import annotations

import uuid

import pytest
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.remote_assistance_onboarding_status import (
    RemoteAssistanceOnboardingStatus,
)
from msgraph.generated.models.remote_assistance_partner import RemoteAssistancePartner

from rapd_helpers import (
    GRAPH_SCOPES,
    READ_ONLY,
    StaticTokenCredential,
    assert_odata_error,
    graph_client,
)

ONBOARDING_URL = "https://example.com/onboarding/"


async def test_garbage_token_is_401_invalid_authentication_token(rapd):
    client = graph_client(rapd.base_url, "not-a-jwt", "v1.0")
    with pytest.raises(ODataError) as raised:
        await client.device_management.remote_assistance_partners.get()
    err = raised.value
    assert_odata_error(err, 401, "InvalidAuthenticationToken")
    challenge = (err.response_headers or {}).get("www-authenticate", "")
    assert challenge.startswith("Bearer"), f"WWW-Authenticate: {challenge!r}"


async def test_read_only_token_can_list_but_not_disconnect(rapd, v1):
    created = await v1.device_management.remote_assistance_partners.post(
        RemoteAssistancePartner(display_name="Read-only probe", onboarding_url=ONBOARDING_URL)
    )
    reader = graph_client(rapd.base_url, rapd.token(scopes=(READ_ONLY,)), "v1.0")
    partners = reader.device_management.remote_assistance_partners

    listed = await partners.get()
    assert created.id in [p.id for p in listed.value]

    partner = partners.by_remote_assistance_partner_id(created.id)
    with pytest.raises(ODataError) as raised:
        await partner.disconnect.post()
    assert_odata_error(raised.value, 403, "Forbidden")
    # Nothing changed.
    after = await partner.get()
    assert after.onboarding_status == RemoteAssistanceOnboardingStatus.NotOnboarded


async def test_unknown_id_is_404_resource_not_found(v1):
    partner = v1.device_management.remote_assistance_partners.by_remote_assistance_partner_id(
        str(uuid.uuid4())
    )
    with pytest.raises(ODataError) as raised:
        await partner.get()
    assert_odata_error(raised.value, 404, "ResourceNotFound")


async def test_count_endpoint_returns_an_int(rapd):
    # A tenant of its own, so the count is exact.
    client = graph_client(rapd.base_url, rapd.token(tenant=str(uuid.uuid4())), "v1.0")
    partners = client.device_management.remote_assistance_partners

    assert await partners.count.get() == 0
    for name in ("First", "Second"):
        await partners.post(
            RemoteAssistancePartner(display_name=name, onboarding_url=ONBOARDING_URL)
        )
    count = await partners.count.get()
    assert isinstance(count, int) and not isinstance(count, bool)
    assert count == 2


async def test_explicit_adapter_with_allowed_hosts(rapd, token):
    """The other documented setup: msgraph-core's provider with allowed_hosts=["127.0.0.1"]."""
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph_core.authentication import AzureIdentityAuthenticationProvider

    auth = AzureIdentityAuthenticationProvider(
        StaticTokenCredential(token), scopes=GRAPH_SCOPES, allowed_hosts=["127.0.0.1"]
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = f"{rapd.base_url}/v1.0"
    client = GraphServiceClient(request_adapter=adapter)

    listed = await client.device_management.remote_assistance_partners.get()
    assert listed.value is not None

