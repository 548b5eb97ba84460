"""The autoinformer's dialer over a simulated week: a debt-notice phone campaign for N
customers in several time zones, on SQLite with one engine process and on PostgreSQL
with one and with two processes dialling the same campaign.

Time is a ManualClock: no real waiting. At every dial tick each process takes the
dialer's turn — ``AttemptStore.take_turn`` with the dialer's budget (line limit, calls
per second) and its judge (``ContactJudge``) — and the attempts begun are played as
calls on simulated lines, their results stored through the store's calls at their
simulated moments (see :mod:`bench.dialer_lines`). ``Dialer.tick`` against the AMI
emulator is not used: the emulator's calls take real time (a no-answer rings for real
``ring_delay`` seconds) and the dialer stamps a call's end with its clock when the
OriginateResponse comes, so under a ManualClock every unanswered call would hold its
line for 0 s instead of 20.

Printed: customers, attempts, delivered share, line utilisation (busy line-seconds over
lines x seconds) and the violations ``autodialer.rule_check`` finds in every attempt
stored, turn latency and wall time. Utilisation is given over three spans of time:

- inside the calling windows: while the window of any customer's zone is open;
- while work remained: someone was callable at the tick (owes, not refused, nothing
  delivered, retry interval over, inside their window), by the benchmark's own count;
- while customers waited: someone callable was still left after the tick's turns, so
  every line could have been busy. Idle lines then are put down to the turn beginning
  fewer calls than its budget, the calls-per-second cap, or lines freed between ticks;
  long stretches of short turns are listed with the customers waiting, per zone.

    python -m bench.dialer [--quick] [--customers 1000000] [--days 7] [--processes 1 2]
                           [--database-url URL ...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from autodialer.parts import campaign_parts
from bench.dialer_check import check
from bench.dialer_coordinator import simulate
from bench.dialer_data import PLACES, START, ZONES, Population, load_accounts, start_campaign
from bench.dialer_demand import Demand, LineUse, merged, window_periods
from bench.dialer_lines import OUTCOME_SHARES, Job
from bench.dialer_report import Run, print_day, print_progress, report, summary
from callgrid.database import Database
from callgrid.settings import Settings
from worktime.clock import ManualClock

BENCH_DATABASE = "bench_dialer"
POSTGRES_URL = os.environ.get(
    "CALLGRID_TEST_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
QUICK = {"customers": 20_000, "days": 2.0}
IMPORTED_BEFORE = timedelta(days=30)
"""The accounts and their consents were imported this long before the campaign."""


async def postgres_statement(url: str, statement: str) -> str:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(statement))
            return str(result.scalar()) if result.returns_rows else ""
    finally:
        await engine.dispose()


def sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[1])


def refuse_existing(url: str) -> None:
    if sqlite_path(url).exists():
        raise SystemExit(f"{sqlite_path(url)} exists: give the SQLite run a new file")


def remove_sqlite(url: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_path(url)}{suffix}").unlink(missing_ok=True)


async def fresh_database(url: str) -> str:
    """The URL of an empty database for one run: a new SQLite file, or a scratch
    database made on the PostgreSQL server ``url`` names."""
    if url.startswith("sqlite"):
        refuse_existing(url)
        return url
    await postgres_statement(url, f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
    await postgres_statement(url, f'CREATE DATABASE "{BENCH_DATABASE}"')
    return url.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"


async def drop_database(url: str, used: str) -> None:
    if url.startswith("sqlite"):
        remove_sqlite(used)
    else:
        await postgres_statement(url, f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')


async def one_run(
    url: str, processes: int, population: Population, args: argparse.Namespace
) -> Run:
    kind = "sqlite" if url.startswith("sqlite") else "postgresql"
    began = time.perf_counter()
    used = await fresh_database(url)
    database = Database(used)
    clock = ManualClock(START)
    try:
        await database.upgrade()
        accounts_seconds = await load_accounts(database, population, clock() - IMPORTED_BEFORE)
        parts = campaign_parts(database, Settings(database_url=used), clock, "bench-setup")
        campaign, list_seconds = await start_campaign(
            parts, population, clock(), args.days, args.lines, args.cps
        )
        print(
            f"{kind}, {processes} process{'es' if processes > 1 else ''}: {population.size} "
            f"customers stored in {accounts_seconds:.1f} s "
            f"({population.size / accounts_seconds:.0f}/s), the campaign's list in "
            f"{list_seconds:.1f} s ({population.size / list_seconds:.0f}/s)",
            flush=True,
        )
        settings = parts.settings
        start, end = campaign.starts_at.timestamp(), campaign.ends_at.timestamp()
        margin = float(settings.call_margin_seconds)
        periods = window_periods(parts.rules.windows, start, end, margin)
        demand = Demand(population, periods, settings.retry_after_negative_call_minutes * 60.0)
        tick = args.tick or settings.dial_tick_seconds
        jobs = [
            Job(used, campaign.id, f"bench-engine-{n + 1}", args.seed + n, tick, start)
            for n in range(processes)
        ]
        simulation = simulate(
            jobs, demand, LineUse(campaign.line_limit), end, print_day, print_progress
        )
        present = {population.zone_index(index) for index in range(population.size)}
        all_periods = window_periods(parts.rules.windows, start, end, 0.0)
        windows = merged([span for zone in present for span in all_periods[zone]])
        checked_at = time.perf_counter()
        checked = await check(
            database, campaign.id, population, settings, campaign.line_limit, windows
        )
        check_seconds = time.perf_counter() - checked_at
    finally:
        await database.close()
        await drop_database(url, used)
    run = Run(
        kind, processes, population.size, accounts_seconds, list_seconds, simulation,
        checked, check_seconds, time.perf_counter() - began,
    )  # fmt: skip
    report(run)
    return run


async def database_versions(urls: Sequence[str]) -> str:
    versions = [f"SQLite {sqlite3.sqlite_version}"]
    for url in urls:
        if not url.startswith("sqlite"):
            versions.append(f"PostgreSQL {await postgres_statement(url, 'SHOW server_version')}")
    return ", ".join(dict.fromkeys(versions))


def remove_folder(folder: Path) -> None:
    folder.rmdir()


async def main(args: argparse.Namespace) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="bench-dialer-"))
    urls = args.database_url or [f"sqlite+aiosqlite:///{scratch / 'dialer.db'}", POSTGRES_URL]
    population = Population.made(args.customers, args.seed)
    shares = ", ".join(f"{name} {share:.0%}" for name, share in OUTCOME_SHARES.items())
    zones = {zone: sum(p.weight for p in PLACES if p.zone == zone) for zone in ZONES}
    print(
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{await database_versions(urls)}; {args.customers} customers "
        f"{population.counts()} in zones {zones} (%); {args.days:g} simulated days from "
        f"{START:%a %Y-%m-%d %H:%M} Tomsk; {args.lines} lines, {args.cps:g} calls/s; "
        f"outcomes {shares}",
        flush=True,
    )
    runs = []
    for url in urls:
        for processes in args.processes:
            if url.startswith("sqlite") and processes > 1:
                continue  # SQLite serves one engine process
            runs.append(await one_run(url, processes, population, args))
    summary(runs)
    remove_folder(scratch)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=None, help="default 1,000,000")
    parser.add_argument("--days", type=float, default=None, help="simulated days, default 7")
    parser.add_argument(
        "--quick", action="store_true", help="20,000 customers over 2 days unless given"
    )
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--database-url",
        action="append",
        help="a new SQLite file's URL, or a PostgreSQL server's (the run makes and drops "
        f"a {BENCH_DATABASE!r} database there); default: both, SQLite in a temporary "
        "folder and $CALLGRID_TEST_POSTGRES",
    )
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--cps", type=float, default=10.0, help="the calls-per-second cap")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--tick", type=float, default=None, help="seconds between turns (the dialer's setting)"
    )
    arguments = parser.parse_args()
    defaults = QUICK if arguments.quick else {"customers": 1_000_000, "days": 7.0}
    for name, value in defaults.items():
        if getattr(arguments, name) is None:
            setattr(arguments, name, value)
    asyncio.run(main(arguments))
