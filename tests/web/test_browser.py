"""The pages in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, Route, async_playwright, expect

from callgrid.database import Database
from callgrid.web.app import CONTENT_SECURITY_POLICY
from tests.web.conftest import PASSWORD, RunningWeb, running_web
from worktime.clock import ManualClock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    print(f"\nSKIPPING browser tests: {CHROMIUM} is not installed (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def site(tmp_path: Path) -> AsyncIterator[RunningWeb]:
    """The web part on SQLite (the browser's loop is the module's, not the database
    fixture's; the HTTP tests cover PostgreSQL)."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}")
    await database.upgrade()
    await database.close()
    clock = ManualClock(datetime(2026, 11, 27, 4, 0, tzinfo=UTC))
    async with running_web(database.url, clock, tmp_path / "var") as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context()
    opened = await context.new_page()
    yield opened
    await context.close()


async def sign_in(page: Page, site: RunningWeb, login: str) -> None:
    await page.goto(site.url + "/")
    assert page.url.startswith(site.url + "/sign-in")
    await page.get_by_label("Login").fill(login)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def test_a_supervisor_sees_engine_events_live(site: RunningWeb, page: Page) -> None:
    await site.add_user("sofia", "supervisor")
    await sign_in(page, site, "sofia")
    await expect(page.get_by_role("heading", name="Engine")).to_be_visible()
    await expect(page.locator("#link")).to_have_text("live")
    await page.evaluate("window.notReloaded = true")

    site.engine.events.publish("ami.link", connected=False, reconnects=3)
    await expect(page.locator("#events")).to_contain_text('ami.link {"connected":false')

    logging.getLogger("telephony.ami").error("AMI login refused: bad secret")
    site.engine.events.publish("call.started", channel="PJSIP/trunk-00000001")
    await expect(page.locator("#errors")).to_contain_text("AMI login refused: bad secret")
    assert await page.evaluate("window.notReloaded") is True


async def test_an_operator_is_refused_the_supervisor_pages(site: RunningWeb, page: Page) -> None:
    await site.add_user("olga", "operator")
    await sign_in(page, site, "olga")
    await expect(page.get_by_role("heading", name="Olga")).to_be_visible()
    for path in ("/", "/admin/audit"):
        response = await page.goto(site.url + path)
        assert response is not None and response.status == 403
        await expect(page.get_by_text("Your role does not allow this page")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


CSP_CHECK_PAGE = """<!doctype html>
<html><head>
<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>
<script src="/csp-check.js"></script>
<script src="/static/vendor/alpinejs-csp/alpine.min.js" defer></script>
<script src="/static/vendor/htmx.org/htmx.min.js"></script>
<script src="/static/vendor/chart.js/chart.umd.min.js"></script>
</head><body>
<div x-data="counter"><span id="count" x-text="count"></span>
<button id="more" @click="add()">more</button></div>
<canvas id="chart"></canvas>
</body></html>"""
CSP_CHECK_SCRIPT = """
window.violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.violations.push(event.violatedDirective + " " + event.blockedURI);
});
document.addEventListener("alpine:init", function () {
  Alpine.data("counter", function () {
    return { count: 1, add: function () { this.count += 1; } };
  });
});
document.addEventListener("DOMContentLoaded", function () {
  new Chart(document.getElementById("chart"), {
    type: "bar", data: { labels: ["a"], datasets: [{ data: [1] }] }, options: { animation: false }
  });
});
"""


async def test_every_vendored_library_runs_under_the_pages_csp(
    site: RunningWeb, page: Page
) -> None:
    async with aiohttp.ClientSession(site.url) as client, client.get("/sign-in") as sign_in_page:
        policy = sign_in_page.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in policy

    async def serve(route: Route) -> None:
        if route.request.url.endswith(".js"):
            await route.fulfill(body=CSP_CHECK_SCRIPT, content_type="text/javascript")
        else:
            await route.fulfill(
                body=CSP_CHECK_PAGE,
                content_type="text/html",
                headers={"Content-Security-Policy": policy},
            )

    await page.route(site.url + "/csp-check*", serve)
    await page.goto(site.url + "/csp-check")
    await expect(page.locator("#count")).to_have_text("1")
    await page.locator("#more").click()
    await expect(page.locator("#count")).to_have_text("2")
    assert await page.evaluate("typeof htmx.ajax") == "function"
    assert await page.evaluate("Chart.getChart('chart') !== undefined") is True
    assert await page.evaluate("window.violations") == []
