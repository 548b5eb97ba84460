"""A campaign end to end against the emulated Asterisk: the engine's dialer originates
over AMI, each number's callee behaves as its share says, answered calls run
[callgrid-campaign] into the engine's FastAGI route, and every attempt ends with the
cause its callee's behaviour calls for — with the Hangup's cause noted as evidence."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from autodialer.model import Cause, MessageChannel, Outcome
from autodialer.parts import CampaignParts, campaign_parts
from autodialer.plugin import DIALER
from autodialer.storage import ListEntry
from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.settings import Settings
from ivr.content import IvrContent
from ivr.settings import IvrSettings
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.campaign_callees import BEHAVIOURS, CalleeShares
from tests.autodialer.campaign_fixtures import account, add_customers, draft, running_campaign
from tests.autodialer.test_dialing_turns import TOMSK_MORNING
from tests.waiting import eventually
from worktime.clock import ManualClock

EXPECTED = {
    "listen": Cause.HEARD,
    "confirm": Cause.CONFIRMED,
    "operator": Cause.OPERATOR,
    "early_hangup": Cause.EARLY_HANGUP,
    "machine": Cause.MACHINE,
    "busy": Cause.BUSY,
    "noanswer": Cause.NO_ANSWER,
    "congestion": Cause.CONGESTION,
    "failed": Cause.FAILED,
}
CUSTOMERS = 18
EVERY_BEHAVIOUR = CalleeShares(dict.fromkeys(BEHAVIOURS, 1.0), seed=1)
"""With this seed the 18 numbers draw each of the nine behaviours at least once."""


@pytest.fixture
async def wired(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[tuple[Engine, AmiEmulator]]:
    emulator = AmiEmulator(auth_failure_delay=0, callees=EVERY_BEHAVIOUR)
    await emulator.start()
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url=database.url,
        agi_port=0,
        agi_reply_timeout=5.0,
        ami_port=emulator.port,
        ami_username="ivr",
        ami_secret="ivrsecret",
    ).with_sections(IvrSettings(prompts_dir=ivr_content.library.directory))
    engine = Engine(settings, ManualClock(TOMSK_MORNING), parts=("agi", "ami"))
    await engine.start()
    assert engine.agi is not None
    emulator.campaign.engines = [("127.0.0.1", engine.agi.port)]
    await eventually(lambda: engine.ami is not None and engine.ami.is_connected)
    yield engine, emulator
    await engine.stop()
    await emulator.stop()


async def run_campaign(engine: Engine, emulator: AmiEmulator, customers: int) -> CampaignParts:
    """One tick of the engine's dialer over ``customers`` customers, played to the end."""
    clock = engine.clock
    parts = campaign_parts(engine.database, engine.settings, clock)
    await add_customers(engine.database, [account(n) for n in range(1, customers + 1)], clock())
    entries = [ListEntry(f"70{n:08d}") for n in range(1, customers + 1)]
    await running_campaign(parts, draft(clock(), lines=customers), entries, clock())
    dialer = engine.host.require(DIALER)
    report = await dialer.tick()
    assert len(report.started) == customers
    await dialer.settle()
    await emulator.settle_calls()
    assert engine.agi is not None
    await engine.agi.drained(timeout=10)
    return parts


async def test_every_attempt_ends_with_the_cause_of_its_callees_behaviour(
    wired: tuple[Engine, AmiEmulator],
) -> None:
    engine, emulator = wired

    parts = await run_campaign(engine, emulator, CUSTOMERS)

    calls = {call.channel_id: call for call in emulator.outbound_calls}
    assert {call.behaviour for call in calls.values()} == set(BEHAVIOURS)
    attempts = [p.attempt for p in await parts.reports.attempts(1)]
    assert len(attempts) == CUSTOMERS
    for attempt in attempts:
        call = calls[attempt.details["channel_id"]]
        assert call.number == attempt.address
        assert (call.behaviour, attempt.cause) == (call.behaviour, EXPECTED[call.behaviour])
        positive = call.behaviour in ("listen", "confirm", "operator")
        assert attempt.outcome is (Outcome.POSITIVE if positive else Outcome.NEGATIVE)
        if call.answered:
            assert attempt.details["amd_status"] == call.amd_status
            assert call.engine is not None and call.ended_by in ("engine", "callee")
        if call.behaviour == "operator":
            assert attempt.details["key"] == "0" and call.keys == "0"
        if call.behaviour == "confirm":
            assert attempt.details["key"] == "1" and call.keys == "1"

    async def hangups_noted() -> bool:
        rows = [p.attempt for p in await parts.reports.attempts(1)]
        return all("hangup_cause" in row.details for row in rows)

    await eventually(hangups_noted)
    for attempt in [p.attempt for p in await parts.reports.attempts(1)]:
        call = calls[attempt.details["channel_id"]]
        assert attempt.details["hangup_cause"] == str(call.hangup_cause)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_a_second_day_finds_the_same_callees_at_the_same_numbers(
    wired: tuple[Engine, AmiEmulator],
) -> None:
    engine, emulator = wired
    emulator.campaign.shares = CalleeShares({"busy": 1, "listen": 1}, seed=3)
    parts = await run_campaign(engine, emulator, 6)
    first = {call.number: call.behaviour for call in emulator.outbound_calls}
    assert isinstance(engine.clock, ManualClock)
    engine.clock.advance(3 * 3600)  # past the retry interval of the busy ones

    await engine.host.require(DIALER).tick()
    await engine.host.require(DIALER).settle()
    await emulator.settle_calls()

    again = emulator.outbound_calls[len(first) :]
    assert again and all(call.behaviour == first[call.number] == "busy" for call in again)
    busy = [p.attempt for p in await parts.reports.attempts(1) if p.attempt.cause is Cause.BUSY]
    assert len(busy) == 2 * len(again)
    assert all(a.channel is MessageChannel.PHONE for a in busy)
