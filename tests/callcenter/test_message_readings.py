"""Readings left on the answering machine, typed on the operator's desk: refused with
the reason by the rules the IVR applies, then stored as the customer's own (IVR-10),
the message's task done and the entry audited."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from callcenter.plugin import TASKS
from callcenter.tasks import NewTask, TaskKind
from customers.account_import import NewAccount
from customers.model import Channel, Zone
from customers.plugin import CUSTOMERS
from ivr.demo import HOUSEHOLD
from ivr.demo import METER as TWO_ZONES
from tests.ivr.self_service import reading
from tests.web.conftest import RunningWeb, web

__all__ = ["web"]
LEFT_AT = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)  # 23:30 in Tomsk, out of hours


async def message_task(site: RunningWeb) -> int:
    await site.engine.host.require(CUSTOMERS).add_accounts(
        [NewAccount(HOUSEHOLD, TWO_ZONES, (reading(Zone.DAY, 12000), reading(Zone.NIGHT, 4400)))]
    )
    return await site.engine.host.require(TASKS).add(
        NewTask(
            kind=TaskKind.ANSWERING_MACHINE, call_id="m1", phone="79001234567", line="toll_free",
            subject="Сообщение на автоответчике", created_at=LEFT_AT,
            due_at=LEFT_AT + timedelta(days=1), account_number=HOUSEHOLD.number,
            transcript="показания день двенадцать тысяч сто ночь четыре тысячи четыреста пятьдесят",
        )
    )  # fmt: skip


async def test_readings_from_a_message_are_judged_then_stored_as_the_customers(
    web: RunningWeb,
) -> None:
    task_id = await message_task(web)
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        token = await web.csrf_token(client)
        async with client.get(f"/desk/tasks/{task_id}") as page:
            shown = html.unescape(await page.text())
        wrong = {"csrf_token": token, "account": HOUSEHOLD.number}
        wrong |= {"zone_day": "99999", "zone_night": "4450"}
        async with client.post(f"/desk/tasks/{task_id}/readings", data=wrong) as refused:
            refusal = (refused.status, html.unescape(await refused.text()))
        right = wrong | {"zone_day": "12100"}
        async with client.post(
            f"/desk/tasks/{task_id}/readings", data=right, allow_redirects=False
        ) as stored:
            assert stored.status == 303

    assert 'name="zone_day"' in shown and 'name="zone_night"' in shown
    assert "двенадцать тысяч сто" in shown
    assert refusal[0] == 400 and "day: implausible" in refusal[1]
    customers = web.engine.host.require(CUSTOMERS)
    account = await customers.account_by_number(HOUSEHOLD.number)
    assert account is not None
    (meter,) = await customers.meters(account.id)
    last = await customers.last_accepted(meter.id)
    assert {zone: r.value for zone, r in last.items()} == {Zone.DAY: 12100, Zone.NIGHT: 4450}
    assert {r.channel for r in last.values()} == {Channel.ANSWERING_MACHINE}
    assert {r.taken_at for r in last.values()} == {LEFT_AT}, "as of when the message was left"
    task = await web.engine.host.require(TASKS).get(task_id)
    assert task is not None and (task.status, task.done_by) == ("done", "olga")
    entries, _ = await web.audit_log.page(1, 50)
    assert [e.subject_id for e in entries if e.action == "readings.entered"] == [HOUSEHOLD.number]


async def test_an_unknown_account_is_named_and_nothing_is_stored(web: RunningWeb) -> None:
    task_id = await message_task(web)
    await web.add_user("olga", "operator")
    async with web.client() as client:
        await web.sign_in(client, "olga")
        token = await web.csrf_token(client)
        data = {"csrf_token": token, "account": "7099999999", "zone_total": "5"}
        async with client.post(f"/desk/tasks/{task_id}/readings", data=data) as refused:
            assert refused.status == 400
            assert "no customer has the account number '7099999999'" in html.unescape(
                await refused.text()
            )
    task = await web.engine.host.require(TASKS).get(task_id)
    assert task is not None and task.status == "open"
