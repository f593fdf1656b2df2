"""The console in a real browser (Debian's Chromium through Playwright) against the release binary:
connect → the partner simulator completes onboarding → the badge flips without a reload →
disconnect behind its confirmation → the audit trail shows each step; Spanish by Accept-Language;
a read-only user sees no write buttons and the server refuses their writes anyway."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request

import pytest
from playwright.sync_api import Page, expect

PARTNERS = "/v1.0/deviceManagement/remoteAssistancePartners"


def new_page(browser, locale: str):
    context = browser.new_context(locale=locale, viewport={"width": 1100, "height": 760})
    page = context.new_page()
    # Any Content-Security-Policy violation is a failure: the pages must need no inline code.
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    return page, violations


def sign_in(page: Page, base_url: str, access: str = "write") -> None:
    page.goto(f"{base_url}/console")
    expect(page).to_have_url(re.compile(r"/console/sign-in$"))
    page.select_option("#access", access)
    page.locator("form[action='/console/sign-in'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/console/partners$"))


def assert_labelled(page: Page) -> None:
    """Every visible field has a label naming it."""
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select')]
        .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length))
        .map(e => e.outerHTML)""")
    assert unlabelled == []


def test_connect_onboard_disconnect_audit(rapd, browser, screenshots):
    page, violations = new_page(browser, "en-US")
    page.goto(f"{rapd.base_url}/console/sign-in")
    page.screenshot(path=screenshots / "sign-in.png")
    # Keyboard: the first Tab reaches the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    sign_in(page, rapd.base_url)
    assert_labelled(page)

    page.fill("#displayName", "Fabrikam Assist")
    page.fill("#onboardingUrl", "https://vendor.example/onboard")
    page.get_by_role("button", name="Add partner").click()
    row = page.locator("tr[data-partner]", has_text="Fabrikam Assist")
    expect(row.locator("[data-badge]")).to_have_text("Not onboarded")

    row.get_by_role("link", name="Fabrikam Assist").click()
    page.get_by_role("button", name="Connect").click()
    badge = page.locator("[data-partner-status] [data-badge]")
    expect(badge).to_have_text("Onboarding")
    expect(page.locator("[data-partner-status] [data-detail]")).to_contain_text(re.compile("expires in"))
    link = page.locator("[data-onboarding-link]").get_attribute("data-onboarding-link")
    assert link.startswith("https://vendor.example/onboard?code=rac1.")
    expect(page.locator("img.qr")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-live", "connected")
    page.screenshot(path=screenshots / "onboarding.png", full_page=True)
    page.evaluate("window.__sameDocument = true")

    # The vendor: rapd's partner simulator redeems the code from the link.
    vendor = subprocess.Popen(
        [str(rapd.binary), "partner-sim", "--url", rapd.base_url, "--code", link],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        expect(badge).to_have_text("Onboarded", timeout=15_000)
        assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
        expect(page.locator("[data-partner-status] [data-detail]")).to_contain_text("last connection")
        expect(page.locator("section[data-show-for='onboarding']")).to_be_hidden()
        expect(page.get_by_role("button", name="Connect")).to_be_hidden()

        page.goto(f"{rapd.base_url}/console/partners")
        row = page.locator("tr[data-partner]", has_text="Fabrikam Assist")
        expect(row.locator("[data-badge]")).to_have_text("Onboarded")
        page.screenshot(path=screenshots / "partners.png", full_page=True)

        row.get_by_role("link", name="Disconnect").click()
        expect(page.locator("h1")).to_have_text("Disconnect Fabrikam Assist?")
        page.screenshot(path=screenshots / "disconnect.png")
        page.locator("button[data-confirm=disconnect]").click()
        expect(page).to_have_url(re.compile(r"/console/partners$"))
        row = page.locator("tr[data-partner]", has_text="Fabrikam Assist")
        expect(row.locator("[data-badge]")).to_have_text("Not onboarded")
    finally:
        vendor.kill()
        vendor.wait()

    page.get_by_role("link", name="Audit trail").click()
    rows = page.locator("tr[data-audit-event]")
    activities = rows.locator("[data-activity]").all_inner_texts()
    actors = rows.locator("[data-actor]").all_inner_texts()
    steps = list(zip(activities, actors))
    for step in [
        ("Create RemoteAssistancePartner", "dev@rapd.localhost"),
        ("BeginOnboarding RemoteAssistancePartner", "dev@rapd.localhost"),
        ("Connect RemoteAssistancePartner", "The partner's vendor"),
        ("Disconnect RemoteAssistancePartner", "dev@rapd.localhost"),
    ]:
        assert step in steps, steps
    # Newest first: the disconnect is above the connect.
    assert activities.index("Disconnect RemoteAssistancePartner") < activities.index(
        "Connect RemoteAssistancePartner")
    page.screenshot(path=screenshots / "audit.png", full_page=True)

    page.get_by_role("link", name="Settings").click()
    assert_labelled(page)
    page.check("#blockChat")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#blockChat")).to_be_checked()
    page.screenshot(path=screenshots / "settings.png", full_page=True)

    page.get_by_role("link", name="Requests and faults").click()
    expect(page.locator("h2#requests-title")).to_be_visible()
    page.screenshot(path=screenshots / "diagnostics.png", full_page=True)
    assert violations == []


def test_spanish_by_accept_language(rapd, browser, screenshots):
    page, violations = new_page(browser, "es-ES")
    page.goto(f"{rapd.base_url}/console/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", "es-ES")
    expect(page.locator("h1")).to_have_text("Iniciar sesión")
    sign_in(page, rapd.base_url)
    expect(page.locator("h1")).to_have_text("Asociados de asistencia remota")
    expect(page.get_by_role("button", name="Agregar asociado")).to_be_visible()
    page.screenshot(path=screenshots / "partners-es.png", full_page=True)
    assert violations == []


def test_read_only_user_sees_no_write_buttons_and_is_refused(rapd, browser):
    # A partner to look at, made through Graph with a development token.
    request = urllib.request.Request(
        f"{rapd.base_url}{PARTNERS}", method="POST",
        data=json.dumps({"displayName": "Read-only view"}).encode(),
        headers={"Authorization": f"Bearer {rapd.token()}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as r:
        partner = json.load(r)["id"]

    page, violations = new_page(browser, "en-US")
    sign_in(page, rapd.base_url, access="read")
    expect(page.locator("p.note")).to_contain_text("Read-only access")
    expect(page.locator("tr[data-partner]", has_text="Read-only view")).to_be_visible()
    assert page.locator("form[action$='/connect'], a[data-action], #create-title").count() == 0
    page.goto(f"{rapd.base_url}/console/partners/{partner}")
    assert page.locator("form[action$='/rename'], a.danger").count() == 0

    # The page offers no write, and the server refuses one anyway: Graph's 403.
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    answer = page.request.post(
        f"{rapd.base_url}/console/partners/{partner}/connect", form={"csrf": csrf},
        max_redirects=0,
    )
    assert answer.status == 403
    assert "403" in answer.text()
    assert violations == []
