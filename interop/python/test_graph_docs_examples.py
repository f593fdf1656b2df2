"""A script written from the Graph docs' examples, with plain `requests` (no SDK).

The create body is the v1.0 docs' example byte for byte: it carries @odata.type and the
server-managed onboardingStatus and lastConnectionDateTime, which the server ignores.
Then the founding page: POST .../{id}/disconnect with Accept: application/json, no body, 204.
"""

from __future__ import annotations

import requests

DOCS_CREATE_BODY = """{
  "@odata.type": "#microsoft.graph.remoteAssistancePartner",
  "displayName": "Display Name value",
  "onboardingUrl": "https://example.com/onboardingUrl/",
  "onboardingStatus": "onboarding",
  "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00"
}"""

ENTITY_CONTEXT_SUFFIX = "$metadata#deviceManagement/remoteAssistancePartners/$entity"


def test_docs_create_then_disconnect_then_get(rapd, token):
    collection = f"{rapd.base_url}/v1.0/deviceManagement/remoteAssistancePartners"
    auth = {"Authorization": f"Bearer {token}"}

    # Create (docs: "Content-type: application/json").
    created = requests.post(
        collection,
        headers={**auth, "Content-type": "application/json"},
        data=DOCS_CREATE_BODY.encode(),
        timeout=10,
    )
    assert created.status_code == 201, created.text
    assert created.headers["Content-Type"].startswith("application/json")
    body = created.json()
    partner_id = body["id"]
    assert partner_id
    assert body["displayName"] == "Display Name value"
    assert body["onboardingUrl"] == "https://example.com/onboardingUrl/"
    # Server-managed: what the client sent is ignored.
    assert body["onboardingStatus"] == "notOnboarded"
    assert body["lastConnectionDateTime"] == "0001-01-01T00:00:00Z"

    # Disconnect, exactly as the founding docs page shows it.
    disconnected = requests.post(
        f"{collection}/{partner_id}/disconnect",
        headers={**auth, "Accept": "application/json"},
        timeout=10,
    )
    assert disconnected.status_code == 204, disconnected.text
    assert disconnected.content == b""

    # Get: the bare entity (the docs' "value" wrapper is a docs bug), with @odata.context.
    got = requests.get(
        f"{collection}/{partner_id}",
        headers={**auth, "Accept": "application/json"},
        timeout=10,
    )
    assert got.status_code == 200, got.text
    assert got.headers["Content-Type"].startswith("application/json")
    entity = got.json()
    assert "value" not in entity
    assert entity["@odata.context"].endswith(ENTITY_CONTEXT_SUFFIX), entity["@odata.context"]
    assert entity["id"] == partner_id
    assert entity["onboardingStatus"] == "notOnboarded"
