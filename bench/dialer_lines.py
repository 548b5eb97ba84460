"""One engine process of the dialer benchmark: the campaign's turns, taken as the
engine's dialer takes them, and the calls they begin, played on simulated lines.

A turn is :meth:`AttemptStore.take_turn` with the dialer's budget (the campaign's line
limit and calls-per-second cap through :func:`autodialer.pacing.dial_budget`) and its
judge, :class:`ContactJudge`. Each attempt begun becomes a call with an outcome drawn
from :data:`OUTCOME_SHARES`, judged by :func:`autodialer.call_outcome.call_cause` as the
engine judges a real one. Its facts reach the store when the simulated call gives them,
through the calls the engine's call path makes: an answered call is noted at its answer
with a new lease (the dialer on OriginateResponse reason 4), then finished with its
cause and evidence when it hangs up (the FastAGI call); a busy or unanswered one is
finished with its Originate reason. The clock is a ManualClock the coordinator moves.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import func, select

from autodialer.attempt_store import AttemptStore, StartedAttempt
from autodialer.call_outcome import CallFacts, call_cause
from autodialer.contact_judge import ContactJudge
from autodialer.model import Campaign, Cause, MessageChannel, Outcome
from autodialer.pacing import dial_budget
from autodialer.parts import CampaignParts, campaign_parts
from autodialer.settings import CampaignSettings
from autodialer.storage import PENDING
from autodialer.tables import DeliveryRow
from bench.dialer_data import customer_index
from callgrid.database import Database
from callgrid.settings import Settings
from worktime.clock import ManualClock

OUTCOME_SHARES = {"heard": 0.45, "machine": 0.15, "busy": 0.10, "no_answer": 0.25, "early": 0.05}
"""How the calls go: answered and heard to the end, an answering machine, busy, no
answer (rings ``ring_seconds``), answered and hung up early."""
TALK_SECONDS = (37.0, 43.0)
"""From the answer to the hang-up of a message heard to the end (about 40 s)."""
RING_BEFORE_ANSWER = (3.0, 12.0)
BUSY_SECONDS = (2.0, 4.0)
EARLY_HANGUP_SECONDS = (3.0, 15.0)
AMD_SECONDS = 2.5


@dataclass(frozen=True)
class Job:
    database_url: str
    campaign_id: int
    owner: str
    seed: int
    tick: float
    start: float


@dataclass
class Call:
    attempt_id: int
    starts: float
    answers: float | None
    ends: float
    cause: Cause
    reason: int
    amd: str | None
    heard: float | None


@dataclass
class TurnReport:
    latency: float
    room: int
    rate_limited: bool
    """The budget was the rate cap's, below the free lines."""
    started: int
    claimed: int
    postponed: int
    stopped: int
    calls: list[tuple[int, float, float, bool]]
    """(customer, start, end, delivered) of each call begun."""
    wanted: float
    """When this process has something to do next (a turn or a call's event)."""
    next_event: float


@dataclass
class ProcessFigures:
    store_seconds: float = 0.0
    """Wall time of the calls' notes and finishes."""
    finishes: int = 0
    notes: int = 0
    late_finishes: list[str] = field(default_factory=list)


def planned_call(attempt: StartedAttempt, rng: random.Random, settings: CampaignSettings) -> Call:
    kind = rng.choices(list(OUTCOME_SHARES), weights=list(OUTCOME_SHARES.values()))[0]
    start = attempt.started_at.timestamp()
    if kind in ("busy", "no_answer"):
        reason = 5 if kind == "busy" else 3
        seconds = rng.uniform(*BUSY_SECONDS) if kind == "busy" else float(settings.ring_seconds)
        facts = CallFacts(reason, None, None, None, False, False, None)
        cause = call_cause(
            facts, operator_key=settings.operator_key, confirm_key=settings.confirm_key
        )
        return Call(attempt.id, start, None, start + seconds, cause, reason, None, None)
    answers = start + rng.uniform(*RING_BEFORE_ANSWER)
    heard = rng.uniform(*TALK_SECONDS) if kind != "early" else rng.uniform(*EARLY_HANGUP_SECONDS)
    amd = "MACHINE" if kind == "machine" else "HUMAN"
    facts = CallFacts(4, None, amd, None, True, kind != "early", None)
    cause = call_cause(facts, operator_key=settings.operator_key, confirm_key=settings.confirm_key)
    return Call(attempt.id, start, answers, answers + heard, cause, 4, amd, heard - AMD_SECONDS)


def moment_of(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


class SimulatedLines:
    """The calls of one process, each told to the store at its simulated moments."""

    def __init__(self, store: AttemptStore, settings: CampaignSettings, seed: int) -> None:
        self.store = store
        self.settings = settings
        self.rng = random.Random(seed)
        self.lease = timedelta(seconds=settings.attempt_lease_seconds)
        self.events: list[tuple[float, int, bool, Call]] = []
        """(moment, order, whether it is the call's end, the call)"""
        self.order = itertools.count()
        self.figures = ProcessFigures()

    def place(self, attempt: StartedAttempt) -> Call:
        call = planned_call(attempt, self.rng, self.settings)
        first = call.ends if call.answers is None else call.answers
        heapq.heappush(self.events, (first, next(self.order), call.answers is None, call))
        return call

    def next_event(self) -> float:
        return self.events[0][0] if self.events else math.inf

    async def play_until(self, moment: float) -> None:
        """Tell the store what every call said up to ``moment``, the calls side by side
        as the engine's call tasks are."""
        due: dict[int, list[tuple[bool, Call]]] = {}
        while self.events and self.events[0][0] <= moment:
            _, _, end, call = heapq.heappop(self.events)
            due.setdefault(call.attempt_id, []).append((end, call))
            if not end:
                heapq.heappush(self.events, (call.ends, next(self.order), True, call))
        if due:
            started = time.perf_counter()
            await asyncio.gather(*(self._tell(events) for events in due.values()))
            self.figures.store_seconds += time.perf_counter() - started

    async def _tell(self, events: list[tuple[bool, Call]]) -> None:
        for end, call in events:
            await (self._ended(call) if end else self._answered(call))

    async def _answered(self, call: Call) -> None:
        assert call.answers is not None
        answered = moment_of(call.answers)
        events = [(answered, "originate", "OriginateResponse Success, Reason 4")]
        facts = {"originate_reason": 4}
        await self.store.note(call.attempt_id, events, facts, answered + self.lease)
        self.figures.notes += 1

    async def _ended(self, call: Call) -> None:
        ended = moment_of(call.ends)
        if call.answers is None:
            events = [(ended, "originate", f"OriginateResponse Failure, Reason {call.reason}")]
            facts: dict[str, Any] = {"originate_reason": call.reason}
        else:
            answered = moment_of(call.answers)
            heard = call.heard or 0.0
            played = "to the end" if call.cause is not Cause.EARLY_HANGUP else "hung up"
            events = [
                (answered, "answered", "PJSIP/callgrid-trunk-0000002a"),
                (answered, "amd", f"{call.amd} {'LONGGREETING' if call.amd == 'MACHINE' else ''}"),
                (
                    answered + timedelta(seconds=AMD_SECONDS),
                    "message",
                    f"played {heard:.1f} s, {played}",
                ),
            ]
            facts = {
                "call_id": f"ad{call.attempt_id}",
                "originate_reason": 4,
                "amd_status": call.amd,
                "heard_seconds": round(heard, 2),
            }
        if not await self.store.finish(call.attempt_id, call.cause, ended, facts, events):
            self.figures.late_finishes.append(f"attempt {call.attempt_id} had ended already")
        self.figures.finishes += 1


async def next_due(parts: CampaignParts, campaign_id: int) -> float:
    """When the campaign's earliest pending delivery is due."""
    query = select(func.min(DeliveryRow.next_at)).where(
        DeliveryRow.campaign_id == campaign_id,
        DeliveryRow.channel == MessageChannel.PHONE.value,
        DeliveryRow.state == PENDING,
    )
    async with parts.store.database.engine.connect() as connection:
        due = (await connection.execute(query)).scalar_one_or_none()
    return math.inf if due is None else due.timestamp()


async def turn(
    parts: CampaignParts, campaign: Campaign, lines: SimulatedLines, clock: ManualClock, job: Job
) -> TurnReport:
    """The dialer's turn at the clock's moment, with the dialer's budget and judge."""
    now = clock()
    seen = {"room": 0, "free": 0}

    def budget(busy: int, recent: int) -> int:
        seen["free"] = campaign.line_limit - busy
        seen["room"] = dial_budget(
            line_limit=campaign.line_limit,
            lines_busy=busy,
            calls_per_second=campaign.calls_per_second,
            started_in_window=recent,
        )
        return seen["room"]

    began = time.perf_counter()
    judge = ContactJudge(campaign, parts.rules, now)
    started, figures = await parts.store.take_turn(
        campaign, MessageChannel.PHONE, now, budget, judge
    )
    latency = time.perf_counter() - began
    calls = [lines.place(attempt) for attempt in started]
    moment = now.timestamp()
    wanted = moment + job.tick
    if seen["room"] and len(started) < seen["room"]:
        wanted = min(lines.next_event(), await next_due(parts, campaign.id))
        wanted = wanted if wanted > moment else moment + job.tick
    return TurnReport(
        latency,
        seen["room"],
        seen["room"] < seen["free"],
        len(started),
        figures.claimed,
        figures.postponed,
        figures.stopped,
        [
            (
                customer_index(attempt.account_number),
                call.starts,
                call.ends,
                call.cause.outcome is Outcome.POSITIVE,
            )
            for attempt, call in zip(started, calls, strict=True)
        ],
        wanted,
        lines.next_event(),
    )


async def serve(connection: Connection, job: Job) -> None:
    """Answer the coordinator: ("calls", t) plays the calls up to t, ("turn", t) takes a
    turn at t, ("stop", t) plays every call to its end and reports."""
    database = Database(job.database_url)
    clock = ManualClock(moment_of(job.start))
    parts = campaign_parts(database, Settings(database_url=job.database_url), clock, job.owner)
    campaign = await parts.campaigns.get(job.campaign_id)
    assert campaign is not None
    lines = SimulatedLines(parts.store, parts.settings, job.seed)
    try:
        while True:
            command, moment = connection.recv()
            if command == "calls":
                await lines.play_until(moment)
                connection.send(lines.next_event())
            elif command == "turn":
                clock.now = moment_of(moment)
                connection.send(await turn(parts, campaign, lines, clock, job))
            else:
                await lines.play_until(math.inf)
                connection.send(lines.figures)
                return
    finally:
        await database.close()


def run_process(connection: Connection, job: Job) -> None:
    """A worker process's entry point."""
    try:
        asyncio.run(serve(connection, job))
    except BaseException:
        connection.send(("error", traceback.format_exc()))
        raise
