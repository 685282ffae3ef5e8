"""The public Trust page and GET /v1/trust: built from the catalogue, the settings and the
latest signed retention audit report of this deployment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.console.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.console.browser import screenshot as save
from tests.harness import LiveServer
from zerokeep.kit.signing import public_key_of
from zerokeep.retention.catalogue import STATEFUL_PREFIXES, STATELESS_ENDPOINTS
from zerokeep.retention_audit.report import sign, verify
from zerokeep.trust.statement import latest_report_path, save_latest_report


def test_the_json_states_the_catalogue_and_the_configuration(live_server: LiveServer) -> None:
    response = httpx.get(live_server.base_url + "/v1/trust")  # no key: it is public
    assert response.status_code == 200
    body = response.json()
    assert [r["path"] for r in body["zdr_eligible_routes"]] == [
        str(e.path) for e in STATELESS_ENDPOINTS
    ]
    assert body["stateful_route_prefixes"] == list(STATEFUL_PREFIXES)
    settings = live_server.settings
    assert body["default_archive_window_days"] == settings.default_abuse_window_days
    declared = {s["name"]: s["declared_retention"] for s in body["subprocessors"]}
    expected = {
        p.name: "none" if p.retention_days is None else f"{p.retention_days} days"
        for p in settings.providers
    }
    assert declared == expected
    seed = live_server.state.keys.report_signing_seed
    assert body["report_public_key"] == public_key_of(seed)
    assert f"--public-key {public_key_of(seed)}" in body["verify_command"]
    assert response.headers["zerokeep-retention"]  # a control route like the others


def test_the_latest_signed_report_is_published_and_verifies(live_server: LiveServer) -> None:
    seed = live_server.state.keys.report_signing_seed
    report = {"verdict": "PASS", "mode": "in-process", "finished_at": "2026-11-30T12:00:00+00:00",
              "version": "0.1.0", "failures": []}  # fmt: skip
    path = save_latest_report(live_server.settings, sign(report, seed))
    try:
        body = httpx.get(live_server.base_url + "/v1/trust").json()
        assert body["latest_retention_audit"]["verdict"] == "PASS"
        published = httpx.get(live_server.base_url + "/trust/retention-audit.json").json()
        assert verify(published, public_key_of(seed)).is_valid
        page = httpx.get(live_server.base_url + "/trust").text
        assert "Verdict <strong" in page and "PASS" in page
    finally:
        path.unlink()
    assert httpx.get(live_server.base_url + "/trust/retention-audit.json").status_code == 404
    assert not latest_report_path(live_server.settings).exists()


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> Iterator[Any]:
    # After the live server: its start runs asyncio.run, refused while Playwright's loop runs.
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
def test_the_page_at_both_widths(
    browser: Any, live_server: LiveServer, backend: str, width: int
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(
        base_url=live_server.base_url, viewport={"width": width, "height": 860}
    )
    page = context.new_page()
    page.goto("/trust")
    expect(page.get_by_role("heading", name="Zero Data Retention eligible routes")).to_be_visible()
    expect(page.get_by_test_id("subprocessor")).to_have_count(len(live_server.settings.providers))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    save(page, backend, f"trust-{width}")
    context.close()
