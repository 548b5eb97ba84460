"""AMI events into the contact center: how many a second the engine handles (each
received and applied: the operators' board and the queue calls kept, stored and
announced to the wallboards), and how long an event takes to reach the supervisors'
screens at a fixed rate.

The engine (parts ``web`` and ``ami``, as ``callgrid serve --only web,ami`` builds them)
runs in a process of its own (:mod:`bench.ami_events_engine`); this process is the
emulated Asterisk feeding it a contact center's member, agent and queue events
(:mod:`bench.ami_events_mix`) and the supervisors' browsers, each signed in and on the
wallboard's WebSocket ``/ws/wallboard``. Phases, each on a fresh engine and database:

1. ingest: as fast as the engine takes the events (at most ``WINDOW`` sent and not yet
   handled), with no wallboard open and then with ``--screens``. The rate is end to
   end: the events the engine handled over the time from the first one sent to the
   last one's effect stored (the engine counts an event once every plugin's handler
   for it returned: the board, the queue stays, the IVR's queue_log record; the board
   stores a burst of events a transaction and publishes once a burst, so the hub's
   publications are fewer than the events).
2. latency: ``--rate`` events a second for ``--seconds`` with ``--screens`` wallboards
   open. A marker operator's pause reason carries a sequence number; measured is the
   time from its emission to the first message on each screen that shows it (or a
   later one of the same operator), and to its change reaching a hub subscriber in the
   engine (stored and published). The wallboard sends a page one set of figures a
   second at most (``FIGURES_GAP``), by design: up to a second of the first figure is
   that wait.
3. fan-out: the same rate, no wallboard, ``--screens`` subscribers of the event hub in
   the engine: emission to each subscriber, with no throttle.

    python -m bench.ami_events [--rate 1000] [--seconds 20] [--screens 50]
        [--operators 200] [--databases sqlite postgresql | --database URL] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from bench.ami_events_drive import (
    EngineRun,
    Feed,
    Screens,
    delivered,
    shown_on_screens,
)
from bench.ami_events_mix import ContactCenter
from bench.ami_events_report import Meter, load_average, print_figures, print_profile, spread
from bench.retention import POSTGRES_ADMIN_URL, postgres_statement, postgres_version
from callgrid.web.live import FIGURES_GAP
from telephony.emulator.ami_server import AmiEmulator

BENCH_DATABASE = "bench_ami_events"
WINDOW = 2000
"""Events sent and not yet handled in the ingest phase before the feed waits."""
LATE = FIGURES_GAP + 1.0
PHASES = ("latency", "fan-out", "ingest")


async def latency(
    args: argparse.Namespace, engine: EngineRun, feed: Feed, screens: Screens, label: str
) -> None:
    print(f"  {label}) {args.rate:g} events/s for {args.seconds:g} s, {args.screens} wallboards")
    await screens.connect()
    await asyncio.sleep(1.5)  # each page's first figures, sent at once, are not the test
    base, meter = engine.handled, Meter.read(engine)
    feed.new_phase()
    await engine.command("probe", 1)
    await feed.paced(args.rate, args.seconds)
    used = Meter.read(engine).since(meter)
    taken = feed.taken(engine, meter.moment, time.monotonic())
    behind = await feed.settle(engine, base)
    await asyncio.sleep(LATE + 0.5)  # the pages after the last change
    await screens.disconnect()
    notes = await engine.command("report")
    shown = shown_on_screens(screens, feed.markers)
    late = sum(1 for seconds in shown.latencies if seconds > LATE)
    print(
        f"     sent {len(feed.moments):,} events ({len(feed.markers):,} markers), the engine "
        f"handled {taken:,.0f} a second meanwhile and was {behind}; {used}"
    )
    print(f"     emission -> wallboard message: {spread(shown.latencies)}")
    print(
        f"       later than {LATE:g} s: {late:,}; never shown: {shown.unseen:,}; messages "
        f"every {spread(shown.gaps).split(' (')[0]}; pages dropped by the engine: "
        f"{shown.dropped}"
    )
    stored, mismatched = delivered(notes["notes"], feed.markers)
    print(
        f"     emission -> stored and published (1 hub subscriber): {spread(stored)}"
        + (f"; {mismatched} unmatched" if mismatched else "")
    )
    print(
        f"     the throttle: a page gets one set of figures every {FIGURES_GAP:g} s at most, "
        f"so waiting for it adds ~{1000 * FIGURES_GAP / 2:.0f} ms on average, up to "
        f"{1000 * FIGURES_GAP:.0f} ms, to the stored-and-published time"
    )
    print_figures(await engine.command("figures"), args.screens)


async def fan_out(args: argparse.Namespace, engine: EngineRun, feed: Feed, label: str) -> None:
    print(
        f"  {label}) {args.rate:g} events/s for {args.seconds:g} s, no wallboard, "
        f"{args.screens} hub subscribers in the engine"
    )
    base, meter = engine.handled, Meter.read(engine)
    feed.new_phase()
    await engine.command("probe", args.screens)
    await feed.paced(args.rate, args.seconds)
    used = Meter.read(engine).since(meter)
    taken = feed.taken(engine, meter.moment, time.monotonic())
    behind = await feed.settle(engine, base)
    report = await engine.command("report")
    reached, mismatched = delivered(report["notes"], feed.markers)
    print(
        f"     sent {len(feed.moments):,} events, the engine handled {taken:,.0f} a second "
        f"meanwhile and was {behind}; {used}"
    )
    print(
        f"     emission -> each subscriber: {spread(reached)}; missed by the subscribers' "
        f"queues: {sum(report['missed'])}" + (f"; {mismatched} unmatched" if mismatched else "")
    )


async def ingest(
    args: argparse.Namespace, engine: EngineRun, feed: Feed, screens: Screens | None, label: str
) -> float:
    shown = f"{args.screens} wallboards open" if screens else "no wallboard"
    print(f"  {label}) as fast as the engine takes them for {args.seconds:g} s, {shown}")
    if screens is not None:
        await screens.connect()
    base, published, meter = engine.handled, engine.hub, Meter.read(engine)
    feed.new_phase()
    await feed.flood(args.seconds, engine, base, WINDOW)
    used = Meter.read(engine).since(meter)
    behind = await feed.settle(engine, base)
    if screens is not None:
        await screens.disconnect()
    handled, seconds = feed.end_to_end(engine, base)
    rate = handled / seconds if seconds > 0 else 0.0
    print(
        f"     {rate:,.0f} events/s sustained: {handled:,} of {len(feed.moments):,} AMI "
        f"events sent handled in {seconds:.1f} s, from the first sent to the last one's "
        f"effect stored (the engine was {behind}; its hub published "
        f"{engine.hub - published:,}, one a stored burst); {used}"
    )
    if screens is not None:
        print_figures(await engine.command("figures"), args.screens)
    return rate


async def profiled(args: argparse.Namespace, engine: EngineRun, feed: Feed) -> None:
    print(
        f"  profile: cProfile of the engine's event loop, {args.seconds / 2:g} s as fast as it "
        "takes them, no wallboard"
    )
    base = engine.handled
    feed.new_phase()
    await engine.command("profile", "on")
    await feed.flood(args.seconds / 2, engine, base, WINDOW)
    await feed.settle(engine, base)
    print_profile(await engine.command("profile", "off"))


@dataclass
class Site:
    """One engine on a fresh database, the emulated Asterisk feeding it, the screens."""

    engine: EngineRun
    feed: Feed
    screens: Screens


@contextlib.asynccontextmanager
async def fresh_database(args: argparse.Namespace, kind: str, scratch: Path) -> AsyncIterator[str]:
    """A new empty database for one phase (``--database`` is the one given, shared)."""
    if args.database:
        yield args.database
    elif kind == "sqlite":
        yield f"sqlite+aiosqlite:///{scratch / 'callgrid.db'}"
    else:
        drop = f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'
        await postgres_statement(args.postgres, drop)
        await postgres_statement(args.postgres, f'CREATE DATABASE "{BENCH_DATABASE}"')
        try:
            yield args.postgres.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"
        finally:
            await postgres_statement(args.postgres, drop)


@contextlib.asynccontextmanager
async def site(args: argparse.Namespace, kind: str, scratch: Path) -> AsyncIterator[Site]:
    await asyncio.to_thread(scratch.mkdir)
    center = ContactCenter(args.operators)
    emulator = AmiEmulator(auth_failure_delay=0, queues=center.queues())
    await emulator.start()
    async with fresh_database(args, kind, scratch) as url:
        engine = await EngineRun.start(url, emulator.port, center.marker_logins, scratch)
        screens = Screens(engine.url, frozenset(center.marker_logins))
        try:
            await engine.command("users", args.screens)
            await screens.sign_in(args.screens)
            yield Site(engine, Feed(emulator, center), screens)
        except Exception:
            log = (scratch / "engine.log").read_text(errors="replace").splitlines()
            print("the engine's log ends:", *log[-40:], sep="\n  ")
            raise
        finally:
            await screens.close()
            await engine.stop()
            await emulator.stop()


async def one_database(args: argparse.Namespace, kind: str, scratch: Path) -> list[float]:
    """Each phase on an engine and a database of its own; the ingest rates."""
    print(
        f"\n{kind}: {args.operators} operators, {args.operators // 10} of them markers; a "
        f"fresh engine and database each phase; load average {load_average()}"
    )
    rates = []
    for label, phase in (("1a", "ingest"), ("1b", "ingest"), ("2", "latency"), ("3", "fan-out")):
        if phase not in args.phases:
            continue
        async with site(args, kind, scratch / label) as here:
            engine, feed, screens = here.engine, here.feed, here.screens
            if label == "1a":
                rates.append(await ingest(args, engine, feed, None, label))
            elif label == "1b":
                rates.append(await ingest(args, engine, feed, screens, label))
            elif phase == "latency":
                await latency(args, engine, feed, screens, label)
            else:
                await fan_out(args, engine, feed, label)
    if args.profile:
        async with site(args, kind, scratch / "profile") as here:
            await profiled(args, here.engine, here.feed)
    return rates


async def main(args: argparse.Namespace) -> None:
    if args.database:
        kinds = ["postgresql" if args.database.startswith("postgresql") else "sqlite"]
    else:
        kinds = args.databases
    versions = f"SQLite {sqlite3.sqlite_version}"
    if "postgresql" in kinds:
        versions += f", PostgreSQL {await postgres_version(args.database or args.postgres)}"
    print(
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {versions}; "
        f"{args.operators} operators in 4 queues, {args.screens} screens, --rate {args.rate:g}, "
        f"--seconds {args.seconds:g}; the engine in its own process, the emulator and the "
        "screens in this one"
    )
    results = []
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="ami-events-") as folder:
            results.append((kind, await one_database(args, kind, Path(folder))))
    if "ingest" in args.phases:
        print(f"\n{'ingest':<12}{'no wallboard':>16}{f'{args.screens} wallboards open':>24}")
        for kind, (without, with_screens) in results:
            print(f"{kind:<12}{without:>11,.0f} ev/s{with_screens:>19,.0f} ev/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000.0, help="events a second, phases 1-2")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--screens", type=int, default=50)
    parser.add_argument("--operators", type=int, default=200)
    parser.add_argument(
        "--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"]
    )
    parser.add_argument("--database", default="", help="run on this empty database only")
    parser.add_argument(
        "--postgres",
        default=POSTGRES_ADMIN_URL,
        help=f"a PostgreSQL to create the {BENCH_DATABASE!r} database in (dropped after)",
    )
    parser.add_argument(
        "--phases", nargs="+", choices=PHASES, default=list(PHASES), help="which to run"
    )
    parser.add_argument("--profile", action="store_true", help="also profile the event loop")
    asyncio.run(main(parser.parse_args()))
