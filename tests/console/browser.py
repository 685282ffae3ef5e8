"""Playwright plumbing for the console browser tests: Debian's Chromium, screenshots, login."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.console.world import Person

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def require_chromium() -> None:
    """Skip with a reason when Chromium or Playwright is missing; in CI, fail instead."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (scripts/ensure-browser installs Debian's chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed (it is in the `test` extra)"
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(problem + "; CI=true: the browser tests must run, not skip")
    pytest.skip(problem)


def screenshot(page: object, backend: str, name: str) -> Path:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    # Callers have already waited for the new page's content; let its stylesheet finish too,
    # so the full-page size is the laid-out one.
    page.wait_for_load_state("load")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{backend}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: object, person: Person, password: str | None = None) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/console/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(password or person.password)
    page.get_by_role("button", name="Log in").click()
    if password is None:
        expect(page.get_by_test_id("viewer-email")).to_have_text(person.email)


def log_out(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/console/login"))


def nav(page: object, name: str) -> None:
    """Follow a link of the side navigation."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()
