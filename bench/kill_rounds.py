"""Rounds of: live calls into an engine process, a signal (``kill -9``), a restart, and
what the records say (:mod:`bench.kill_figures`), measured once the restarted engine
accepts calls (it closes its own calls left open before that)."""

from __future__ import annotations

import asyncio
import math
import signal
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.caller_mix import CallerPlan, Callers, Kind, random_pacing
from bench.engine_process import EngineProcess, EngineSetup
from bench.kill_figures import CallFigures, KillMoment, judge
from bench.reading_accounts import ReadingAccounts
from bench.stored_records import ensure_empty, read_stored
from callgrid.database import Database
from ivr.call_log_writer import WriterSettings

WINDOW_SLACK = 0.25
"""Beyond the gather interval and the engine's longest reply in the round: writing the
batch. The batch waits for the same event loop and database as the calls' commands
(SQLite has one connection), so the longest reply measures how late it can be."""
STOP_TIMEOUT = 300.0
"""SIGTERM drains calls and hands them back before their next command; a sitter's GET
DATA is never answered, so it holds the engine until the reply timeout (120 s)."""
SHARES = {"sitters": 0.2, "readings": 0.3, "callbacks": 0.2}
"""Of the live calls; the rest walk the menu."""
READINGS_COMMANDS = 11
"""AGI commands of one readings call, for the number of accounts to seed."""


@dataclass(frozen=True)
class RoundPlan:
    calls: int = 50
    """Callers keeping a call up at once."""
    rounds: int = 5
    load_seconds: float = 1.0
    """Calls placed at least this long before each signal…"""
    confirmations: int = 2
    """…and until this many readings callers and callback callers heard theirs taken…"""
    max_load_seconds: float = 10.0
    """…but no longer than this."""
    think_ms: float = 50.0
    """Mean hold-back of each reply (prompts playing), real milliseconds."""
    stop: signal.Signals = signal.SIGKILL

    def window(self, longest_reply: float) -> float:
        """Seconds before the kill within which a queued record may not be stored yet."""
        return WriterSettings().gather_seconds + longest_reply + WINDOW_SLACK

    @property
    def callers(self) -> CallerPlan:
        return CallerPlan.mix(self.calls, **SHARES)

    @property
    def accounts_needed(self) -> int:
        """The readings calls the callers can place in the rounds at the pace set."""
        seconds_a_call = max(READINGS_COMMANDS * self.think_ms / 1000, 0.005)
        per_caller = math.ceil(self.max_load_seconds / seconds_a_call) + 5
        return self.callers.readings * self.rounds * per_caller


@dataclass(frozen=True)
class Round:
    number: int
    figures: CallFigures
    exit_code: int
    restart_seconds: float
    reply_p99_ms: float
    """The engine's reply-to-next-command time, 99th percentile, in this round's load…"""
    reply_max_ms: float
    """…and the longest."""
    window_ms: float
    """Records queued this long before the kill may be lost (:meth:`RoundPlan.window`)."""
    accounts_used_up: int


async def kill_rounds(setup: EngineSetup, database: Database, plan: RoundPlan) -> list[Round]:
    """Run the rounds against engines started from ``setup``; the last engine is stopped
    with SIGTERM. ``database`` is where they store (empty; its tables made or not)."""
    engine = await asyncio.to_thread(EngineProcess.start, setup, 0)
    rounds: list[Round] = []
    try:
        await ensure_empty(database)
        accounts = ReadingAccounts(plan.accounts_needed)
        await accounts.seed(database)
        for number in range(1, plan.rounds + 1):
            pacing = random_pacing(plan.think_ms)
            callers = Callers(setup.port, setup.prompts, accounts, pacing, measure_turnaround=True)
            tasks = callers.start(plan.callers)
            await _load(callers, plan)
            callers.placing = False
            at = time.perf_counter()
            engine.process.send_signal(plan.stop)
            exit_code = await asyncio.to_thread(engine.process.wait, STOP_TIMEOUT)
            gone, gone_at = datetime.now(UTC), time.perf_counter()
            await asyncio.wait_for(asyncio.gather(*tasks), 60)
            engine = await asyncio.to_thread(EngineProcess.start, setup, number)
            replies = sorted(callers.turnarounds) or [0.0]
            kill = KillMoment(at, gone_at, gone, plan.window(replies[-1]))
            figures = judge(callers.calls, kill, await read_stored(database))
            rounds.append(
                Round(
                    number,
                    figures,
                    exit_code,
                    engine.ready_seconds,
                    1000 * replies[int(len(replies) * 0.99)],
                    1000 * replies[-1],
                    1000 * kill.window,
                    callers.accounts_used_up,
                )
            )
        engine.process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(engine.process.wait, 60)
    finally:
        engine.ensure_stopped()
    return rounds


async def _load(callers: Callers, plan: RoundPlan) -> None:
    with suppress(TimeoutError):
        async with asyncio.timeout(plan.max_load_seconds):
            await asyncio.sleep(plan.load_seconds)
            while (
                min(callers.confirmed(Kind.READINGS), callers.confirmed(Kind.CALLBACK))
                < plan.confirmations
            ):
                callers.confirmation_heard.clear()
                await callers.confirmation_heard.wait()


COLUMNS = (
    ("round", 5),
    ("live at kill", 12),
    ("ended before", 12),
    ("ends lost", 9),
    ("oldest lost/window", 17),
    ("starts lost", 11),
    ("interrupted", 11),
    ("open", 4),
    ("readings heard/lost", 19),
    ("callbacks heard/lost", 20),
    ("stored unheard", 14),
    ("dupl.", 5),
    ("reply p99/max", 13),
    ("restart", 7),
)


def table(rounds: list[Round]) -> list[str]:
    """The figures, a round a line, and the totals."""
    lines = [" | ".join(name.rjust(width) for name, width in COLUMNS)]
    for r in rounds:
        reply = f"{r.reply_p99_ms:.0f}/{r.reply_max_ms:.0f} ms"
        restart = f"{r.restart_seconds:.2f} s"
        lines.append(_line(str(r.number), [r.figures], r.window_ms, reply, restart))
    p99 = max((r.reply_p99_ms for r in rounds), default=0.0)
    longest = max((r.reply_max_ms for r in rounds), default=0.0)
    window = max((r.window_ms for r in rounds), default=0.0)
    replies = f"{p99:.0f}/{longest:.0f} ms"
    lines.append(_line("all", [r.figures for r in rounds], window, replies, ""))
    return lines


def _line(
    label: str, figures: list[CallFigures], window_ms: float, reply: str, restart: str
) -> str:
    def total(name: str) -> int:
        return sum(int(getattr(f, name)) for f in figures)

    oldest = max(f.oldest_lost_end_ms for f in figures)
    cells = [
        label,
        str(total("live_at_kill")),
        str(total("ended_before_kill")),
        str(total("ends_lost")),
        f"{oldest:.0f}/{window_ms:.0f} ms",
        str(total("starts_lost")),
        str(total("interrupted")),
        str(total("open_rows")),
        f"{total('readings_confirmed')}/{total('readings_lost')}",
        f"{total('callbacks_confirmed')}/{total('callbacks_lost')}",
        str(total("readings_unconfirmed") + total("callbacks_unconfirmed")),
        str(total("duplicates")),
        reply,
        restart,
    ]
    return " | ".join(cell.rjust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True))
