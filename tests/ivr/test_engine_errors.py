"""Errors never drop the caller (IVR-4), and the engine's stop is not the caller's hang-up."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from callgrid.database import Database
from customers.storage import SqlCustomers
from ivr.content import IvrContent
from ivr.storage import CallRow
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
from tests.conftest import RunningIvr, running_ivr
from tests.ivr.calls import dialplan_queues, place
from worktime.clock import DEFAULT_ZONE, ManualClock

UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:1/nothing"


def queued(channel: EmulatedChannel) -> list[str]:
    return dialplan_queues(channel)


def failure_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_customer_store_that_fails_sends_the_caller_to_an_operator(
    ivr: RunningIvr, caplog: pytest.LogCaptureFixture
) -> None:
    down = Database(UNREACHABLE)
    ivr.flow.services = replace(ivr.flow.services, customers=SqlCustomers(down))
    try:
        channel, row = await place(ivr, "1")
    finally:
        await down.close()
    assert queued(channel) == ["operators,c,,,40"]
    assert (row.outcome, row.operator) == ("engine_error", "Local/operator@operators")
    (failure,) = failure_lines(caplog)
    assert row.id in failure.getMessage()
    assert failure.exc_info is not None, "one traceback, in that one line"


async def test_a_calendar_that_does_not_cover_the_year_still_reaches_an_operator(
    ivr: RunningIvr, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.now = datetime(2031, 3, 4, 11, 0, tzinfo=DEFAULT_ZONE)
    channel, row = await place(ivr, "0")
    assert queued(channel) == ["operators,c,,,40"]
    assert row.outcome == "engine_error" and row.path == ["main", "operator", "operator"]
    (failure,) = failure_lines(caplog)
    assert row.id in failure.getMessage()


async def test_an_overlong_caller_id_is_cut_and_the_next_call_is_stored(
    ivr: RunningIvr,
) -> None:
    _, long_row = await place(ivr, "h", caller_id="7" * 40)
    _, next_row = await place(ivr, "h")
    assert long_row.caller_id == "7" * 32 and long_row.status == "ended"
    assert next_row.caller_id == "79001234567" and next_row.ended_at is not None
    assert ivr.call_log.healthy


async def test_a_garbled_line_from_asterisk_ends_the_call_without_a_traceback(
    ivr: RunningIvr, caplog: pytest.LogCaptureFixture
) -> None:
    channel = EmulatedChannel("127.0.0.1", ivr.port, ScriptedCaller(), SoundLibrary([]))
    reader, writer = await asyncio.open_connection("127.0.0.1", ivr.port)
    writer.write("".join(f"{line}\n" for line in channel.environment()).encode())
    assert (await reader.readline()).startswith(b"ANSWER")
    writer.write(b"this is not FastAGI\n")
    assert await reader.read() == b"", "the engine closes the call"
    writer.close()
    await ivr.server.drained(timeout=10)
    await ivr.call_log.flush()
    row = await ivr.call_log.find_by_uniqueid(channel.uniqueid)
    assert row is not None and (row.outcome, row.ended_by) == ("engine_error", "engine")
    assert not [r for r in caplog.records if r.exc_info], "no traceback"


async def _row(database: Database, uniqueid: str) -> CallRow | None:
    async with database.session() as session:
        found = await session.execute(
            CallRow.__table__.select().where(CallRow.uniqueid == uniqueid)
        )
        values = found.mappings().first()
    return CallRow(**values) if values is not None else None


async def test_stopping_the_engine_ends_live_calls_as_interrupted_by_the_engine(
    database: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> None:
    """A call stuck in a command past the drain and the hand-back period (Asterisk never
    answers its GET DATA) is closed, and stored as interrupted by the engine."""
    async with running_ivr(
        database,
        ivr_content,
        clock,
        tmp_path / "var",
        drain_seconds=0.2,
        hand_back_seconds=0.2,
    ) as ivr:
        channel = EmulatedChannel(
            "127.0.0.1",
            ivr.port,
            ScriptedCaller(),
            SoundLibrary([ivr_content.library.directory]),
            ChannelSettings(unanswered_commands=frozenset({"GET DATA"})),
            keep_wire=True,
        )
        call = asyncio.create_task(channel.run())
        # real sockets: wait until the call sits in its menu
        while not any(line.startswith("GET DATA") for _, line in channel.wire):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        await ivr.call_log.flush()
        live = await _row(database, channel.uniqueid)
        assert live is not None and live.status == "in_progress"
    await asyncio.wait_for(call, 10)
    row = await _row(database, channel.uniqueid)
    assert row is not None
    assert (row.status, row.outcome, row.ended_by) == ("ended", "interrupted", "engine")
