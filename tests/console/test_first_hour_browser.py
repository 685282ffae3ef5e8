"""The console items of issue 13 in a real headless Chromium, at 1280 px and at 375 px (a
phone): every page fits the screen, accounts are managed (password change, reset by a
one-time emailed link, disable), destructive actions are confirmed, refusals stay inside the
layout, and the audit log shows emails, pages through every event, filters and exports.
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.console.browser import CHROMIUM, CHROMIUM_ARGS, log_in, log_out, nav, require_chromium
from tests.console.browser import screenshot as save
from tests.console.test_browser import deliver_emails, make_traffic, new_key, outbox_messages
from tests.console.world import World, build_world
from tests.harness import LiveServer
from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import Actor, AuditAction
from zerokeep.db import unit_of_work

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 375}
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> Iterator[Any]:
    # After the live server: its start runs asyncio.run, refused while Playwright's loop runs.
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_page(browser: Any, server: LiveServer, width: int) -> Any:
    context = browser.new_context(
        base_url=server.base_url, viewport={"width": width, "height": 860}
    )
    context.set_default_timeout(15_000)
    return context.new_page()


@pytest.fixture()
def world(live_server: LiveServer) -> World:
    return build_world(live_server)


def assert_fits(page: Any, what: str) -> None:
    """Nothing is wider than the viewport: tables scroll inside their own wrapper, and the top
    bar spans the whole width."""
    measured = page.evaluate(
        """() => {
            const width = window.innerWidth;
            // What the top bar can span: a long page shows a vertical scrollbar (16 px), which
            // no element can use.
            const usable = Math.min(document.documentElement.clientWidth,
                                    document.body.clientWidth);
            const bar = document.querySelector('.topbar');
            const wraps = [...document.querySelectorAll('.table-wrap')].map(
                w => w.getBoundingClientRect().right);
            const tables = [...document.querySelectorAll('table')].filter(
                t => !t.closest('.table-wrap')).length;
            return {width, page: document.documentElement.scrollWidth,
                    usable, bar: bar ? bar.getBoundingClientRect().width : null,
                    wrapRight: Math.max(0, ...wraps), bareTables: tables};
        }"""
    )
    assert measured["page"] <= measured["width"], (what, measured)
    if measured["bar"] is not None:
        assert measured["bar"] >= measured["usable"] - 1, (what, measured)
    assert measured["wrapRight"] <= measured["width"], (what, measured)
    assert measured["bareTables"] == 0, (what, measured)


def visit(page: Any, path: str, backend: str, name: str) -> None:
    page.goto(path)
    page.wait_for_load_state("load")
    assert_fits(page, name)
    save(page, backend, name)


@pytest.mark.parametrize("size", list(WIDTHS))
def test_every_page_fits(
    browser: Any, live_server: LiveServer, world: World, backend: str, size: str
) -> None:
    make_traffic(live_server, new_key(live_server, world.org_a))
    page = new_page(browser, live_server, WIDTHS[size])
    visit(page, "/console/login", backend, f"fit-login-{size}")
    visit(page, "/console/forgot", backend, f"fit-forgot-{size}")
    log_in(page, world.owner)
    base = f"/console/orgs/{world.org_a}"
    for path, name in (
        ("", "overview"),
        ("/privacy", "privacy"),
        ("/zdr", "zdr"),
        ("/keys", "keys"),
        ("/members", "members"),
        ("/usage", "usage"),
        ("/audit", "audit"),
    ):
        visit(page, base + path, backend, f"fit-{name}-{size}")
    visit(page, "/console/account", backend, f"fit-account-{size}")
    log_out(page)
    log_in(page, world.staff)
    for path, name in (
        ("/console/staff/review", "staff-review"),
        ("/console/staff/organizations", "staff-organizations"),
        ("/console/staff/audit", "staff-audit"),
        ("/console/staff/users", "staff-users"),
    ):
        visit(page, path, backend, f"fit-{name}-{size}")
    page.context.close()


def reset_link(server: LiveServer, email: str) -> str:
    deliver_emails(server)
    bodies = [
        str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
        for message in outbox_messages(server)
        if str(message["to"]) == email and "Reset your" in str(message["subject"])
    ]
    assert bodies, f"no reset email for {email}"
    match = re.search(r"(\S+)/console/reset/(\S+)", bodies[-1])
    assert match, bodies[-1]
    assert match.group(1) == server.settings.base_url
    return f"/console/reset/{match.group(2)}"


@pytest.mark.parametrize("size", list(WIDTHS))
def test_password_reset_by_a_one_time_link(
    browser: Any, live_server: LiveServer, world: World, backend: str, size: str
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, live_server, WIDTHS[size])
    page.goto("/console/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(world.member.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_test_id("reset-sent")).to_be_visible()
    save(page, backend, f"reset-requested-{size}")

    link = reset_link(live_server, world.member.email)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat the new password").fill("short")
    page.locator("form").evaluate("f => f.noValidate = true")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("at least 12 characters")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    save(page, backend, f"reset-form-{size}")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("status")).to_contain_text("new password is set")
    assert_fits(page, "login after reset")

    page.goto(link)  # once only
    expect(page.get_by_test_id("form-error")).to_contain_text("not valid any more")
    save(page, backend, f"reset-link-used-{size}")
    log_in(page, world.member, password=world.member.password)
    expect(page.get_by_test_id("login-error")).to_be_visible()
    log_in(page, world.member, password=NEW_PASSWORD)
    expect(page.get_by_test_id("viewer-email")).to_have_text(world.member.email)
    page.context.close()


def test_password_change_ends_every_session(
    browser: Any, live_server: LiveServer, world: World, backend: str
) -> None:
    from playwright.sync_api import expect

    elsewhere = new_page(browser, live_server, 1280)
    log_in(elsewhere, world.admin)
    page = new_page(browser, live_server, WIDTHS["phone"])
    log_in(page, world.admin)
    page.get_by_test_id("viewer-email").click()
    page.get_by_label("Current password").fill("not the password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("current password is wrong")
    save(page, backend, "account-wrong-password-phone")
    page.get_by_label("Current password").fill(world.admin.password)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Password changed")
    elsewhere.goto(f"/console/orgs/{world.org_a}")
    expect(elsewhere).to_have_url(re.compile(r"/console/login"))
    log_in(page, world.admin, password=NEW_PASSWORD)
    expect(page.get_by_test_id("viewer-email")).to_have_text(world.admin.email)
    page.context.close()
    elsewhere.context.close()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_staff_disables_a_user_after_confirming(
    browser: Any, live_server: LiveServer, world: World, backend: str, size: str
) -> None:
    from playwright.sync_api import expect

    victim = new_page(browser, live_server, 1280)
    log_in(victim, world.member)
    page = new_page(browser, live_server, WIDTHS[size])
    log_in(page, world.staff)
    nav(page, "Users")
    row = page.locator(f'[data-testid="user-row"][data-email="{world.member.email}"]')
    expect(row).to_contain_text(world.org_a_name)
    row.get_by_role("button", name="Disable").click()
    expect(page.get_by_test_id("confirm")).to_contain_text(f"Disable {world.member.email}?")
    assert_fits(page, "confirm")
    save(page, backend, f"staff-user-disable-confirm-{size}")
    page.get_by_role("button", name="Disable user").click()
    expect(page.get_by_role("status")).to_contain_text("User disabled")
    expect(row).to_contain_text("disabled")
    save(page, backend, f"staff-users-{size}")

    victim.goto(f"/console/orgs/{world.org_a}")
    expect(victim).to_have_url(re.compile(r"/console/login"))
    log_in(victim, world.member, password=world.member.password)
    expect(victim.get_by_test_id("login-error")).to_be_visible()
    row.get_by_role("button", name="Enable").click()
    expect(page.get_by_role("status")).to_contain_text("User enabled")
    page.context.close()
    victim.context.close()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_a_refusal_stays_inside_the_console(
    browser: Any, live_server: LiveServer, world: World, backend: str, size: str
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, live_server, WIDTHS[size])
    log_in(page, world.owner)
    nav(page, "Members")
    row = page.get_by_test_id("member-row").filter(has_text=world.owner.email)
    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_test_id("confirm")).to_contain_text("Remove this member?")
    page.get_by_role("button", name="Remove member").click()
    expect(page.get_by_test_id("refused")).to_contain_text("at least one owner")
    expect(page.get_by_role("navigation")).to_be_visible()  # the layout, not a dead end
    assert_fits(page, "refused")
    save(page, backend, f"refused-inline-{size}")
    page.context.close()


def test_audit_log_emails_pages_filters_and_export(
    browser: Any, live_server: LiveServer, world: World, backend: str
) -> None:
    from playwright.sync_api import expect

    async def many_events() -> None:
        async with unit_of_work(live_server.state.sessions) as session:
            for number in range(105):
                await audit_service.record(
                    session,
                    Actor.user(world.admin.id),
                    AuditAction.KEY_CREATED,
                    target=f"key_{number:04d}",
                    organization_id=world.org_a,
                )

    live_server.run(many_events())
    page = new_page(browser, live_server, 1280)
    log_in(page, world.owner)
    nav(page, "Audit log")
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(100)
    expect(page.get_by_test_id("audit-actor").first).to_have_text(world.admin.email)
    save(page, backend, "audit-emails")
    page.get_by_test_id("audit-older").click()
    expect(page.get_by_test_id("audit-row").first).to_be_visible()
    older = page.get_by_test_id("audit-row").count()
    assert older >= 5
    save(page, backend, "audit-older")

    nav(page, "Audit log")
    page.get_by_label("Action").select_option("member.added")
    page.get_by_label("Actor").fill("cli")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("audit-row")).to_have_count(3)  # build_world added 3 members
    save(page, backend, "audit-filtered")

    export = page.request.get(page.get_by_test_id("audit-export").get_attribute("href"))
    assert export.status == 200
    assert export.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in export.text().splitlines()]
    assert {r["action"] for r in records} == {"member.added"} and len(records) == 3
    assert {r["target_email"] for r in records} == {
        world.owner.email,
        world.admin.email,
        world.member.email,
    }
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 860})
    nav(page, "Audit log")
    assert_fits(page, "audit at 375")
    save(page, backend, "audit-phone")
    everything = page.request.get(f"/console/orgs/{world.org_a}/audit.jsonl")
    assert len(everything.text().splitlines()) > 105
    page.context.close()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_a_new_key_has_a_copy_button(
    browser: Any, live_server: LiveServer, world: World, backend: str, size: str
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, live_server, WIDTHS[size])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, world.member)
    nav(page, "API keys")
    page.get_by_label("Name").fill("phone")
    page.get_by_role("button", name="Create key").click()
    plaintext = page.get_by_test_id("new-key-value").inner_text()
    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == plaintext
    assert_fits(page, "new key")
    save(page, backend, f"api-key-copy-{size}")
    page.context.close()
