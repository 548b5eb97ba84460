"""The ``callgrid`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from callgrid import cli_users
from callgrid.engine import PARTS, Engine, tune_garbage_collector
from callgrid.logs import LOG_FORMAT_ENV, REDACT, hide_secrets, setup_logging
from callgrid.plugins import Plugin, load_plugins, settings_sections
from callgrid.settings import Settings, SettingsError
from worktime.clock import Clock, RunningClock, system_clock, use_local_zone


def main(argv: Sequence[str] | None = None) -> int:
    plugins = load_plugins()
    parser = _parser(plugins)
    args = parser.parse_args(argv)
    level = (
        logging.DEBUG
        if args.verbose
        else logging.INFO
        if args.command == "serve"
        else logging.WARNING
    )
    try:
        setup_logging(level, os.environ.get(LOG_FORMAT_ENV, "text"))
    except ValueError as error:
        print(f"callgrid: {error}", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_environment(sections=settings_sections(plugins))
        use_local_zone(settings.zone)
        hide_secrets(_ami_secret(settings), _database_password(settings.database_url))
        result: int = args.run(args, settings)
        return result
    except SettingsError as error:
        print(f"callgrid: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        for plugin in plugins:
            explained = plugin.explain(error)
            if explained is not None:
                exit_code, lines = explained
                for line in lines:
                    print(line, file=sys.stderr)
                return exit_code
        raise


def _parser(plugins: Sequence[Plugin]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callgrid", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the engine: FastAGI, AMI link and web")
    serve.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts to run ({', '.join(PARTS)})"
    )
    serve.add_argument(
        "--clock-start",
        metavar="LOCAL_TIME",
        help="run the engine's clock from this moment, e.g. 2027-02-01T10:00 (local time "
        "unless it names its offset), real seconds passing: a rehearsal whose opening hours "
        "and calling windows do not depend on when it is started",
    )
    serve.set_defaults(run=_serve)

    cli_users.add_commands(commands)
    for plugin in plugins:
        plugin.add_commands(commands)
    return parser


def banner(engine: Engine) -> str:
    """What runs where, said once at start; the database password is never shown."""
    settings = engine.settings
    running = []
    if engine.agi is not None:
        running.append(f"FastAGI on {settings.agi_host}:{engine.agi.port}")
    if engine.ami is not None:
        running.append(f"AMI link to {settings.ami_host}:{settings.ami_port}")
    elif "ami" in engine.parts:
        running.append("AMI off (CALLGRID_AMI_ENABLED=no)")
    if "web" in engine.parts:
        running.append(f"web on http://{settings.web_host}:{settings.web_port}/")
    if "workers" in engine.parts:
        running.append(f"{len(engine.host.workers)} worker(s)")
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    return REDACT(f"callgrid serving: {'; '.join(running)}; database {database}")


def _ami_secret(settings: Settings) -> str | None:
    """The AMI secret set for this site; the default one is in the source, no secret,
    and hiding it would blank the product's name in every line."""
    default = next(f.default for f in fields(Settings) if f.name == "ami_secret")
    return None if settings.ami_secret == default else settings.ami_secret


def _database_password(url: str) -> str | None:
    try:
        return make_url(url).password
    except ArgumentError:
        return None


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    parts = tuple(part.strip() for part in args.only.split(",") if part.strip())
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"callgrid: unknown part(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    clock: Clock = system_clock
    if args.clock_start:
        try:
            start = datetime.fromisoformat(args.clock_start)
        except ValueError:
            print(f"callgrid: --clock-start {args.clock_start!r} is not a time like "
                  "2027-02-01T10:00", file=sys.stderr)  # fmt: skip
            return 2
        clock = RunningClock(start if start.tzinfo else start.replace(tzinfo=settings.zone))

    async def run() -> int:
        engine = Engine(settings, clock, parts=parts)
        try:
            await engine.start()
        except (OSError, DBAPIError) as error:
            reason = REDACT(str(getattr(error, "orig", None) or error)).splitlines()[0]
            print(f"callgrid: cannot start: {reason}", file=sys.stderr)
            await engine.stop()
            return 1
        tune_garbage_collector()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            """The first SIGTERM drains the calls; a second one cuts the drain short."""
            if stop.is_set():
                engine.hurry()
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, on_signal)
        print(banner(engine), flush=True)
        await stop.wait()
        await engine.stop()
        return 0

    return asyncio.run(run())
