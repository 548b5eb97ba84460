"""A running campaign in a real browser: the engine's dialer calls the customers through
the AMI emulator, and the supervisor's page shows the new figures and the outcomes
chart without a reload, under the pages' CSP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Browser, Page, expect

from autodialer.plugin import DIALER
from callgrid.engine import Engine
from telephony.ami import AmiClient
from telephony.emulator.ami_calls import REFERENCE_CONTEXTS, Outcome
from telephony.emulator.ami_server import AmiEmulator
from tests.autodialer.campaign_site import a_running_campaign, add_three_customers
from tests.web.conftest import RunningWeb
from tests.web.test_browser import browser, page, sign_in, site

__all__ = ["browser", "page", "site"]
pytestmark = pytest.mark.asyncio(loop_scope="module")
OUTCOMES: dict[str, Outcome] = {
    "79130000001": "busy",
    "79130000002": "noanswer",
    "79130000003": "answer",
}
KEEP_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
CHART = """() => {
  const chart = Chart.getChart("outcomes-chart");
  return {
    labels: chart.data.labels,
    totals: Object.fromEntries(chart.data.datasets.map(
      (set) => [set.label, set.data.reduce((sum, n) => sum + n, 0)])),
    width: chart.width,
  };
}"""


@asynccontextmanager
async def asterisk_for(engine: Engine) -> AsyncIterator[None]:
    """The AMI emulator answering the campaign's dial strings, as the engine's link."""
    outcomes = {f"PJSIP/{number}@callgrid-trunk": kind for number, kind in OUTCOMES.items()}
    emulator = AmiEmulator(
        auth_failure_delay=0,
        outcomes=outcomes,
        contexts={*REFERENCE_CONTEXTS, "callgrid-campaign"},
    )
    await emulator.start()
    client = AmiClient("127.0.0.1", emulator.port, "ivr", "ivrsecret", action_timeout=2.0)
    await client.start()
    engine.host.ami = client
    try:
        yield
    finally:
        engine.host.ami = None
        await client.close()
        await emulator.stop()


async def test_a_campaign_is_prepared_approved_and_started_from_the_screens(
    site: RunningWeb, page: Page, browser: Browser
) -> None:
    await add_three_customers(site)
    await site.add_user("vera", "supervisor")
    await site.add_user("maria", "manager")
    await page.add_init_script(KEEP_VIOLATIONS)
    await sign_in(page, site, "vera")
    await page.get_by_role("link", name="Campaigns").click()
    await page.goto(site.url + "/campaigns/new")
    await page.get_by_label("Name").fill("Долг, ноябрь")
    await page.get_by_label("List query").fill("kind=household")
    await page.get_by_label("Scenario").fill("По лицевому счёту {account} задолженность {debt}.")
    await page.get_by_label("Starts").fill("2026-11-27T09:00")
    await page.get_by_label("Ends").fill("2026-11-30T20:00")
    await page.get_by_label("Line limit").fill("3")
    await page.get_by_label("Calls per second").fill("10")
    await page.get_by_role("button", name="Save as a draft").click()
    await expect(page.locator("#state")).to_have_text("draft")
    await expect(page.locator(".refused-action").first).to_contain_text("Approve")
    campaign_page = page.url

    manager = await browser.new_context()
    try:
        approving = await manager.new_page()
        await sign_in(approving, site, "maria")
        await approving.goto(campaign_page)
        await approving.get_by_role("button", name="Approve").click()
        await expect(approving.locator("#state")).to_have_text("approved")
    finally:
        await manager.close()

    await page.reload()
    await page.get_by_role("button", name="Start").click()
    await expect(page.locator("#state")).to_have_text("running")
    await expect(page.locator("#pending")).to_have_text("3")
    async with asterisk_for(site.engine):
        await site.engine.host.require(DIALER).tick()
        await site.engine.host.require(DIALER).settle()
        await expect(page.locator("#attempted")).to_have_text("3")
        await expect(page.locator("#failed")).to_contain_text("busy: 1")
    assert await page.evaluate("window.violations") == []


async def test_a_supervisor_sees_a_dialer_tick_live(site: RunningWeb, page: Page) -> None:
    await add_three_customers(site)
    await a_running_campaign(site)
    await site.add_user("sofia", "supervisor")
    await page.add_init_script(KEEP_VIOLATIONS)
    await sign_in(page, site, "sofia")
    await expect(page.get_by_role("heading", name="Engine")).to_be_visible()
    await page.goto(site.url + "/campaigns")
    await page.get_by_role("link", name="Долг, декабрь").click()
    await expect(page.get_by_role("heading", name="Campaign #1: Долг, декабрь")).to_be_visible()
    await expect(page.locator("#link")).to_have_text("live")
    await expect(page.locator("#attempted")).to_have_text("0")
    await expect(page.locator("#pending")).to_have_text("3")
    await page.evaluate("window.notReloaded = true")

    dialer = site.engine.host.require(DIALER)
    async with asterisk_for(site.engine):
        await dialer.tick()
        await dialer.settle()
        await expect(page.locator("#attempted")).to_have_text("3")
        await expect(page.locator("#failed")).to_contain_text("busy: 1")
        await expect(page.locator("#failed")).to_contain_text("no_answer: 1")
        await expect(page.locator("#lines-busy")).to_have_text("1")  # answered: under way

    assert await page.evaluate("window.notReloaded") is True
    chart = await page.evaluate(CHART)
    assert chart["labels"] == ["27.11 11:00"]
    assert chart["totals"] == {"positive": 0, "negative": 2, "unknown": 0}
    assert chart["width"] > 0
    assert await page.evaluate("window.violations") == []
