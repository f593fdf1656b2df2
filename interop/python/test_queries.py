"""OData query options through the Python SDK's own query parameters: what Graph would return.

Also a paging walk with the SDK's PageIterator, which follows @odata.nextLink."""

from __future__ import annotations

import uuid

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.device_management.remote_assistance_partners.count.count_request_builder import (  # noqa: E501
    CountRequestBuilder,
)
from msgraph.generated.device_management.remote_assistance_partners.remote_assistance_partners_request_builder import (  # noqa: E501
    RemoteAssistancePartnersRequestBuilder,
)
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.remote_assistance_onboarding_status import (
    RemoteAssistanceOnboardingStatus,
)
from msgraph.generated.models.remote_assistance_partner import RemoteAssistancePartner
from msgraph_core import PageIterator

from rapd_helpers import assert_odata_error, graph_client

Params = RemoteAssistancePartnersRequestBuilder.RemoteAssistancePartnersRequestBuilderGetQueryParameters
NAMES = ["Contoso", "Fabrikam", "Northwind", "Contoso East", "Adatum"]


@pytest.fixture
async def seeded(rapd):
    """A fresh tenant holding five partners, Fabrikam onboarding."""
    client = graph_client(rapd.base_url, rapd.token(tenant=str(uuid.uuid4())), "v1.0")
    partners = client.device_management.remote_assistance_partners
    ids = {}
    for name in NAMES:
        ids[name] = (await partners.post(RemoteAssistancePartner(display_name=name))).id
    await partners.by_remote_assistance_partner_id(ids["Fabrikam"]).begin_onboarding.post()
    return client, ids


async def get(client, **params):
    config = RequestConfiguration(query_parameters=Params(**params))
    return await client.device_management.remote_assistance_partners.get(request_configuration=config)


async def test_filter_orderby_top_select_count(seeded):
    client, ids = seeded
    page = await get(client, filter="startswith(displayName,'Contoso')", orderby=["displayName desc"])
    assert [p.display_name for p in page.value] == ["Contoso East", "Contoso"]

    page = await get(client, filter="onboardingStatus eq 'onboarding'")
    assert [p.id for p in page.value] == [ids["Fabrikam"]]
    assert page.value[0].onboarding_status == RemoteAssistanceOnboardingStatus.Onboarding

    page = await get(client, top=2, orderby=["displayName"], count=True)
    assert [p.display_name for p in page.value] == ["Adatum", "Contoso"]
    assert page.odata_count == 5
    assert page.odata_next_link and "$skiptoken=" in page.odata_next_link

    page = await get(client, select=["displayName", "onboardingStatus"], orderby=["displayName"], top=1)
    only = page.value[0]
    assert only.display_name == "Adatum" and only.id is None and only.onboarding_url is None

    config = RequestConfiguration(
        query_parameters=CountRequestBuilder.CountRequestBuilderGetQueryParameters(filter="contains(displayName,'o')")
    )
    assert await client.device_management.remote_assistance_partners.count.get(request_configuration=config) == 3  # Contoso, Northwind, Contoso East


async def test_bad_filter_is_a_400_naming_the_option(seeded):
    client, _ = seeded
    with pytest.raises(ODataError) as raised:
        await get(client, filter="colour eq 'blue'")
    assert_odata_error(raised.value, 400, "BadRequest")
    assert "$filter" in raised.value.error.message


async def test_page_iterator_walks_every_partner_once(seeded):
    client, ids = seeded
    first = await get(client, top=2)
    seen = []

    def collect(partner):
        seen.append(partner.id)
        return True

    iterator = PageIterator(first, client.request_adapter)
    await iterator.iterate(collect)
    assert sorted(seen) == sorted(ids.values())
