"""The rapd wheel as a user's test suite meets it: `pip install` of the wheel, then the `rapd`
and `rapd_session` fixtures of its pytest plugin (no conftest.py, no import from this
repository), with the real Microsoft Graph SDK for Python as the client.

interop/wheel/run.sh builds the wheel, installs it into a fresh venv and runs this file there.
"""

from __future__ import annotations

import os
import subprocess
import sysconfig
from importlib.metadata import version
from pathlib import Path

import pytest
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.remote_assistance_onboarding_status import (
    RemoteAssistanceOnboardingStatus,
)
from msgraph.generated.models.remote_assistance_partner import RemoteAssistancePartner

import rapd as rapd_package
from rapd import RapdServer, find_rapd_bin

OTHER_TENANT = "6f1c2a9e-1111-4e5f-8a7b-6c5d4e3f2a10"


def new_partner(name: str) -> RemoteAssistancePartner:
    return RemoteAssistancePartner(display_name=name, onboarding_url="https://example.com/onboard")


def test_the_wheel_installed_the_binary_and_the_plugin():
    assert "RAPD_BIN" not in os.environ, "the binary must be found in the wheel, not by RAPD_BIN"
    scripts = Path(sysconfig.get_path("scripts"))
    assert find_rapd_bin() == scripts / "rapd"
    site = Path(sysconfig.get_path("purelib"))
    assert Path(rapd_package.__file__).is_relative_to(site), rapd_package.__file__
    # The wheel's version is the crate's.
    printed = subprocess.run([find_rapd_bin(), "--version"], capture_output=True, text=True,
                             check=True).stdout
    assert printed.strip() == f"rapd {version('rapd')}"


async def test_disconnect_through_the_sdk(rapd):
    client = rapd.graph_client()
    partners = client.device_management.remote_assistance_partners
    assert (await partners.get()).value == [], "a fresh server starts empty"

    created = await partners.post(new_partner("Contoso"))
    partner = partners.by_remote_assistance_partner_id(created.id)
    await partner.begin_onboarding.post()
    assert (await partner.get()).onboarding_status == RemoteAssistanceOnboardingStatus.Onboarding
    await partner.disconnect.post()
    assert (await partner.get()).onboarding_status == RemoteAssistanceOnboardingStatus.NotOnboarded
    assert [p.id for p in (await partners.get()).value] == [created.id]


async def test_the_token_factory_chooses_scopes_and_tenant(rapd):
    writer = rapd.graph_client().device_management.remote_assistance_partners
    created = await writer.post(new_partner("Contoso"))

    reader = rapd.graph_client(scopes=["DeviceManagementServiceConfig.Read.All"])
    readable = reader.device_management.remote_assistance_partners
    assert [p.id for p in (await readable.get()).value] == [created.id]
    with pytest.raises(ODataError) as refused:
        await readable.post(new_partner("Not allowed"))
    assert refused.value.response_status_code == 403

    other = rapd.graph_client(tenant=OTHER_TENANT).device_management.remote_assistance_partners
    assert (await other.get()).value == []
    with pytest.raises(ODataError) as hidden:
        await other.by_remote_assistance_partner_id(created.id).get()
    assert hidden.value.response_status_code == 404


async def test_beta_client(rapd):
    partners = rapd.graph_client("beta").device_management.remote_assistance_partners
    assert (await partners.get()).value == []


# The next two run in file order: the second checks the first one's server was torn down.
_first: dict = {}


async def test_each_test_gets_its_own_server_a(rapd):
    _first.update(pid=rapd.pid, base_url=rapd.base_url, data_dir=rapd.data_dir)
    await rapd.graph_client().device_management.remote_assistance_partners.post(new_partner("A"))
    assert rapd.data_dir.is_dir()


async def test_each_test_gets_its_own_server_b(rapd):
    assert _first, "runs after test_each_test_gets_its_own_server_a"
    assert rapd.pid != _first["pid"] and rapd.base_url != _first["base_url"]
    with pytest.raises(ProcessLookupError):
        os.kill(_first["pid"], 0)  # stopped by its PID, and reaped
    assert not _first["data_dir"].exists(), "tear-down removes the data directory"
    assert (await rapd.graph_client().device_management.remote_assistance_partners.get()).value == []


async def test_session_server_and_reset(rapd_session):
    partners = rapd_session.graph_client().device_management.remote_assistance_partners
    await partners.post(new_partner("Kept until reset"))
    assert len((await partners.get()).value) == 1
    rapd_session.reset()
    assert (await partners.get()).value == []


async def test_seed(rapd):
    rapd.seed({"tenants": [{
        "id": OTHER_TENANT,
        "partners": [{"displayName": "Seeded", "onboardingStatus": "onboarded"}],
    }]})
    partners = rapd.graph_client(tenant=OTHER_TENANT).device_management.remote_assistance_partners
    [seeded] = (await partners.get()).value
    assert seeded.display_name == "Seeded"
    assert seeded.onboarding_status == RemoteAssistanceOnboardingStatus.Onboarded


def test_server_as_a_context_manager():
    with RapdServer() as server:
        pid, data_dir = server.pid, server.data_dir
        assert server.token().count(".") == 2
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not data_dir.exists()


def test_a_failing_test_shows_the_server_output(pytester):
    """In a separate pytest run, as a user's: the plugin loads from the wheel alone."""
    pytester.makepyfile(test_user="""
        def test_fails(rapd):
            assert rapd.base_url.startswith("http://127.0.0.1:")
            assert False, "on purpose"
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*rapd output (rapd)*", "*rapd is serving*"])
