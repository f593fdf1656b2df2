"""The identity libraries' flows, one per process: `python identity_flows.py FLOW`.

Each flow is written as a user of the library would write it against Microsoft Entra ID, with
only the documented settings changed (the authority, one option to skip instance discovery,
and the trust variables from `rapd ca`). The caller sets the environment: RAPD_HTTPS is rapd's
https origin, and exactly the trust variables the flow documents.

A flow gets a token, then completes the disconnect flow on Graph over https: create a
partner, disconnect it, read it back. It prints "OK ..." on success and raises otherwise.
"""

from __future__ import annotations

import asyncio
import os
import sys

import requests

HTTPS = os.environ["RAPD_HTTPS"]
GRAPH = f"{HTTPS}/v1.0"
CLIENT_ID = "0e8b1f2a-9c3d-4a6b-b7e5-3f2d1c0b9a80"
SECRET = "rapd-dev-secret"
USER = "dev@rapd.localhost"
PASSWORD = "rapd-dev-password"
READ_WRITE = "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All"
DEFAULT = "https://graph.microsoft.com/.default"
PARTNERS = f"{GRAPH}/deviceManagement/remoteAssistancePartners"


async def disconnect_with_sdk(credential, scopes: list[str]) -> str:
    """msgraph-sdk's GraphServiceClient(credentials=...) over https: create, disconnect, read."""
    from msgraph import GraphServiceClient
    from msgraph.generated.models.remote_assistance_partner import RemoteAssistancePartner

    client = GraphServiceClient(credentials=credential, scopes=scopes)
    client.request_adapter.base_url = GRAPH
    partners = client.device_management.remote_assistance_partners
    created = await partners.post(RemoteAssistancePartner(display_name="Contoso"))
    await partners.by_remote_assistance_partner_id(created.id).disconnect.post()
    got = await partners.by_remote_assistance_partner_id(created.id).get()
    assert got.onboarding_status.value == "notOnboarded", got.onboarding_status
    return created.id


def disconnect_with_token(token: str) -> str:
    """The same flow with a bare access token, as code using MSAL directly would do it."""
    headers = {"Authorization": f"Bearer {token}"}
    created = requests.post(PARTNERS, json={"displayName": "Contoso"}, headers=headers, timeout=30)
    assert created.status_code == 201, (created.status_code, created.text)
    partner = created.json()["id"]
    done = requests.post(f"{PARTNERS}/{partner}/disconnect", headers=headers, timeout=30)
    assert done.status_code == 204, (done.status_code, done.text)
    return partner


def show_code(verification_uri, user_code, expires_on):
    print(f"device code {user_code} at {verification_uri}", file=sys.stderr)


def client_secret() -> str:
    from azure.identity import ClientSecretCredential

    credential = ClientSecretCredential(
        "contoso.onmicrosoft.com", CLIENT_ID, SECRET,
        authority=HTTPS, disable_instance_discovery=True,
    )
    return asyncio.run(disconnect_with_sdk(credential, [DEFAULT]))


def device_code() -> str:
    from azure.identity import DeviceCodeCredential

    credential = DeviceCodeCredential(
        client_id=CLIENT_ID, tenant_id="organizations", prompt_callback=show_code,
        authority=HTTPS, disable_instance_discovery=True,
    )
    return asyncio.run(disconnect_with_sdk(credential, [READ_WRITE]))


def username_password() -> str:
    from azure.identity import UsernamePasswordCredential

    # The tenant `adfs` skips instance discovery and the userrealm call MSAL would send to :443.
    credential = UsernamePasswordCredential(
        CLIENT_ID, USER, PASSWORD, tenant_id="adfs", authority=HTTPS,
    )
    return asyncio.run(disconnect_with_sdk(credential, [READ_WRITE]))


def default_credential_aio_env() -> str:
    # Configuration only: AZURE_AUTHORITY_HOST, AZURE_TENANT_ID, AZURE_CLIENT_ID,
    # AZURE_CLIENT_SECRET and SSL_CERT_FILE come from the environment.
    from azure.identity.aio import DefaultAzureCredential

    async def run() -> str:
        async with DefaultAzureCredential() as credential:
            return await disconnect_with_sdk(credential, [DEFAULT])

    return asyncio.run(run())


def msal_client_credentials() -> str:
    import msal

    app = msal.ConfidentialClientApplication(
        CLIENT_ID, client_credential=SECRET,
        authority=f"{HTTPS}/contoso.onmicrosoft.com", instance_discovery=False,
    )
    first = app.acquire_token_for_client(scopes=[DEFAULT])
    assert "access_token" in first, first
    again = app.acquire_token_for_client(scopes=[DEFAULT])
    assert again.get("token_source") == "cache", again.get("token_source")
    return disconnect_with_token(first["access_token"])


def msal_device_code() -> str:
    import msal

    app = msal.PublicClientApplication(
        CLIENT_ID, authority=f"{HTTPS}/organizations", instance_discovery=False,
    )
    flow = app.initiate_device_flow(scopes=[READ_WRITE])
    assert "user_code" in flow, flow
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    accounts = app.get_accounts()
    assert [a["username"] for a in accounts] == [USER], accounts
    silent = app.acquire_token_silent([READ_WRITE], account=accounts[0])
    assert silent and silent.get("token_source") == "cache", silent
    return disconnect_with_token(result["access_token"])


def msal_username_password_adfs() -> str:
    import msal

    app = msal.PublicClientApplication(CLIENT_ID, authority=f"{HTTPS}/adfs")
    result = app.acquire_token_by_username_password(USER, PASSWORD, scopes=[READ_WRITE])
    assert "access_token" in result, result
    return disconnect_with_token(result["access_token"])


FLOWS = {f.__name__: f for f in [
    client_secret, device_code, username_password, default_credential_aio_env,
    msal_client_credentials, msal_device_code, msal_username_password_adfs,
]}

if __name__ == "__main__":
    partner = FLOWS[sys.argv[1]]()
    print(f"OK {sys.argv[1]} disconnected {partner}")
