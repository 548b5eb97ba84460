"""The IVR's commands: ``menus check``, ``prompts build`` and ``asterisk-sounds``,
``call`` and ``demo``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.plugins import Commands
from callgrid.settings import PROJECT_ROOT, Settings
from ivr.actions import ACTIONS
from ivr.demo import DEMO_DAY, demo_settings, scenarios, seed, summary
from ivr.menu_loader import load_trees
from ivr.settings import IvrSettings
from ivr.simulation import (
    SimulatedCall,
    describe_heard,
    describe_record,
    describe_recording,
    place_call,
)
from ivr.storage import CallRow, SqlCallLog
from prompts.asterisk_sounds import write_asterisk_sounds
from prompts.catalog import load_catalog
from prompts.render import render_catalog
from recordings.plugin import FINISHER, RECORDINGS
from telephony.emulator.caller import parse_keys
from worktime.clock import ManualClock, local_zone, system_clock


def add_commands(commands: Commands) -> None:
    menus = commands.add_parser("menus", help="menu trees")
    menus_commands = menus.add_subparsers(dest="menus_command", required=True)
    check = menus_commands.add_parser("check", help="check menu trees against the standard")
    check.add_argument("directory", nargs="?", type=Path, help="default: the shipped dialplans/")
    check.set_defaults(run=_menus_check)

    prompts = commands.add_parser("prompts", help="prompt audio")
    prompts_commands = prompts.add_subparsers(dest="prompts_command", required=True)
    sounds = prompts_commands.add_parser(
        "asterisk-sounds", help="render Asterisk's own notices for when no engine answers"
    )
    sounds.add_argument(
        "directory", nargs="?", type=Path, default=PROJECT_ROOT / "asterisk-conf" / "sounds"
    )
    sounds.set_defaults(run=_prompts_asterisk_sounds)
    build = prompts_commands.add_parser("build", help="render the prompt catalog to 8 kHz WAV")
    build.set_defaults(run=_prompts_build)

    call = commands.add_parser("call", help="place one simulated call through the emulator")
    call.add_argument("--to", required=True, help="the dialled number, e.g. 88002224902")
    call.add_argument("--from", dest="caller_id", default="79001234567", help="caller ID")
    call.add_argument(
        "--keys",
        default="",
        help="what the caller does, one token per input window: keys such as "
        "'2' or '12345#', '_' silence, 'h' hang up (e.g. \"1 2 * 0\")",
    )
    call.add_argument(
        "--engine",
        metavar="HOST:PORT",
        help="call a running engine's FastAGI port instead of one in-process; the call then "
        "takes its real length, so the engine's record shows true durations",
    )
    call.add_argument(
        "--no-operator", action="store_true", help="nobody in the operator queues answers"
    )
    call.add_argument(
        "--at",
        type=_local_moment,
        help="place the call at this local time, e.g. 2026-11-26T23:30 (in-process engine "
        "only): the operators' hours and the answering machine follow it",
    )
    call.set_defaults(run=_call)

    demo = commands.add_parser("demo", help="a handful of simulated calls showing each feature")
    demo.set_defaults(run=_demo)


def _menus_check(args: argparse.Namespace, settings: Settings) -> int:
    ivr = settings.of(IvrSettings)
    directory = args.directory or ivr.dialplans_dir
    catalog = load_catalog(ivr.prompt_catalog)
    library = render_catalog(catalog, ivr.prompts_dir)
    trees = load_trees(directory, catalog, library.duration, ACTIONS.keys(), ivr.menu_limits)
    for tree in {tree.line: tree for tree in trees.values()}.values():
        nodes = list(tree.nodes())
        depth = max(node.level for node in nodes if node.kind == "menu")
        longest = max((library.duration(n.prompt, "full") or 0.0, n.id) for n in nodes if n.prompt)
        print(
            f"ok  {tree.source.name}: {tree.title}; {len(nodes)} nodes, {depth} menu levels, "
            f"longest speech {longest[0]:.1f} s ({longest[1]}); numbers {', '.join(tree.numbers)}"
        )
    return 0


def _prompts_asterisk_sounds(args: argparse.Namespace, settings: Settings) -> int:
    for name, seconds in write_asterisk_sounds(args.directory).items():
        print(f"{args.directory / name}: {seconds:.1f} s")
    return 0


def _prompts_build(args: argparse.Namespace, settings: Settings) -> int:
    ivr = settings.of(IvrSettings)
    catalog = load_catalog(ivr.prompt_catalog)
    library = render_catalog(catalog, ivr.prompts_dir)
    longest = max(library.durations.items(), key=lambda item: item[1])
    print(
        f"{len(library.durations)} prompt files in {library.directory} "
        f"(longest {longest[0]}: {longest[1]:.1f} s)"
    )
    return 0


async def _simulate(
    settings: Settings, calls: Sequence[tuple[str, SimulatedCall]], engine_address: str | None
) -> int:
    ivr = settings.of(IvrSettings)
    catalog = load_catalog(ivr.prompt_catalog)  # to show the words of each prompt
    clock = ManualClock(system_clock())
    engine: Engine | None = None
    if engine_address:
        host, _, port_text = engine_address.rpartition(":")
        host, port = host or "127.0.0.1", int(port_text)
    else:
        engine = Engine(replace(settings, agi_port=0, agi_host="127.0.0.1"), clock, parts=("agi",))
        await engine.start()
        assert engine.agi is not None
        host, port = "127.0.0.1", engine.agi.port
    database = Database(settings.database_url)
    call_log = SqlCallLog(database)
    try:
        for title, call in calls:
            if title:
                print(f"\n=== {title}")
            print(
                f"Call to {call.to} from {call.caller_id}, caller does: {call.keys or '(nothing)'}"
            )
            if call.at is not None:
                clock.now = call.at
            started = clock.now

            def follow(seconds: float, started: datetime = started) -> None:
                clock.now = started + timedelta(seconds=seconds)

            try:
                channel = await place_call(
                    host, port, call, ivr.prompts_dir, follow, real_time=engine is None
                )
            except OSError as error:
                print(f"callgrid: no engine answers at {host}:{port} ({error})", file=sys.stderr)
                return 2
            for event in channel.heard:
                for line in describe_heard(event, catalog):
                    print(line)
            if engine is not None and engine.agi is not None:
                await engine.agi.drained(timeout=10)
            row = await _stored_call(call_log, channel.uniqueid)
            for line in describe_record(row):
                print(line)
            if engine is not None and row is not None:
                for line in await _recording_of(engine, row.id):
                    print(line)
            if row is None:
                print(f"  (not in {settings.database_url}: does the engine use this database?)")
    finally:
        await database.close()
        if engine is not None:
            await engine.stop()
    return 0


async def _recording_of(engine: Engine, call_id: str) -> list[str]:
    """The call's recording, its index completed now (a served engine's worker would)."""
    index, finisher = engine.host.find(RECORDINGS), engine.host.find(FINISHER)
    if index is None or finisher is None:
        return []
    await finisher.finish_due()
    return describe_recording(await index.of_call(call_id), finisher.directory)


async def _stored_call(call_log: SqlCallLog, uniqueid: str) -> CallRow | None:
    """The call's record, once the engine has closed it (a remote engine may lag a little)."""
    for _ in range(30):
        row = await call_log.find_by_uniqueid(uniqueid)
        if row is not None and row.ended_at is not None:
            return row
        await asyncio.sleep(0.1)
    return await call_log.find_by_uniqueid(uniqueid)


def _local_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time like 2026-11-26T23:30") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=local_zone())


def _call(args: argparse.Namespace, settings: Settings) -> int:
    if args.at is not None and args.engine:
        print("callgrid: --at needs the in-process engine (drop --engine)", file=sys.stderr)
        return 2
    call = SimulatedCall(
        to=args.to,
        caller_id=args.caller_id,
        keys=args.keys,
        operator_answers_after=None if args.no_operator else 8.0,
        at=args.at,
    )
    try:
        parse_keys(args.keys)
    except ValueError as error:
        print(f"callgrid: {error}", file=sys.stderr)
        return 2
    return asyncio.run(_simulate(settings, [("", call)], args.engine))


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    settings = demo_settings(settings)
    asyncio.run(seed(settings, DEMO_DAY))
    result = asyncio.run(_simulate(settings, scenarios(settings), None))
    for line in asyncio.run(summary(settings)):
        print(line)
    return result
