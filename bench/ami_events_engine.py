"""The engine under test of :mod:`bench.ami_events`: the ``web`` and ``ami`` parts of
``callgrid serve`` in a process of its own, with a probe the benchmark drives.

The probe reads one command a line on stdin and answers each with one JSON line on
stdout; every 0.1 s it also writes a ``progress`` line: the AMI events the engine has
handled so far and the moment it finished the last of them (an event is handled once
every handler the engine's plugins registered for it has returned, its effect stored:
the operators' board, the queue stays, the IVR's queue_log record), the
``callcenter.operators`` and
``callcenter.queues`` events published so far, its CPU time by thread, the SQL
statements and commits.

    users N            N supervisors screen01…, password PASSWORD (cheaply hashed)
    probe N            N subscribers on callcenter.operators note when each change of
                       a marker operator reaches them
    report             those notes; the subscribers are closed
    figures            the time one set of wallboard figures takes, and today's calls
                       (summed by the database)
    profile on|off     cProfile of the event loop's thread; ``off`` answers its summary
    stop

    python -m bench.ami_events_engine --database URL --ami-port P --markers op181,…
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import pstats
import sys
import sysconfig
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import event

from callcenter.operator_watch import OPERATORS_TOPIC
from callcenter.queue_call_watch import QUEUES_TOPIC
from callcenter.wallboard_http import SOURCES_KEY
from callgrid.engine import Engine, tune_garbage_collector
from callgrid.events import Subscription
from callgrid.settings import Settings
from callgrid.web.users import Users
from telephony.ami.event_base import AmiEvent
from worktime.clock import RunningClock, local_zone

START = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
"""A Wednesday noon in the engine's zone: the engine's clock runs from here."""
PASSWORD = "screens on the wall"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PROGRESS_EVERY = 0.1
ROOT = str(Path(__file__).resolve().parents[1])
STDLIB = sysconfig.get_paths()["stdlib"]


def write(kind: str, **data: Any) -> None:
    sys.stdout.write(json.dumps({"kind": kind, **data}) + "\n")
    sys.stdout.flush()


def thread_cpu() -> dict[str, float]:
    """CPU seconds of this process (``all``, ended threads included) and of its event
    loop (the main thread), Linux."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(stat: Path) -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return {"all": used(Path("/proc/self/stat")), "loop": used(Path("/proc/thread-self/stat"))}


class Probe:
    def __init__(self, engine: Engine, markers: frozenset[str]) -> None:
        self.engine = engine
        self.markers = markers
        self.published = engine.events.subscribe(OPERATORS_TOPIC, QUEUES_TOPIC)
        self.received = 0
        self.statements: dict[str, int] = defaultdict(int)
        self.commits = 0
        self.notes: list[tuple[Subscription, list[tuple[str, float]], asyncio.Task[None]]] = []
        self.profile: cProfile.Profile | None = None
        self.handled = 0
        self.handled_at = 0.0
        self._handlers_left: dict[int, int] = {}
        self._handlers_of: dict[tuple[type[AmiEvent], str], int] = {}
        self._registered = [event_type for event_type, _handler in engine.host.ami_handlers]
        engine.host.ami_handlers[:] = [
            (event_type, self._counted(handler)) for event_type, handler in engine.host.ami_handlers
        ]
        sql = engine.database.engine.sync_engine
        event.listen(sql, "before_cursor_execute", self._statement)
        event.listen(sql, "commit", self._commit)

    def _statement(self, *args: Any) -> None:
        """Counted by kind and, for a write, its table: ``INSERT operator_now``."""
        words = str(args[2]).split(None, 3)
        kind = words[0].upper()
        table = {"INSERT": 2, "DELETE": 2, "UPDATE": 1}.get(kind)
        self.statements[kind if table is None else f"{kind} {words[table]}"] += 1

    def _commit(self, _connection: object) -> None:
        self.commits += 1

    def _counted(
        self, handler: Callable[[Any], Awaitable[None]]
    ) -> Callable[[Any], Awaitable[None]]:
        """``handler`` as registered, noting when it is done with an event (the engine
        starts it for an event the AMI link delivered, and it returns once stored)."""

        async def counted(event: AmiEvent) -> None:
            try:
                await handler(event)
            finally:
                self._one_done(event)

        return counted

    def _one_done(self, event: AmiEvent) -> None:
        """One handler done with ``event``; the event is handled when all of its are (the
        engine's dispatcher hands the same event object to each)."""
        key = id(event)
        left = self._handlers_left.pop(key, None)
        if left is None:
            left = self._handlers_for(event)
        if left > 1:
            self._handlers_left[key] = left - 1
            return
        self.handled += 1
        self.handled_at = time.monotonic()

    def _handlers_for(self, event: AmiEvent) -> int:
        """How many registered handlers the engine runs for ``event``: those of its name
        (or of every name) whose type it is."""
        kind = (type(event), event.name.lower())
        if kind not in self._handlers_of:
            self._handlers_of[kind] = sum(
                1
                for event_type in self._registered
                if (event_type.event_name or "*").lower() in (kind[1], "*")
                and isinstance(event, event_type)
            )
        return self._handlers_of[kind]

    @property
    def hub_events(self) -> int:
        return self.received + self.published.missed + self.published.queue.qsize()

    async def count(self) -> None:
        while True:
            await self.published.next()
            self.received += 1

    async def report_progress(self) -> None:
        while True:
            write(
                "progress",
                t=time.monotonic(),
                handled=self.handled,
                handled_at=self.handled_at,
                hub=self.hub_events,
                threads=thread_cpu(),
                statements=dict(self.statements),
                commits=self.commits,
                notified=0 if self.engine.bridge is None else self.engine.bridge.sent,
                unshared=0 if self.engine.bridge is None else self.engine.bridge.dropped,
            )
            await asyncio.sleep(PROGRESS_EVERY)

    def start_notes(self, count: int) -> None:
        for _ in range(count):
            subscription = self.engine.events.subscribe(OPERATORS_TOPIC)
            notes: list[tuple[str, float]] = []
            task = asyncio.create_task(self._note(subscription, notes))
            self.notes.append((subscription, notes, task))

    async def _note(self, subscription: Subscription, notes: list[tuple[str, float]]) -> None:
        while True:
            found = (await subscription.next()).data.get("operators", [])
            if len(found) == 1 and found[0] in self.markers:
                notes.append((found[0], time.monotonic()))

    def stop_notes(self) -> dict[str, Any]:
        taken = [notes for _subscription, notes, _task in self.notes]
        missed = [subscription.missed for subscription, _notes, _task in self.notes]
        for subscription, _notes, task in self.notes:
            task.cancel()
            subscription.close()
        self.notes = []
        return {"notes": taken, "missed": missed}

    async def figures(self) -> dict[str, Any]:
        """One set of wallboard figures as a page gets it, and the time of its parts."""
        runner = self.engine._web_runner  # the web app the engine built
        assert runner is not None
        sources = runner.app[SOURCES_KEY]
        started = time.perf_counter()
        board = await sources.figures()
        whole = time.perf_counter() - started
        now = sources.clock()
        midnight = datetime.combine(now.astimezone(local_zone()).date(), dt_time(), local_zone())
        started = time.perf_counter()
        operators = await sources.operators.now()
        read_operators = time.perf_counter() - started
        rules = sources.rules
        today = await sources.stays.figures_between(
            midnight, now, rules.answer_seconds, rules.short_abandon_seconds
        )
        read_today = time.perf_counter() - started - read_operators
        return {
            "ms": 1000 * whole,
            "operators_ms": 1000 * read_operators,
            "today_ms": 1000 * read_today,
            "today": sum(figures.offered for figures in today.values()),
            "operators": len(operators),
            "bytes": len(json.dumps(board)),
        }

    def profiled(self, on: bool) -> dict[str, Any]:
        if on:
            self.profile = cProfile.Profile()
            self.profile.enable()
            return {}
        assert self.profile is not None
        self.profile.disable()
        stats = pstats.Stats(self.profile)
        self.profile = None
        return profile_summary(stats)


def where(filename: str, function: str) -> str:
    """The package (or the C type) a profiled function belongs to."""
    if filename.startswith(("~", "<")):
        if " of '" in function:  # <method 'execute' of 'sqlite3.Cursor' objects>
            return function.split(" of '", 1)[1].split("'", 1)[0]
        return function.removeprefix("<built-in method ").split(".", 1)[0].strip("<>")
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    for prefix in (ROOT, STDLIB):
        if filename.startswith(prefix + "/"):
            return filename[len(prefix) + 1 :].split("/", 1)[0].removesuffix(".py")
    return filename


def profile_summary(stats: pstats.Stats) -> dict[str, Any]:
    groups: dict[str, float] = defaultdict(float)
    functions: list[tuple[float, float, str]] = []
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    for (filename, line, function), (_cc, _nc, own, total, _callers) in raw.items():
        groups[where(filename, function)] += own
        shown = filename.replace(ROOT + "/", "").split("site-packages/")[-1]
        functions.append((own, total, f"{shown}:{line}({function})"))
    total_own = sum(groups.values())
    ranked = sorted(groups.items(), key=lambda item: -item[1])
    return {
        "seconds": total_own,
        "groups": ranked[:14],
        "own": [(name, own) for own, _total, name in sorted(functions, reverse=True)[:14]],
        "project": [
            (name, own)
            for own, _total, name in sorted(functions, reverse=True)
            if not name.startswith(("/", "~"))
            and name.split("/", 1)[0] in ("callcenter", "callgrid", "telephony", "ivr")
        ][:10],
    }


async def serve(args: argparse.Namespace) -> None:
    settings = Settings(
        var_dir=args.scratch / "var",
        database_url=args.database,
        ami_port=args.ami_port,
        ami_username="ivr",
        ami_secret="ivrsecret",
        web_port=0,
    )
    engine = Engine(settings, RunningClock(START), parts=("web", "ami"))
    probe = Probe(engine, frozenset(args.markers.split(",")))
    await engine.start()
    tune_garbage_collector()  # as `callgrid serve` does
    await asyncio.wait_for(probe.published.next(), 60)  # the board read from QueueStatus
    probe.received = 1
    counting = asyncio.create_task(probe.count())
    runner = engine._web_runner  # the port the system chose for web_port=0
    assert runner is not None
    address = "http://{}:{}".format(*runner.addresses[0][:2])
    write("ready", url=address, hub=probe.hub_events, handled=probe.handled)
    progress = asyncio.create_task(probe.report_progress())
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    users = Users(engine.database, engine.clock, CHEAP_HASHER)
    while line := (await reader.readline()).decode().split():
        command, arguments = line[0], line[1:]
        if command == "users":
            for number in range(1, int(arguments[0]) + 1):
                await users.add(f"screen{number:02d}", PASSWORD, ["supervisor"])
            write("users")
        elif command == "probe":
            probe.start_notes(int(arguments[0]))
            write("probe")
        elif command == "report":
            write("report", **probe.stop_notes())
        elif command == "figures":
            write("figures", **await probe.figures())
        elif command == "profile":
            write("profile", **probe.profiled(arguments[0] == "on"))
        elif command == "stop":
            break
    for task in (progress, counting):
        task.cancel()
    await engine.stop()
    write("stopped")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--ami-port", type=int, required=True)
    parser.add_argument("--markers", required=True, help="the marker operators' logins")
    parser.add_argument("--scratch", type=Path, required=True)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(serve(parser.parse_args()))
