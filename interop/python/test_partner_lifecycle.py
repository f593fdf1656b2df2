"""The whole life of a remote assistance partner, through the real Graph SDKs for Python.

create -> list -> get -> PATCH -> beginOnboarding -> disconnect -> DELETE -> 404,
once with msgraph-sdk (v1.0) and once with msgraph-beta-sdk (beta).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.remote_assistance_onboarding_status import (
    RemoteAssistanceOnboardingStatus,
)
from msgraph.generated.models.remote_assistance_partner import RemoteAssistancePartner
from msgraph_beta.generated.device_management.remote_assistance_partners.item.begin_onboarding.begin_onboarding_post_request_body import (  # noqa: E501
    BeginOnboardingPostRequestBody,
)
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError as BetaODataError
from msgraph_beta.generated.models.remote_assistance_onboarding_status import (
    RemoteAssistanceOnboardingStatus as BetaStatus,
)
from msgraph_beta.generated.models.remote_assistance_partner import (
    RemoteAssistancePartner as BetaRemoteAssistancePartner,
)

from rapd_helpers import NO_VALUE, assert_odata_error

DISPLAY_NAME = "Contoso Remote"
RENAMED = "Contoso Remote Assist"
ONBOARDING_URL = "https://example.com/onboarding/"


async def test_v1_partner_lifecycle(v1):
    partners = v1.device_management.remote_assistance_partners

    # Create: 201 with the server-managed properties at their initial values.
    created = await partners.post(
        RemoteAssistancePartner(display_name=DISPLAY_NAME, onboarding_url=ONBOARDING_URL)
    )
    assert created is not None and created.id
    assert created.display_name == DISPLAY_NAME
    assert created.onboarding_url == ONBOARDING_URL
    assert created.onboarding_status == RemoteAssistanceOnboardingStatus.NotOnboarded
    assert created.last_connection_date_time == NO_VALUE
    partner = partners.by_remote_assistance_partner_id(created.id)

    # List contains it.
    listed = await partners.get()
    assert created.id in [p.id for p in listed.value]

    # Get by id: the bare entity, parsed into the model.
    fetched = await partner.get()
    assert fetched.id == created.id
    assert fetched.display_name == DISPLAY_NAME
    assert fetched.onboarding_url == ONBOARDING_URL
    assert fetched.onboarding_status == RemoteAssistanceOnboardingStatus.NotOnboarded
    assert fetched.last_connection_date_time == NO_VALUE

    # PATCH: Graph documents 200 with the updated entity; the SDK returns it.
    updated = await partner.patch(RemoteAssistancePartner(display_name=RENAMED))
    assert updated is not None, "PATCH answered without an entity (204 or empty body)"
    assert updated.id == created.id
    assert updated.display_name == RENAMED
    assert updated.onboarding_url == ONBOARDING_URL
    assert (await partner.get()).display_name == RENAMED

    # beginOnboarding (v1.0: no request body) -> onboarding.
    await partner.begin_onboarding.post()
    assert (await partner.get()).onboarding_status == RemoteAssistanceOnboardingStatus.Onboarding

    # disconnect (no request body) -> notOnboarded.
    await partner.disconnect.post()
    assert (await partner.get()).onboarding_status == RemoteAssistanceOnboardingStatus.NotOnboarded

    # DELETE, then GET is 404 ResourceNotFound.
    await partner.delete()
    with pytest.raises(ODataError) as raised:
        await partner.get()
    assert_odata_error(raised.value, 404, "ResourceNotFound")


async def test_beta_partner_lifecycle(beta):
    partners = beta.device_management.remote_assistance_partners

    created = await partners.post(
        BetaRemoteAssistancePartner(display_name=DISPLAY_NAME, onboarding_url=ONBOARDING_URL)
    )
    assert created is not None and created.id
    assert created.display_name == DISPLAY_NAME
    assert created.onboarding_url == ONBOARDING_URL
    assert created.onboarding_status == BetaStatus.NotOnboarded
    assert created.last_connection_date_time == NO_VALUE
    # Beta only; never null, and no onboarding request yet.
    assert created.onboarding_request_expiry_date_time == NO_VALUE
    partner = partners.by_remote_assistance_partner_id(created.id)

    listed = await partners.get()
    assert created.id in [p.id for p in listed.value]

    fetched = await partner.get()
    assert fetched.id == created.id
    assert fetched.display_name == DISPLAY_NAME
    assert fetched.onboarding_status == BetaStatus.NotOnboarded
    assert fetched.last_connection_date_time == NO_VALUE
    assert fetched.onboarding_request_expiry_date_time == NO_VALUE

    updated = await partner.patch(BetaRemoteAssistancePartner(display_name=RENAMED))
    assert updated is not None, "PATCH answered without an entity (204 or empty body)"
    assert updated.id == created.id
    assert updated.display_name == RENAMED
    assert (await partner.get()).display_name == RENAMED

    # Beta's beginOnboarding takes a body (the SDK requires one): {"partnerDomain": ...}.
    await partner.begin_onboarding.post(
        BeginOnboardingPostRequestBody(partner_domain="contoso.example.com")
    )
    onboarding = await partner.get()
    assert onboarding.onboarding_status == BetaStatus.Onboarding
    assert onboarding.onboarding_request_expiry_date_time is not None
    assert onboarding.onboarding_request_expiry_date_time > datetime.now(timezone.utc)

    await partner.disconnect.post()
    assert (await partner.get()).onboarding_status == BetaStatus.NotOnboarded

    await partner.delete()
    with pytest.raises(BetaODataError) as raised:
        await partner.get()
    assert_odata_error(raised.value, 404, "ResourceNotFound")


async def test_beta_begin_onboarding_with_empty_body(beta):
    """The beta SDK sends `{}` when partnerDomain is not set: that is a valid request too."""
    partners = beta.device_management.remote_assistance_partners
    created = await partners.post(
        BetaRemoteAssistancePartner(display_name=DISPLAY_NAME, onboarding_url=ONBOARDING_URL)
    )
    partner = partners.by_remote_assistance_partner_id(created.id)
    await partner.begin_onboarding.post(BeginOnboardingPostRequestBody())
    assert (await partner.get()).onboarding_status == BetaStatus.Onboarding
    await partner.delete()
