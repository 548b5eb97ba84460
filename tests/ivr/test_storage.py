"""Call records and callback requests, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect

from callcenter.storage import SqlTasks
from callgrid.database import Database
from ivr.call_record import CallEnd, CallStart, Outcome
from ivr.storage import SqlCallLog, TopicCount
from worktime.calendar import default_calendar

TOMSK = timezone(timedelta(hours=7))
START = datetime(2026, 11, 27, 9, 30, tzinfo=TOMSK)


def _start(uniqueid: str, at: datetime = START) -> CallStart:
    return CallStart(uniqueid, "Local/s@x-1;1", "toll_free", "88002224902", "79001234567", at)


async def test_migrations_create_the_tables(database: Database) -> None:
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert {"calls", "tasks", "alembic_version"} <= set(tables)
    await database.upgrade()  # a second upgrade changes nothing and does not fail


async def test_a_call_is_stored_and_closed_with_times_in_utc(database: Database) -> None:
    log = SqlCallLog(database)
    call_id = await log.call_started(_start("1795.1"))
    await log.flush()
    open_row = await log.get(call_id)
    assert open_row is not None and open_row.ended_at is None and open_row.path == []
    await log.call_ended(
        call_id,
        CallEnd(
            answered_at=START + timedelta(seconds=1),
            ended_at=START + timedelta(seconds=95),
            path=["main", "payments", "payment_methods"],
            inputs="2 1",
            topic="Способы оплаты",
            outcome=Outcome.SELF_SERVICE,
            ended_by="caller",
        ),
    )
    await log.flush()
    row = await log.find_by_uniqueid("1795.1")
    assert row is not None
    assert row.started_at == START and row.started_at.tzinfo == UTC
    assert row.ended_at == START + timedelta(seconds=95)
    assert row.path == ["main", "payments", "payment_methods"]
    assert (row.topic, row.outcome, row.inputs) == ("Способы оплаты", "self_service", "2 1")


async def test_a_call_queued_and_back_before_a_write_is_stored_once_ended(
    database: Database,
) -> None:
    """Handed to the queue and back within one batch: two ends for one stored row, both
    counted, so that a flush returns, and the later one wins."""
    log = SqlCallLog(database)
    call_id = await log.call_started(_start("1795.2"))
    await log.flush()
    queued = CallEnd(START, START + timedelta(seconds=9), path=["main", "operator"])
    queued.left_in_queue = True
    await log.call_ended(call_id, queued)
    after = CallEnd(START, START + timedelta(seconds=60), path=["main", "operator"])
    after.outcome, after.ended_by, after.operator = Outcome.OPERATOR, "queue", "Local/101"
    await log.call_ended(call_id, after)
    await asyncio.wait_for(log.flush(), 5)
    row = await log.get(call_id)
    assert row is not None
    assert (row.status, row.outcome, row.operator) == ("ended", "operator", "Local/101")
    assert row.ended_at == START + timedelta(seconds=60)
    await log.close()


async def test_naive_times_are_refused(database: Database) -> None:
    log = SqlCallLog(database)
    with pytest.raises(ValueError, match="naive datetime"):
        await log.call_started(_start("naive", START.replace(tzinfo=None)))
    await log.flush()
    assert await log.recent() == []


async def test_counts_by_topic_in_a_period(database: Database) -> None:
    log = SqlCallLog(database)
    topics = ["Оплата", "Оплата", "Тарифы", None]
    for index, topic in enumerate(topics):
        call_id = await log.call_started(_start(f"t{index}", START + timedelta(minutes=index)))
        await log.call_ended(call_id, CallEnd(answered_at=None, ended_at=START, topic=topic))
    late = await log.call_started(_start("late", START + timedelta(days=1)))
    await log.call_ended(late, CallEnd(answered_at=None, ended_at=START, topic="Оплата"))
    await log.flush()
    counts = await log.counts_by_topic(START, START + timedelta(hours=1))
    assert counts == [TopicCount("Оплата", 2), TopicCount("Тарифы", 1), TopicCount("—", 1)]


async def test_callback_requests_are_kept_per_call(database: Database) -> None:
    log, book = SqlCallLog(database), SqlTasks(database, default_calendar())
    call_id = await log.call_started(_start("cb"))
    await log.flush()
    await book.request_callback(call_id, "89139876543", "toll_free", "Оплата", START)
    (stored,) = await book.for_call(call_id)
    assert (stored.kind, stored.phone, stored.status) == ("callback", "89139876543", "open")
    assert (stored.subject, stored.created_at) == ("Оплата", START)
    assert stored.due_at == START.replace(hour=20, minute=0), "within the working day (CC-5)"
    assert await book.for_call("another call") == []
