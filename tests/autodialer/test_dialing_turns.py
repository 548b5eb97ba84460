"""A dialer's turn in the database, on SQLite and PostgreSQL: who is called now, who
later, and never more lines than the campaign's limit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from autodialer.attempt_store import AttemptStore
from autodialer.contact_judge import ContactJudge
from autodialer.model import Cause, MessageChannel, Purpose
from autodialer.pacing import dial_budget
from autodialer.storage import ListEntry
from callgrid.database import Database
from callgrid.web.audit import AuditLog
from customers.consent import ConsentChange, ConsentChannel
from customers.consent_store import SqlConsent
from tests.autodialer.campaign_fixtures import (
    account,
    add_customers,
    draft,
    parts_for,
    running_campaign,
)
from worktime.clock import ManualClock

TOMSK_MORNING = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # Wednesday 10:00 in Tomsk


def budget_of(line_limit: int, cps: float = 100.0):  # type: ignore[no-untyped-def]
    def budget(busy: int, recent: int) -> int:
        return dial_budget(
            line_limit=line_limit, lines_busy=busy, calls_per_second=cps, started_in_window=recent
        )

    return budget


async def test_a_turn_never_starts_more_calls_than_the_lines(database: Database) -> None:
    clock = ManualClock(TOMSK_MORNING)
    parts = parts_for(database, clock)
    await add_customers(database, [account(n) for n in range(10)], clock())
    entries = [ListEntry(f"70{n:08d}") for n in range(10)]
    campaign = await running_campaign(parts, draft(clock(), lines=3), entries, clock())
    judge = ContactJudge(campaign, parts.rules, clock())

    started, _ = await parts.store.take_turn(
        campaign, MessageChannel.PHONE, clock(), budget_of(3), judge
    )
    assert len(started) == 3
    assert "задолженность составляет три тысячи четыреста пятьдесят два рубля" in started[0].said
    again, _ = await parts.store.take_turn(
        campaign, MessageChannel.PHONE, clock(), budget_of(3), judge
    )
    assert again == []

    await parts.store.finish(started[0].id, Cause.BUSY, clock())
    clock.advance(1)
    judge = ContactJudge(campaign, parts.rules, clock())
    one_more, _ = await parts.store.take_turn(
        campaign, MessageChannel.PHONE, clock(), budget_of(3), judge
    )
    assert len(one_more) == 1
    assert one_more[0].account_number != started[0].account_number  # busy: 2 hours


async def test_a_call_that_ended_after_the_turns_moment_still_holds_its_line(
    database: Database,
) -> None:
    """A turn reads the clock, then waits for the campaign's lock while a call ends: the
    calls it begins are stamped with its moment, when that line was still busy."""
    clock = ManualClock(TOMSK_MORNING)
    parts = parts_for(database, clock)
    await add_customers(database, [account(n) for n in range(4)], clock())
    entries = [ListEntry(f"70{n:08d}") for n in range(4)]
    campaign = await running_campaign(parts, draft(clock(), lines=1), entries, clock())
    (first,), _ = await parts.store.take_turn(
        campaign,
        MessageChannel.PHONE,
        clock(),
        budget_of(1),
        ContactJudge(campaign, parts.rules, clock()),
    )
    clock.advance(5)
    turn_moment = clock()
    clock.advance(0.01)
    await parts.store.finish(first.id, Cause.HEARD, clock())

    judge = ContactJudge(campaign, parts.rules, turn_moment)
    late, _ = await parts.store.take_turn(
        campaign, MessageChannel.PHONE, turn_moment, budget_of(1), judge
    )
    assert late == []
    next_turn, _ = await parts.store.take_turn(
        campaign,
        MessageChannel.PHONE,
        clock(),
        budget_of(1),
        ContactJudge(campaign, parts.rules, clock()),
    )
    assert len(next_turn) == 1


async def test_no_call_outside_the_customers_window(database: Database) -> None:
    late_in_tomsk = datetime(2026, 12, 2, 13, 30, tzinfo=UTC)  # 20:30 in Tomsk, 16:30 Moscow
    clock = ManualClock(late_in_tomsk)
    parts = parts_for(database, clock)
    await add_customers(
        database,
        [account(1), account(2, address="г. Москва, ул. Тверская, 1", area="Москва")],
        clock(),
    )
    campaign = await running_campaign(
        parts, draft(clock()), [ListEntry("7000000001"), ListEntry("7000000002")], clock()
    )
    started, figures = await parts.store.take_turn(
        campaign,
        MessageChannel.PHONE,
        clock(),
        budget_of(3),
        ContactJudge(campaign, parts.rules, clock()),
    )
    assert [a.account_number for a in started] == ["7000000002"]  # Moscow: 16:30
    assert figures.postponed == 1


async def test_a_crowd_put_off_at_a_windows_close_does_not_leave_the_lines_idle(
    database: Database,
) -> None:
    """At 20:30 in Tomsk sixty Tomsk customers are due before five in Moscow: the turn
    puts the crowd off to the morning and still fills its lines from Moscow; a customer
    judged too late for a line is given back, not held until a lease runs out."""
    late_in_tomsk = datetime(2026, 12, 2, 13, 30, tzinfo=UTC)
    clock = ManualClock(late_in_tomsk)
    parts = parts_for(database, clock)
    moscow = {"address": "г. Москва, ул. Тверская, 1", "area": "Москва"}
    tomsk = [account(n) for n in range(60)]
    await add_customers(database, tomsk + [account(n, **moscow) for n in range(60, 65)], clock())
    entries = [ListEntry(f"70{n:08d}") for n in range(65)]
    campaign = await running_campaign(parts, draft(clock(), lines=3), entries, clock())

    started, figures = await parts.store.take_turn(
        campaign,
        MessageChannel.PHONE,
        clock(),
        budget_of(3),
        ContactJudge(campaign, parts.rules, clock()),
    )
    assert len(started) == 3
    assert {a.account_number for a in started} <= {f"70{n:08d}" for n in range(60, 65)}
    assert figures.postponed == 60

    await parts.store.finish(started[0].id, Cause.BUSY, clock())
    clock.advance(1)
    (next_one,), _ = await parts.store.take_turn(
        campaign,
        MessageChannel.PHONE,
        clock(),
        budget_of(3),
        ContactJudge(campaign, parts.rules, clock()),
    )
    assert next_one.account_number not in {a.account_number for a in started}


async def test_consent_is_checked_when_dialling_not_when_listed(database: Database) -> None:
    clock = ManualClock(TOMSK_MORNING)
    parts = parts_for(database, clock)
    await add_customers(database, [account(1), account(2)], clock())
    campaign = await running_campaign(
        parts,
        draft(clock(), purpose=Purpose.SERVICE_CHANGE, text="Тариф меняется с {due_date}."),
        [ListEntry("7000000001"), ListEntry("7000000002")],
        clock(),
    )
    clock.advance(60)
    await SqlConsent(database).change(
        ConsentChange("7000000002", ConsentChannel.PHONE_INFO, False, clock(), "call", "operator1"),
        AuditLog(database, clock),
        "test",
    )
    clock.advance(60)
    started, figures = await parts.store.take_turn(
        campaign,
        MessageChannel.PHONE,
        clock(),
        budget_of(3),
        ContactJudge(campaign, parts.rules, clock()),
    )
    assert [a.account_number for a in started] == ["7000000001"]
    assert figures.skips == {"refused": 1}


async def test_an_attempt_of_a_dead_engine_holds_its_line_until_its_lease_ends(
    database: Database,
) -> None:
    clock = ManualClock(TOMSK_MORNING)
    parts = parts_for(database, clock)
    await add_customers(database, [account(1), account(2)], clock())
    campaign = await running_campaign(
        parts, draft(clock(), lines=1), [ListEntry("7000000001"), ListEntry("7000000002")], clock()
    )

    async def turn() -> list[str]:
        started, _ = await AttemptStore(database, "restarted", parts.store.lease).take_turn(
            campaign,
            MessageChannel.PHONE,
            clock(),
            budget_of(1),
            ContactJudge(campaign, parts.rules, clock()),
        )
        return [a.account_number for a in started]

    first = await turn()
    assert len(first) == 1  # then the engine dies with that call up
    clock.advance(parts.settings.attempt_lease_seconds - 1)
    assert await turn() == []
    clock.advance(2)
    second = await turn()
    assert second and second != first
    history = await parts.reports.attempts(campaign.id, first[0])
    assert history[0].attempt.cause is Cause.INTERRUPTED
    clock.advance(3600)
    assert first[0] not in await turn()  # 2 hours after the interrupted call, not before


async def test_two_processes_together_keep_to_the_line_limit(database: Database) -> None:
    if database.is_sqlite:
        return  # SQLite serves one engine process
    clock = ManualClock(TOMSK_MORNING)
    parts = parts_for(database, clock)
    await add_customers(database, [account(n) for n in range(40)], clock())
    entries = [ListEntry(f"70{n:08d}") for n in range(40)]
    campaign = await running_campaign(parts, draft(clock(), lines=5), entries, clock())
    judge = ContactJudge(campaign, parts.rules, clock())
    stores = [AttemptStore(database, f"engine-{n}", parts.store.lease) for n in range(4)]
    results = await asyncio.gather(
        *(
            store.take_turn(campaign, MessageChannel.PHONE, clock(), budget_of(5), judge)
            for store in stores
        )
    )
    started = [attempt for attempts, _ in results for attempt in attempts]
    assert len(started) == 5
    assert len({a.account_number for a in started}) == 5
