"""Call records that survive: in progress from the start, closed after a crash, a refused
row costing that row only, a database outage bounded in memory and in time."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from callgrid.database import Database
from callgrid.metrics import REGISTRY
from ivr.call_log_writer import WriterSettings
from ivr.call_record import CallEnd, CallStart, Outcome
from ivr.storage import CallStatus, SqlCallLog
from worktime.clock import ManualClock

START = datetime(2026, 11, 27, 4, 30, tzinfo=UTC)
EVERY_BATCH_BEATS = WriterSettings(heartbeat_seconds=0)
UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:1/nothing"


def _start(uniqueid: str, caller_id: str = "79001234567", channel: str = "SIP/x-1") -> CallStart:
    return CallStart(uniqueid, channel, "toll_free", "88002224902", caller_id, START)


async def test_a_call_is_stored_in_progress_as_soon_as_it_starts(database: Database) -> None:
    log = SqlCallLog(database, ManualClock(START), engine_id="engine-a")
    call_id = await log.call_started(_start("live.1"))
    await log.flush()
    row = await log.get(call_id)
    assert row is not None and row.ended_at is None
    assert (row.status, row.engine_id, row.last_seen_at) == ("in_progress", "engine-a", START)
    await log.call_ended(call_id, CallEnd(answered_at=START, ended_at=START + timedelta(seconds=5)))
    await log.flush()
    row = await log.get(call_id)
    assert row is not None and row.status == "ended"
    await log.close()


async def test_a_restarted_engine_closes_its_own_calls_left_open_when_last_seen(
    database: Database,
) -> None:
    clock = ManualClock(START)
    killed = SqlCallLog(database, clock, engine_id="engine-a", settings=EVERY_BATCH_BEATS)
    other = SqlCallLog(database, clock, engine_id="engine-b")
    own_call = await killed.call_started(_start("own"))
    await killed.flush()
    clock.advance(30)
    finished = await killed.call_started(_start("finished"))  # this batch beats too
    await killed.call_ended(finished, CallEnd(answered_at=None, ended_at=clock()))
    await killed.flush()
    others_call = await other.call_started(_start("other"))
    await other.flush()
    await killed.close()
    await other.close()
    clock.advance(60)  # restarted within the lease: only its own calls are closed

    restarted = SqlCallLog(database, clock, engine_id="engine-a")
    await restarted.start()
    row = await restarted.get(own_call)
    assert row is not None
    assert (row.status, row.outcome, row.ended_by) == ("interrupted", "interrupted", "engine")
    assert row.ended_at == START + timedelta(seconds=30), "closed when the engine last saw it"
    finished_row = await restarted.get(finished)
    assert finished_row is not None and finished_row.status == "ended"
    others_row = await restarted.get(others_call)
    assert others_row is not None and others_row.status == CallStatus.IN_PROGRESS
    await restarted.close()


async def test_calls_of_an_engine_gone_longer_than_the_lease_are_closed_by_another(
    database: Database,
) -> None:
    clock = ManualClock(START)
    gone = SqlCallLog(database, clock, engine_id="engine-gone")
    abandoned = await gone.call_started(_start("abandoned"))
    await gone.close()
    clock.advance(WriterSettings().lease_seconds + 1)
    serving = SqlCallLog(database, clock, engine_id="engine-b", settings=EVERY_BATCH_BEATS)
    live = await serving.call_started(CallStart("live", "SIP/y", "toll_free", "1", "2", clock()))
    await serving.flush()
    row, live_row = await serving.get(abandoned), await serving.get(live)
    assert row is not None and (row.status, row.ended_at) == ("interrupted", START)
    assert live_row is not None and live_row.status == "in_progress"
    await serving.close()


async def test_queued_calls_of_a_gone_engine_are_released_to_the_queue_log(
    database: Database,
) -> None:
    """A call an engine handed to the dialplan's queue stays ``queued`` (its engine will
    store the end) while that engine beats; once it is gone for the lease, another
    engine marks it ``in_queue``, so the queue_log or the after-queue request ends it."""
    clock = ManualClock(START)
    gone = SqlCallLog(database, clock, engine_id="engine-gone", settings=EVERY_BATCH_BEATS)
    alive = SqlCallLog(database, clock, engine_id="engine-alive", settings=EVERY_BATCH_BEATS)
    queued = CallEnd(START, START, path=["main", "operator"])
    queued.left_in_queue = True
    calls = {}
    for name, log in (("gone", gone), ("alive", alive)):
        calls[name] = await log.call_started(_start(name))
        await log.call_ended(calls[name], queued)
        await log.flush()
    await gone.close()
    clock.advance(WriterSettings().lease_seconds + 1)
    await alive.call_started(_start("beat"))  # the alive engine's next batch beats
    await alive.flush()
    statuses = {name: await alive.get(call_id) for name, call_id in calls.items()}
    assert {name: row.status for name, row in statuses.items() if row} == {
        "gone": "in_queue",
        "alive": "queued",
    }
    after = CallEnd(START, clock(), outcome=Outcome.OPERATOR, ended_by="queue")
    await alive.queue_ended(calls["gone"], after)
    row = await alive.get(calls["gone"])
    assert row is not None and (row.status, row.outcome) == ("ended", "operator")
    assert row.path == ["main", "operator"], "the path the gone engine stored is kept"
    await alive.close()


async def test_overlong_values_are_cut_to_their_columns(database: Database) -> None:
    log = SqlCallLog(database)
    call_id = await log.call_started(_start("long", caller_id="7" * 40, channel="C" * 300))
    await log.call_ended(
        call_id,
        CallEnd(answered_at=None, ended_at=START, topic="т" * 200, operator="o" * 200),
    )
    next_call = await log.call_started(_start("next"))
    await log.flush()
    row = await log.get(call_id)
    assert row is not None
    assert (row.caller_id, row.channel) == ("7" * 32, "C" * 128)
    assert (row.topic, row.operator) == ("т" * 128, "o" * 128)
    assert await log.get(next_call) is not None
    assert log.healthy and log.dropped == 0
    await log.close()


@asynccontextmanager
async def refusing_caller(database: Database, caller_id: str) -> AsyncIterator[None]:
    """The database refuses calls from ``caller_id``, as a constraint of its own would."""
    if database.is_sqlite:
        create = (
            "CREATE TRIGGER refuse_caller BEFORE INSERT ON calls "
            f"WHEN NEW.caller_id = '{caller_id}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
        drop = "DROP TRIGGER refuse_caller"
    else:
        create = (
            f"ALTER TABLE calls ADD CONSTRAINT refuse_caller CHECK (caller_id <> '{caller_id}')"
        )
        drop = "ALTER TABLE calls DROP CONSTRAINT refuse_caller"
    async with database.engine.begin() as connection:
        await connection.execute(text(create))
    try:
        yield
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(text(drop))


async def test_a_refused_row_costs_that_row_only(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    log = SqlCallLog(database)
    failed_before = REGISTRY.get_sample_value("callgrid_call_record_writes_failed_total") or 0
    async with refusing_caller(database, "70000000666"):
        first = await log.call_started(_start("ok.1"))
        refused = await log.call_started(_start("bad", caller_id="70000000666"))
        last = await log.call_started(_start("ok.2"))
        await log.call_ended(last, CallEnd(answered_at=None, ended_at=START, topic="Оплата"))
        await log.flush()
        later = await log.call_started(_start("ok.3"))
        await log.flush()
    assert await log.get(refused) is None
    stored = [await log.get(call_id) for call_id in (first, last, later)]
    assert all(row is not None for row in stored)
    assert stored[1] is not None and stored[1].topic == "Оплата"
    assert log.dropped == 1 and log.healthy and log.backlog == 0
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and refused in refusals[0]
    assert "70000000666" not in caplog.text, "personal data stays out of the log"
    failed_after = REGISTRY.get_sample_value("callgrid_call_record_writes_failed_total")
    assert failed_after == failed_before + 1


async def _until(condition: object, seconds: float = 10.0) -> None:
    """Wait for the writer to notice what the network did (real I/O, not a clock)."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the writer did not get there in time"
        await asyncio.sleep(0.02)


async def test_an_unreachable_database_bounds_the_backlog_and_shutdown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR)
    database = Database(UNREACHABLE)
    log = SqlCallLog(database, settings=WriterSettings(max_backlog=3, close_timeout=0.3))
    calls = [await log.call_started(_start(f"down.{n}")) for n in range(5)]
    await log.call_ended(calls[0], CallEnd(answered_at=None, ended_at=START))
    await log.call_ended(calls[4], CallEnd(answered_at=None, ended_at=START))
    await _until(lambda: not log.healthy)
    assert log.backlog == 3, "the first three calls wait, their ends merged into them"
    assert log.dropped == 2 and log.last_error is not None
    began = time.monotonic()
    await log.close()
    assert time.monotonic() - began < 2, "stopping does not wait for the database"
    assert "3 call records could not be stored before shutdown" in caplog.text
    assert sum("backlog full" in r.getMessage() for r in caplog.records) == 1
    await database.close()


async def test_ended_calls_are_counted_by_outcome(database: Database) -> None:
    def ended(outcome: str) -> float:
        return REGISTRY.get_sample_value("callgrid_calls_ended_total", {"outcome": outcome}) or 0

    before = ended("operator")
    log = SqlCallLog(database)
    call_id = await log.call_started(_start("counted"))
    await log.call_ended(
        call_id, CallEnd(answered_at=None, ended_at=START, outcome=Outcome.OPERATOR)
    )
    await log.close()
    assert ended("operator") == before + 1
