"""The supervisor's wallboard in a real browser: the engine's AMI link to the emulated
Asterisk, an operator paused there for lunch, and the board showing it without a
reload; an operator is refused the page; it fits a phone-sized screen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from callgrid.database import Database
from telephony.ami.actions import QueueAdd, QueuePause
from telephony.emulator.ami_server import AmiEmulator
from tests.waiting import eventually
from tests.web.conftest import RunningWeb, running_web
from tests.web.test_browser import browser, page, sign_in
from worktime.clock import ManualClock

__all__ = ["browser", "page"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module")
async def board_site(tmp_path: Path) -> AsyncIterator[tuple[RunningWeb, AmiEmulator]]:
    emulator = AmiEmulator(
        auth_failure_delay=0,
        queues={"billing": ["Local/olga@operators/n"], "dispatch": ["Local/ivan@operators/n"]},
    )
    await emulator.start()
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}")
    await database.upgrade()
    await database.close()
    clock = ManualClock(datetime(2026, 11, 27, 4, 0, tzinfo=UTC))
    async with running_web(database.url, clock, tmp_path / "var", emulator.port) as running:
        await eventually(lambda: running.engine.ami is not None and running.engine.ami.is_connected)
        yield running, emulator
    await emulator.stop()


async def test_a_supervisor_sees_an_operator_go_to_lunch_live(
    board_site: tuple[RunningWeb, AmiEmulator], page: Page
) -> None:
    site, _emulator = board_site
    await site.add_user("sofia", "supervisor")
    await sign_in(page, site, "sofia")
    await page.get_by_role("link", name="Wallboard").click()
    await expect(page.get_by_role("heading", name="Wallboard")).to_be_visible()
    await expect(page.locator("#link")).to_have_text("live")
    olga = page.locator('#operators tr[data-login="olga"]')
    await expect(olga.locator(".activity")).to_have_text("available")
    await page.evaluate("window.notReloaded = true")

    ami = site.engine.ami
    assert ami is not None
    await ami.send(QueuePause("Local/olga@operators/n", True, reason="lunch"))
    await expect(olga.locator(".activity")).to_have_text("break")
    await expect(olga).to_contain_text("lunch")
    billing = page.locator('#queues tr[data-queue="billing"]')
    await expect(billing.locator("td").nth(4)).to_have_text("0")  # nobody takes its calls
    await ami.send(QueueAdd("billing", "Local/ivan@operators/n", member_name="Иван"))
    await expect(billing.locator("td").nth(4)).to_have_text("1")
    assert await page.evaluate("window.notReloaded") is True


async def test_the_board_fits_a_phone_and_is_refused_to_an_operator(
    board_site: tuple[RunningWeb, AmiEmulator], browser: Browser
) -> None:
    site, _emulator = board_site
    await site.add_user("sofia", "supervisor")
    await site.add_user("oleg", "operator")
    phone = await browser.new_context(viewport={"width": 390, "height": 844})
    try:
        on_phone = await phone.new_page()
        await sign_in(on_phone, site, "sofia")
        await on_phone.goto(site.url + "/wallboard")
        await expect(on_phone.locator('#operators tr[data-login="ivan"]')).to_be_visible()
        page_width = await on_phone.evaluate("document.documentElement.scrollWidth")
        assert page_width <= 390, "the page itself does not scroll sideways"
    finally:
        await phone.close()
    operator = await browser.new_context()
    try:
        refused = await operator.new_page()
        await sign_in(refused, site, "oleg")
        response = await refused.goto(site.url + "/wallboard")
        assert response is not None and response.status == 403
    finally:
        await operator.close()
