"""The operator's desk in a real browser: the customer's card pops up the moment the
emulated Asterisk rings the operator (an audited read), and a break is refused while
the operator is the last one taking a queue's calls, then taken and ended; callbacks are
dialled from the desk, one keeping its caller's queue place marked so until then."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from playwright.async_api import Page, expect

from callcenter.plugin import TASKS
from callcenter.tasks import QueuePlace, new_callback
from telephony.ami.actions import QueueAdd
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.callback_dialplan import CallbackDialplan
from tests.autodialer.campaign_fixtures import account, add_customers
from tests.callcenter.test_call_register import ANSWERED, altered, named, received
from tests.callcenter.test_wallboard_browser import board_site
from tests.web.conftest import RunningWeb
from tests.web.test_browser import browser, page, sign_in
from worktime.calendar import default_calendar

__all__ = ["board_site", "browser", "page"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


def ring(emulator: AmiEmulator, interface: str, caller: str) -> None:
    """AgentCalled as Asterisk 22 sends it (the reference capture's), for this member."""
    _moment, called = named(received(ANSWERED), "AgentCalled")
    event = altered(called, Interface=interface, CallerIDNum=caller, Queue="billing")
    emulator.emit_event(event.name, [(n, v) for n, v in event.message.headers if n != "Event"])


async def test_the_callers_card_pops_up_on_the_ring(
    board_site: tuple[RunningWeb, AmiEmulator], page: Page
) -> None:
    site, emulator = board_site
    await add_customers(site.engine.database, [account(7, vip=True)], site.clock())
    await site.add_user("olga", "operator")
    await sign_in(page, site, "olga")
    await page.get_by_role("link", name="Desk").click()
    await expect(page.locator("#my-state")).to_have_text("available")
    await expect(page.locator("#link")).to_have_text("live")

    ring(emulator, "Local/olga@operators/n", "79130000007")
    card = page.locator(".popped-card")
    await expect(card).to_contain_text("Абонент 7 · 7000000007 · VIP")
    await expect(card.locator(".popped-debt")).to_have_text("3452.17 ₽, due 2026-12-25")
    await expect(page.locator("#ringing-queue")).to_have_text("(billing)")
    entries, _ = await site.audit_log.page(1, 100)
    popped = [e for e in entries if e.action == "customer.card_popped"]
    assert [(e.actor, e.subject_id) for e in popped] == [("olga", "7000000007")]


async def test_a_break_is_refused_to_the_last_operator_of_a_queue(
    board_site: tuple[RunningWeb, AmiEmulator], page: Page
) -> None:
    site, _emulator = board_site
    await site.add_user("olga", "operator")
    await sign_in(page, site, "olga")
    await page.goto(site.url + "/desk")
    await page.get_by_label("Reason").select_option("lunch")
    await page.get_by_role("button", name="Take a break").click()
    await expect(page.locator("#refusal")).to_contain_text(
        "nobody else takes calls in queue billing"
    )
    await expect(page.locator("#my-state")).to_have_text("available")

    ami = site.engine.ami
    assert ami is not None
    await ami.send(QueueAdd("billing", "Local/ivan@operators/n", member_name="Иван"))
    await page.get_by_role("button", name="Take a break").click()
    await expect(page.locator("#my-state")).to_have_text("break")
    await expect(page.locator("#my-reason")).to_have_text("lunch")
    await page.get_by_role("button", name="Ready").click()
    await expect(page.locator("#my-state")).to_have_text("available")


async def test_a_callback_is_dialled_from_the_desk_and_marked_done(
    board_site: tuple[RunningWeb, AmiEmulator], page: Page
) -> None:
    site, emulator = board_site
    emulator.calls.contexts = frozenset({*emulator.calls.contexts, "callgrid-callback"})
    tasks = site.engine.host.require(TASKS)
    asked = site.clock() - timedelta(days=2)
    calendar = default_calendar()
    overdue = await tasks.add(
        new_callback("c1", "79130000007", "households", "Долг", asked, calendar)
    )
    promised = new_callback("c2", "79130000008", "households", None, site.clock(), calendar)
    others = await tasks.add(replace(promised, owner="ivan"))
    await site.add_user("olga", "operator")
    await sign_in(page, site, "olga")
    await page.goto(site.url + "/desk")
    mine = page.locator(f'#my-work tr[data-task="{overdue}"]')
    await expect(mine.locator(".overdue")).to_have_text("overdue")
    assert await page.locator(f'#my-work tr[data-task="{others}"]').count() == 0, "ivan's"

    await mine.get_by_role("button", name="Call back").click()
    await expect(mine.locator(".calls")).to_have_text("1 call(s) placed")
    placed = [(c.context, c.exten) for c in emulator.calls.channels.values()]
    assert ("callgrid-callback", "79130000007") in placed, "the operator rings, then the customer"
    task = await tasks.get(overdue)
    assert task is not None and task.details["calls"][0]["reason"] == 4

    await mine.get_by_role("button", name="Done").click()
    await expect(page.locator(f'#my-work tr[data-task="{overdue}"]')).to_have_count(0)
    done = await tasks.get(overdue)
    assert done is not None and (done.status, done.done_by) == ("done", "olga")


async def test_a_kept_place_callback_is_marked_until_the_operator_dials_it(
    board_site: tuple[RunningWeb, AmiEmulator], page: Page
) -> None:
    site, emulator = board_site
    dialplan = CallbackDialplan.install(emulator.calls)
    joined = site.clock() - timedelta(minutes=2)
    task_id = await site.engine.host.require(TASKS).request_callback(
        "c3", "79130000009", "households", None, joined, QueuePlace("billing", joined)
    )
    await site.add_user("olga", "operator")
    await sign_in(page, site, "olga")
    await page.goto(site.url + "/desk")
    row = page.locator(f'#my-work tr[data-task="{task_id}"]')
    await expect(row.locator(".kept-place")).to_have_text("waiting in billing")

    await row.get_by_role("button", name="Call back").click()
    await expect(row.locator(".calls")).to_have_text("1 call(s) placed")
    await expect(row.locator(".kept-place")).to_have_count(0)
    assert [request.exten for request in dialplan.placed] == ["79130000009"]
    dialplan.hang_up()
