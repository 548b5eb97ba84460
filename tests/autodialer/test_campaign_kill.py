"""A campaign from draft to report through real engine processes, the emulated Asterisk
on the wire, and a ``kill -9`` of the engine in the middle of it.

A supervisor prepares the campaign and a manager approves it (the command line), an
engine process dials it over AMI, the answered calls run the scenario over FastAGI.
The engine is killed with calls ringing, started again ten minutes later (its clock
runs from a chosen moment), and once more two hours on, when the retries fall due.
Then every customer's attempts are checked against the standard's rules by the
independent checker, and the emulator's own log of the calls against what was stored:
no customer is called twice inside the retry window and no result is lost.
"""

from __future__ import annotations

import asyncio
import csv
import io
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from autodialer.model import Cause, MessageChannel, Outcome, Purpose
from autodialer.parts import CampaignParts
from autodialer.reports import ProvenAttempt
from autodialer.rule_check import CheckedAttempt, violations
from autodialer.settings import CampaignSettings
from bench.engine_process import EngineProcess, EngineSetup
from callgrid.database import Database
from customers.consent import ConsentStatus
from ivr.content import IvrContent
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.campaign_callees import CalleeShares
from tests.autodialer.campaign_fixtures import account, add_customers, add_users, parts_for
from tests.autodialer.test_emulated_callees import EXPECTED
from tests.command import run_callgrid
from worktime.calendar import default_calendar
from worktime.clock import ManualClock

TOMSK = ZoneInfo("Asia/Tomsk")
MONDAY_10 = datetime(2027, 2, 1, 10, 0, tzinfo=TOMSK)
CUSTOMERS = 24
RING_SECONDS = 1.5
"""How long an unanswered call rings, in real seconds: calls are under way at the kill."""
SHARES = CalleeShares(
    {"listen": 3, "confirm": 1, "operator": 1, "early_hangup": 1, "machine": 2}
    | {"busy": 2, "noanswer": 4, "congestion": 1, "failed": 1},
    seed=7,
)


async def attempts_of(parts: CampaignParts) -> list[ProvenAttempt]:
    return await parts.reports.attempts(1)


Check = Callable[[], Awaitable[bool]]


async def until(condition_text: str, check: Check, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"not within {within:g} s: {condition_text}"
        await asyncio.sleep(0.05)


def checked(proven: list[ProvenAttempt]) -> list[CheckedAttempt]:
    return [
        CheckedAttempt(
            p.attempt.account_number,
            Purpose.DEBT_REMINDER,
            p.attempt.channel,
            p.attempt.started_at,
            p.attempt.ended_at,
            p.attempt.outcome,
            TOMSK,
            ConsentStatus.GIVEN,
            p.attempt.campaign_id,
        )
        for p in proven
    ]


@pytest.fixture
async def prepared(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[None]:
    """Customers and users stored; the campaign prepared and approved as people do it."""
    clock = ManualClock(MONDAY_10 - timedelta(days=3))
    await add_customers(database, [account(n) for n in range(1, CUSTOMERS + 1)], clock())
    await add_users(database, clock)
    monkeypatch.setenv("CALLGRID_DATABASE_URL", database.url)
    create = run_callgrid(
        tmp_path, "campaign", "create", "--as", "vera", "--name", "Долг, февраль",
        "--purpose", "debt_reminder", "--channels", "phone", "--lines", "4", "--cps", "20",
        "--starts", "2027-02-01T09:00", "--ends", "2027-02-05T20:00",
        "--text", "По лицевому счёту {account} задолженность {debt}. Оплатите до {due_date}.",
        "--list-query", "kind=household",
    )  # fmt: skip
    assert create.returncode == 0, create.stderr
    for step in (("approve", "maria"), ("start", "vera")):
        done = run_callgrid(tmp_path, "campaign", step[0], "1", "--as", step[1])
        assert done.returncode == 0, done.stderr
    yield


async def test_kill_9_mid_campaign_loses_no_result_and_calls_nobody_twice(
    prepared: None, database: Database, ivr_content: IvrContent, tmp_path: Path
) -> None:
    emulator = AmiEmulator(auth_failure_delay=0, callees=SHARES, ring_delay=RING_SECONDS)
    await emulator.start()
    setup = EngineSetup(
        tmp_path / "engine",
        database.url,
        prompts_dir=ivr_content.library.directory,
        parts="agi,ami,workers",
        settings={
            "CALLGRID_AMI_PORT": str(emulator.port),
            "CALLGRID_AMI_USERNAME": "ivr",
            "CALLGRID_AMI_SECRET": "ivrsecret",
            "CALLGRID_DIAL_TICK_SECONDS": "0.1",
        },
        clock_start=MONDAY_10.isoformat(),
    )
    setup.scratch.mkdir()
    emulator.campaign.engines = [("127.0.0.1", setup.port)]
    parts = parts_for(database, ManualClock(MONDAY_10))
    lease = timedelta(seconds=CampaignSettings().attempt_lease_seconds)
    try:
        first = await asyncio.to_thread(EngineProcess.start, setup, 1)
        try:
            await until("a third of the customers dialled", _started(parts, CUSTOMERS // 3))
            await asyncio.to_thread(first.kill, signal.SIGKILL, 10)
        finally:
            first.ensure_stopped()
        open_at_kill = {p.attempt.id for p in await attempts_of(parts) if not p.attempt.ended_at}
        assert open_at_kill, "calls were under way when the engine died"

        # back 15 minutes later: the dead engine's attempts are past their lease
        later = replace(setup, clock_start=(MONDAY_10 + timedelta(minutes=15)).isoformat())
        await _run_until(later, 2, "everyone tried once", _each_tried_once(parts))
        # two hours on: those not reached are called again, those reached are not
        retry_at = MONDAY_10 + timedelta(hours=2, minutes=30)
        retries = replace(setup, clock_start=retry_at.isoformat())
        await _run_until(retries, 3, "the unreached tried again", _unreached_retried(parts))
        await emulator.settle_calls()
    finally:
        await emulator.stop()

    proven = await attempts_of(parts)
    assert all(p.attempt.channel is MessageChannel.PHONE for p in proven)
    everyone = {f"70{n:08d}" for n in range(1, CUSTOMERS + 1)}
    assert {p.attempt.account_number for p in proven} == everyone
    assert [p for p in proven if p.attempt.ended_at is None] == [], "nothing left open"
    found = violations(checked(proven), CampaignSettings(), default_calendar(), {1: 4})
    assert found == [], "\n".join(f"{v.rule} {v.account_number} {v.detail}" for v in found)

    by_channel = {p.attempt.details.get("channel_id"): p.attempt for p in proven}
    calls = emulator.outbound_calls
    assert {call.channel_id for call in calls} <= set(by_channel), "every call has its attempt"
    for call in calls:
        attempt = by_channel[call.channel_id]
        if attempt.id in open_at_kill:  # its end came while no engine listened
            assert attempt.cause in (Cause.INTERRUPTED, EXPECTED[call.behaviour])
            assert attempt.ended_at is not None
            assert attempt.ended_at - attempt.started_at <= lease * 2
        else:  # ended with an engine there to hear it: its own result
            assert attempt.cause is EXPECTED[call.behaviour], call.describe()
    report = run_callgrid(tmp_path, "campaign", "report", "1")
    rows = list(csv.DictReader(io.StringIO(report.stdout)))
    assert sorted((row["account"], row["cause"]) for row in rows) == sorted(
        (p.attempt.account_number, p.attempt.cause.value if p.attempt.cause else "") for p in proven
    ), "the report proves every attempt"
    interrupted = sum(p.attempt.cause is Cause.INTERRUPTED for p in proven)
    print(
        f"\nkill -9 mid-campaign on {database.engine.dialect.name}: {len(proven)} attempts to "
        f"{CUSTOMERS} customers, {len(calls)} calls placed; {len(open_at_kill)} under way at "
        f"the kill ({interrupted} closed as interrupted); 0 rule violations"
    )
    reached = {p.attempt.account_number for p in proven if p.attempt.outcome is Outcome.POSITIVE}
    for number in reached:
        tries = [p.attempt for p in proven if p.attempt.account_number == number]
        assert tries[-1].outcome is Outcome.POSITIVE, f"{number} was called after it was reached"


def _started(parts: CampaignParts, count: int) -> Check:
    async def check() -> bool:
        return len(await attempts_of(parts)) >= count

    return check


def _each_tried_once(parts: CampaignParts) -> Check:
    async def check() -> bool:
        proven = await attempts_of(parts)
        tried = {p.attempt.account_number for p in proven if p.attempt.ended_at}
        return len(tried) == CUSTOMERS and all(p.attempt.ended_at for p in proven)

    return check


def _unreached_retried(parts: CampaignParts) -> Check:
    async def check() -> bool:
        proven = await attempts_of(parts)
        tries: dict[str, list[ProvenAttempt]] = {}
        for p in proven:
            tries.setdefault(p.attempt.account_number, []).append(p)
        return all(p.attempt.ended_at for p in proven) and all(
            len(each) >= 2 or each[0].attempt.outcome is Outcome.POSITIVE for each in tries.values()
        )

    return check


async def _run_until(setup: EngineSetup, run: int, what: str, check: Check) -> None:
    engine = await asyncio.to_thread(EngineProcess.start, setup, run)
    try:
        await until(what, check)
        assert await asyncio.to_thread(engine.kill, signal.SIGTERM, 30) == 0
    finally:
        engine.ensure_stopped()
