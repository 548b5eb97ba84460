"""Two ``callgrid serve`` processes behind one (emulated) Asterisk, sharing PostgreSQL,
with the shipped dialplan offering each call to them in turn: one is killed with SIGKILL
mid-traffic, then both are restarted in turn under traffic. No caller is dropped."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.engine_process import EngineProcess, EngineSetup
from callgrid.database import Database
from ivr.call_record import Outcome
from ivr.content import IvrContent
from ivr.storage import CallRow, CallStatus
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_channel_state import QueueBehaviour
from telephony.emulator.caller import Press, ScriptedCaller
from telephony.emulator.dialplan import DialplanCall, EmulatedDialplan
from telephony.emulator.sounds import SoundLibrary

REPLY_SECONDS = 0.03
LEASE_SECONDS = 1.0


@pytest.fixture
def engine_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short drain, heartbeat and lease, so a test sees them act in seconds; the
    engines' clock is the system's, so the operators work round the clock here."""
    settings = {
        "CALLGRID_DRAIN_SECONDS": "0.1",
        "CALLGRID_HAND_BACK_SECONDS": "5",
        "CALLGRID_CALL_HEARTBEAT_SECONDS": "0.2",
        "CALLGRID_CALL_LEASE_SECONDS": str(LEASE_SECONDS),
        "CALLGRID_BILLING_SHORTENED_BY_MINUTES": "0",
    }
    for day in ("WORKING_DAY", "SATURDAY", "SUNDAY", "HOLIDAY"):
        settings[f"CALLGRID_BILLING_{day}"] = "00:00-23:59"
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


class Engines:
    """Two engine processes on fixed ports; each start is a new process."""

    def __init__(self, tmp_path: Path, database_url: str, prompts: Path) -> None:
        self.setups = [
            EngineSetup(tmp_path / name, database_url, prompts_dir=prompts) for name in "ab"
        ]
        for setup in self.setups:
            setup.scratch.mkdir()
        self.running: list[EngineProcess | None] = [None, None]
        self.starts = 0

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", setup.port) for setup in self.setups]

    def start(self, index: int) -> None:
        self.starts += 1
        self.running[index] = EngineProcess.start(self.setups[index], self.starts)

    def stop(self, index: int, signum: signal.Signals) -> None:
        process = self.running[index]
        assert process is not None
        process.kill(signum)
        self.running[index] = None

    def close(self) -> None:
        for process in self.running:
            if process is not None:
                process.ensure_stopped()


@pytest.fixture
def engines(
    tmp_path: Path, postgres_url: str, ivr_content: IvrContent, engine_environment: None
) -> Iterator[Engines]:
    running = Engines(tmp_path, postgres_url, ivr_content.library.directory)
    try:
        yield running
    finally:
        running.close()


def _caller(engines: Engines, prompts: Path) -> EmulatedChannel:
    """Looks round the reference menu, then asks for an operator."""
    keys = [Press("4", after=1.0), Press("*", after=1.0)] * 5 + [Press("0", after=1.0)]
    return EmulatedChannel(
        "127.0.0.1",
        engines.setups[0].port,
        ScriptedCaller(keys),
        SoundLibrary([prompts]),
        replace(ChannelSettings(), queue=QueueBehaviour(answer_after=5, talk_seconds=20)),
        think_time=lambda: REPLY_SECONDS,
    )


async def _traffic(
    dialplan: EmulatedDialplan, engines: Engines, prompts: Path, calls: int, every: float
) -> list[DialplanCall]:
    tasks = []
    for _ in range(calls):
        tasks.append(asyncio.create_task(dialplan.run(_caller(engines, prompts))))
        await asyncio.sleep(every)
    return list(await asyncio.gather(*tasks))


def _assert_nobody_dropped(done: list[DialplanCall]) -> None:
    for call in done:
        heard = [event.kind for event in call.channel.heard]
        assert not call.without_engine, call.offers
        assert "operator answered" in heard, f"caller dropped: {call.offers}"
        assert not call.channel.model.caller_hung_up


def _of_engine(
    rows: dict[str, list[CallRow]], calls: list[DialplanCall], engine_id: str
) -> list[CallRow]:
    return [
        row
        for call in calls
        for row in rows.get(call.channel.uniqueid, [])
        if row.engine_id == engine_id
    ]


async def _rows(database_url: str) -> dict[str, list[CallRow]]:
    database = Database(database_url)
    try:
        async with database.session() as session:
            found = await session.execute(select(CallRow).order_by(CallRow.started_at))
            rows: dict[str, list[CallRow]] = {}
            for row in found.scalars():
                rows.setdefault(row.uniqueid, []).append(row)
            return rows
    finally:
        await database.close()


async def test_a_killed_engine_and_a_rolling_restart_drop_no_caller(
    engines: Engines, ivr_content: IvrContent, postgres_url: str
) -> None:
    prompts = ivr_content.library.directory
    dialplan = EmulatedDialplan(engines.addresses)
    engines.start(0)
    engines.start(1)
    first_port = engines.setups[0].port

    traffic = asyncio.create_task(_traffic(dialplan, engines, prompts, 12, 0.05))
    await asyncio.sleep(0.6)
    engines.stop(0, signal.SIGKILL)
    killed_at = time.monotonic()
    killed_round = await traffic

    _assert_nobody_dropped(killed_round)
    cut_off = [call for call in killed_round if len(call.engines) > 1]
    assert cut_off, "no call was on the killed engine: the test proves nothing"
    for call in cut_off:
        assert call.engines[0] == first_port and call.offers[1].endswith("&resume=operator")
    killed_id = f"{socket.gethostname()}:{first_port}"
    left_open = _of_engine(await _rows(postgres_url), cut_off, killed_id)
    # A call whose start was still queued (at most gather_seconds old) has no row there.
    assert left_open and {row.status for row in left_open} == {CallStatus.IN_PROGRESS}

    # The survivor's next start closes the killed engine's calls (not seen for the lease).
    await asyncio.sleep(max(0.0, LEASE_SECONDS - (time.monotonic() - killed_at)) + 0.3)
    engines.stop(1, signal.SIGTERM)
    engines.start(1)
    swept = _of_engine(await _rows(postgres_url), cut_off, killed_id)
    assert len(swept) == len(left_open)
    for row in swept:
        assert (row.status, row.outcome, row.ended_by) == (
            CallStatus.INTERRUPTED,
            Outcome.INTERRUPTED,
            "engine",
        )
        assert row.ended_at is not None and row.ended_at >= row.started_at

    # A rolling restart under traffic: each engine in turn, SIGTERM then start again.
    engines.start(0)
    traffic = asyncio.create_task(_traffic(dialplan, engines, prompts, 16, 0.1))
    for index in (0, 1):
        await asyncio.sleep(0.8)
        await asyncio.to_thread(engines.stop, index, signal.SIGTERM)
        await asyncio.to_thread(engines.start, index)
    rolling_round = await traffic

    _assert_nobody_dropped(rolling_round)
    handed = [call for call in rolling_round if len(call.engines) > 1]
    assert handed, "no call was handed back: the test proves nothing"
    rows = await _rows(postgres_url)
    for call in rolling_round:
        records = rows[call.channel.uniqueid]
        assert [r.status for r in records] == [CallStatus.ENDED] * len(records)
        seen = [(r.started_at, r.engine_id, r.outcome, r.path) for r in records]
        assert [r.outcome for r in records[:-1]] == [Outcome.HANDED_BACK] * (len(records) - 1), seen
        assert records[-1].outcome == Outcome.OPERATOR, (seen, call.offers)
    print(
        f"\ntwo engines: {len(killed_round)} calls with a SIGKILL ({len(cut_off)} moved to "
        f"the other engine), {len(rolling_round)} calls through a rolling restart "
        f"({len(handed)} handed back); none dropped"
    )
