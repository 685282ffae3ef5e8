"""The console in a real headless Chromium (Debian's, driven by Playwright).

Each scenario walks the screens as a person would and saves a screenshot of every page it
shows under test-artifacts/screenshots/.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.console.browser import CHROMIUM, CHROMIUM_ARGS, log_in, log_out, nav, require_chromium
from tests.console.browser import screenshot as save
from tests.console.world import World, build_world
from tests.harness import LiveServer
from zerokeep.api_key import service as api_key_service
from zerokeep.audit.actions import CLI, Actor
from zerokeep.db import unit_of_work
from zerokeep.email.tasks import deliver_pending
from zerokeep.organization import service as organization_service
from zerokeep.user.roles import Role
from zerokeep.zdr_request import service as zdr_request_service
from zerokeep.zdr_request.schemas import ZdrRequestCreate

pytestmark = pytest.mark.browser

USE_CASE = "Summarising clinical notes for hospital staff; prompts contain patient data."
JUSTIFICATION = ZdrRequestCreate(
    use_case=USE_CASE,
    data_categories=["health records", "patient identifiers"],
    legal_basis="HIPAA business associate agreement with each hospital customer",
    contact_email="dpo@globex.example.test",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.base_url, viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture()
def world(live_server: LiveServer) -> World:
    return build_world(live_server)


def new_key(server: LiveServer, organization_id: str) -> str:
    async def work() -> str:
        async with unit_of_work(server.state.sessions) as session:
            organization = await organization_service.get(session, organization_id)
            _, plaintext = await api_key_service.create(
                session, CLI, server.state.keys.api_key_hmac, organization, name="probe"
            )
        return plaintext

    return server.run(work())


def api_privacy(server: LiveServer, key: str) -> dict[str, Any]:
    response = httpx.get(
        server.base_url + "/v1/organization/privacy", headers={"authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_zdr_request_approved_turns_the_badge_active(
    page: Any, live_server: LiveServer, world: World, backend: str
) -> None:
    from playwright.sync_api import expect

    log_in(page, world.owner)
    nav(page, "ZDR request")
    form = page.get_by_test_id("zdr-form")
    form.get_by_label("Use case").fill("too short")
    form.get_by_label("Data categories").fill("")
    form.get_by_label("Legal or contractual basis").fill("HIPAA business associate agreement")
    form.evaluate("f => f.noValidate = true")  # let the server, not the browser, judge
    form.get_by_role("button", name="Submit request").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("use case")
    expect(page.get_by_test_id("form-error")).to_contain_text("data categories")
    save(page, backend, "zdr-request-errors")

    form = page.get_by_test_id("zdr-form")
    form.get_by_label("Use case").fill(USE_CASE)
    form.get_by_label("Data categories").fill("health records\npatient identifiers")
    form.get_by_role("button", name="Submit request").click()
    expect(page.get_by_test_id("zdr-badge")).to_have_text("ZDR pending")
    expect(page.get_by_test_id("zdr-request").first).to_have_attribute("data-status", "pending")
    save(page, backend, "zdr-request-pending")
    log_out(page)
    save(page, backend, "login-after-logout")

    log_in(page, world.staff)
    nav(page, "Review queue")
    item = page.locator(f'[data-testid="review-item"][data-organization="{world.org_a_name}"]')
    expect(item).to_contain_text(USE_CASE)
    expect(item).to_contain_text("health records, patient identifiers")
    save(page, backend, "staff-review-queue")
    item.get_by_label("Reason").fill("BAA on file; use case fits the ZDR terms.")
    item.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("approved")
    expect(item).to_have_count(0)
    log_out(page)

    log_in(page, world.owner)
    expect(page.get_by_test_id("zdr-badge")).to_have_text("ZDR active")
    expect(page.get_by_test_id("retention")).to_have_text("Nothing kept")
    save(page, backend, "overview-zdr-active")
    nav(page, "Privacy settings")
    expect(page.get_by_test_id("zdr-status")).to_contain_text("active since")
    expect(page.get_by_test_id("history-row").first).to_contain_text("BAA on file")
    save(page, backend, "privacy-zdr-active")
    key = new_key(live_server, world.org_a)
    assert api_privacy(live_server, key)["zdr"] == "active"


def outbox_messages(server: LiveServer) -> list[email.message.EmailMessage]:
    new = server.settings.data_dir / "outbox" / "new"
    messages = []
    for path in sorted(new.iterdir()) if new.exists() else []:
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        messages.append(parsed)
    return messages


def deliver_emails(server: LiveServer) -> None:
    """Run the email job once (it is off in the test server). Messages are due at the real
    time they were queued; move the test clock up to it rather than wait."""
    lag = datetime.now(UTC) - server.clock.now()
    if lag.total_seconds() > 0:
        server.clock.advance(seconds=lag.total_seconds() + 1)
    server.run(deliver_pending(server.state))


def test_denial_emails_the_reason(
    page: Any, live_server: LiveServer, world: World, backend: str
) -> None:
    from playwright.sync_api import expect

    async def submit() -> None:
        async with unit_of_work(live_server.state.sessions) as session:
            organization = await organization_service.get(session, world.org_b)
            await zdr_request_service.submit(
                session,
                Actor.user(world.owner_b.id),
                organization,
                requested_by_user_id=world.owner_b.id,
                role=Role.OWNER,
                form=JUSTIFICATION,
            )

    live_server.run(submit())
    log_in(page, world.staff)
    nav(page, "Review queue")
    item = page.locator(f'[data-testid="review-item"][data-organization="{world.org_b_name}"]')
    item.get_by_role("button", name="Deny").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("needs a reason")
    save(page, backend, "staff-review-deny-without-reason")
    reason = f"No signed DPA on file for {world.org_b_name}; send it and apply again."
    item.get_by_label("Reason").fill(reason)
    item.get_by_role("button", name="Deny").click()
    expect(page.get_by_test_id("confirm")).to_contain_text("Deny this ZDR request?")
    save(page, backend, "staff-review-deny-confirm")
    page.get_by_role("button", name="Deny request").click()
    expect(page.get_by_role("status")).to_contain_text("denied")

    deliver_emails(live_server)
    denials = [
        message
        for message in outbox_messages(live_server)
        if "denied" in str(message["subject"]) and world.org_b_name in str(message["subject"])
    ]
    recipients = {str(message["to"]) for message in denials}
    assert recipients == {"dpo@globex.example.test", world.owner_b.email}
    body = denials[0].get_body(preferencelist=("plain",))
    assert body is not None and reason in body.get_content()
    assert USE_CASE not in body.get_content()  # the justification never leaves the console


def test_training_opt_out_toggle(
    page: Any, live_server: LiveServer, world: World, backend: str
) -> None:
    from playwright.sync_api import expect

    key = new_key(live_server, world.org_a)
    assert api_privacy(live_server, key)["training_opt_out"] is False
    log_in(page, world.admin)
    nav(page, "Privacy settings")
    expect(page.get_by_test_id("training-state")).to_have_text("off")
    save(page, backend, "privacy-admin")
    page.get_by_test_id("training-toggle").click()
    expect(page.get_by_role("status")).to_contain_text("Privacy settings saved")
    expect(page.get_by_test_id("training-state")).to_have_text("on")
    save(page, backend, "privacy-training-on")
    assert api_privacy(live_server, key)["training_opt_out"] is True
    page.get_by_label("Abuse-monitoring window (days)").fill("5000")
    page.get_by_label("Abuse-monitoring window (days)").evaluate("e => e.form.noValidate = true")
    page.get_by_role("button", name="Save retention settings").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("0 to 3650")
    save(page, backend, "privacy-window-error")


def test_key_is_shown_once_then_revoked(
    page: Any, live_server: LiveServer, world: World, backend: str
) -> None:
    from playwright.sync_api import expect

    log_in(page, world.member)
    nav(page, "API keys")
    page.get_by_label("Name").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    plaintext = page.get_by_test_id("new-key-value").inner_text()
    assert re.fullmatch(r"zk_[A-Za-z0-9]{42}", plaintext)
    save(page, backend, "api-key-created")
    models = live_server.base_url + "/v1/models"
    assert httpx.get(models, headers={"authorization": f"Bearer {plaintext}"}).status_code == 200

    nav(page, "API keys")
    expect(page.get_by_test_id("new-key")).to_have_count(0)
    assert plaintext not in page.content()
    row = page.get_by_test_id("key-row").filter(has_text="laptop")
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_test_id("confirm")).to_contain_text("Revoke this API key?")
    save(page, backend, "api-key-revoke-confirm")
    page.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_role("status")).to_contain_text("revoked")
    expect(row).to_contain_text("revoked")
    save(page, backend, "api-keys-revoked")
    assert httpx.get(models, headers={"authorization": f"Bearer {plaintext}"}).status_code == 401


def test_member_reads_privacy_and_a_forged_post_is_refused(
    page: Any, live_server: LiveServer, world: World, backend: str
) -> None:
    from playwright.sync_api import expect

    log_in(page, world.member)
    nav(page, "Privacy settings")
    expect(page.get_by_test_id("read-only")).to_be_visible()
    expect(page.get_by_test_id("training-toggle")).to_have_count(0)
    expect(page.get_by_role("button", name="Save retention settings")).to_have_count(0)
    expect(page.get_by_test_id("training-state")).to_have_text("off")
    save(page, backend, "privacy-member-read-only")
    token = page.locator('input[name="csrf_token"]').first.input_value()
    url = f"/console/orgs/{world.org_a}/privacy/training"
    forged = page.request.post(url, form={"csrf_token": token, "training_opt_out": "on"})
    assert forged.status == 403
    page.reload()
    expect(page.get_by_test_id("training-state")).to_have_text("off")
    nav(page, "ZDR request")
    save(page, backend, "zdr-request-member")
    nav(page, "Members")
    save(page, backend, "members-member")


def test_csrf_missing_is_403(
    page: Any, live_server: LiveServer, world: World, backend: str
) -> None:
    from playwright.sync_api import expect

    log_in(page, world.owner)
    url = f"/console/orgs/{world.org_a}/privacy/training"
    assert page.request.post(url, form={"training_opt_out": "on"}).status == 403
    nav(page, "Privacy settings")
    form = page.locator(f'form[action="{url}"]')
    form.locator('input[name="csrf_token"]').evaluate("e => e.remove()")
    form.get_by_role("button").click()
    expect(page.get_by_role("heading", name="Request refused")).to_be_visible()
    save(page, backend, "csrf-refused")
    page.goto(f"/console/orgs/{world.org_a}/privacy")
    expect(page.get_by_test_id("training-state")).to_have_text("off")


def test_login_lockout_after_five_wrong_passwords(
    page: Any, live_server: LiveServer, world: World, backend: str
) -> None:
    from playwright.sync_api import expect

    for _ in range(4):
        log_in(page, world.admin, password="not the password")
        expect(page.get_by_test_id("login-error")).to_have_text(
            "The email or the password is wrong."
        )
    save(page, backend, "login-wrong-password")
    log_in(page, world.admin, password="not the password")
    expect(page.get_by_test_id("login-error")).to_contain_text("locked until")
    log_in(page, world.admin, password=world.admin.password)
    expect(page.get_by_test_id("login-error")).to_contain_text("locked until")
    save(page, backend, "login-locked")


def make_traffic(server: LiveServer, key: str) -> None:
    headers = {"authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.base_url, headers=headers) as http:
        for _ in range(3):
            chat = {"model": "test-model", "messages": [{"role": "user", "content": "hello"}]}
            assert http.post("/v1/chat/completions", json=chat).status_code == 200
        embeddings = {"model": "test-model", "input": ["one", "two"]}
        assert http.post("/v1/embeddings", json=embeddings).status_code == 200
    server.flush()


def test_every_screen(page: Any, live_server: LiveServer, world: World, backend: str) -> None:
    """Walk every screen once, as an owner with traffic and as staff, and keep a picture."""
    from playwright.sync_api import expect

    make_traffic(live_server, new_key(live_server, world.org_a))
    log_in(page, world.owner)
    expect(page.get_by_test_id("plan")).to_have_text("Scale")
    save(page, backend, "overview")
    for link, heading, name in (
        ("Privacy settings", "Privacy settings", "privacy"),
        ("ZDR request", "ZDR request", "zdr-request-form"),
        ("API keys", "API keys", "api-keys"),
        ("Members", "Members", "members"),
        ("Usage", "Usage", "usage"),
        ("Audit log", "Audit log", "audit-log"),
    ):
        nav(page, link)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        save(page, backend, name)
    expect(page.get_by_test_id("audit-row").first).to_be_visible()
    nav(page, "Usage")
    expect(page.get_by_role("img", name="chat/completions: 3 requests")).to_be_visible()
    page.goto(f"/console/orgs/{world.org_b}/privacy")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    save(page, backend, "other-organization-404")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/console/orgs/{world.org_a}/usage")
    save(page, backend, "usage-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    log_out(page)

    log_in(page, world.staff)
    for link, name in (
        ("Review queue", "staff-review"),
        ("Organizations", "staff-organizations"),
        ("Global audit log", "staff-audit"),
    ):
        nav(page, link)
        save(page, backend, name)
    expect(page.get_by_test_id("chain-status")).to_contain_text("Audit chain intact")


def test_switch_between_organizations(
    page: Any, live_server: LiveServer, world: World, backend: str
) -> None:
    from playwright.sync_api import expect

    async def join_b() -> None:
        async with unit_of_work(live_server.state.sessions) as session:
            from zerokeep.user import service as user_service

            organization = await organization_service.get(session, world.org_b)
            user = await user_service.get(session, world.admin.id)
            await user_service.add_member(session, CLI, organization, user, Role.MEMBER)

    live_server.run(join_b())
    log_in(page, world.admin)
    expect(page.get_by_role("heading", level=1)).to_have_text(world.org_a_name)
    page.get_by_label("Organization").select_option(label=f"{world.org_b_name} (member)")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.org_b_name)
    nav(page, "Privacy settings")
    expect(page.get_by_test_id("read-only")).to_be_visible()  # a member in this one
    save(page, backend, "switched-organization")
