"""Retention purge: how fast one purge deletes the expired recordings of a big index, on
SQLite and on PostgreSQL, and that its memory does not grow with the index.

Each run makes a fresh schema, an index of N rows with their files (a 44-byte WAV
header each, in the recorder's day folders), then times ONE ``Purge.run()``. Memory is
the purge's own: the ``tracemalloc`` peak of what it allocates, and the growth of the
process's peak RSS (VmHWM, reset before the purge) over its RSS before. After the purge
the rows and the files are counted against what should be left.

    python -m bench.retention [--rows 100000 1000000] [--databases sqlite postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import shutil
import sqlite3
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.retention_data import Expected, IndexShape, fill, mismatches
from callgrid.database import Database
from callgrid.web.audit import AuditLog
from recordings.purge import Purge, PurgeFigures
from recordings.settings import RecordingSettings
from worktime.clock import DEFAULT_ZONE, ManualClock

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
BENCH_DATABASE = "bench_retention"
POSTGRES_ADMIN_URL = os.environ.get(
    "CALLGRID_TEST_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
BYTES_A_FILE = 4096  # one block for each small file
BYTES_A_ROW = 2048  # the row and its eight indexes, generously
MB = 1 << 20


@dataclass(frozen=True)
class Memory:
    traced_peak: int | None
    """What the purge allocated at most (``tracemalloc``); None when not traced."""
    rss_before: int
    rss_peak: int
    """The process's peak RSS while the purge ran."""


@dataclass(frozen=True)
class Run:
    database: str
    expected: Expected
    figures: PurgeFigures
    seconds: float
    memory: Memory
    problems: list[str]


def proc_status(field: str) -> int:
    """A ``/proc/self/status`` size (VmRSS, VmHWM) in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_rss() -> None:
    """Make VmHWM the current RSS (Linux 4.0+), so it tells the peak of what follows."""
    Path("/proc/self/clear_refs").write_text("5")


async def timed_purge(purge: Purge, traced: bool) -> tuple[PurgeFigures, float, Memory]:
    gc.collect()
    rss_before = proc_status("VmRSS")
    reset_peak_rss()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    figures = await purge.run(by="bench")
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if traced else None
    tracemalloc.stop()
    return figures, seconds, Memory(traced_peak, rss_before, proc_status("VmHWM"))


def check_room(scratch: Path, rows: int) -> None:
    """Refuse to start a run the scratch folder's disk cannot hold."""
    disk = os.statvfs(scratch)
    free_bytes = disk.f_bavail * disk.f_frsize
    needed_bytes = rows * (BYTES_A_FILE + BYTES_A_ROW)
    if disk.f_files and disk.f_favail < rows * 1.1:
        raise SystemExit(
            f"{scratch} has {disk.f_favail} free inodes, {rows} files need more: give --scratch"
        )
    if free_bytes < needed_bytes:
        raise SystemExit(
            f"{scratch} has {free_bytes // MB} MB free, {rows} rows and files need "
            f"{needed_bytes // MB} MB: give --scratch"
        )


async def postgres_statement(admin_url: str, statement: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def fresh_database(kind: str, scratch: Path, admin_url: str) -> Database:
    if kind == "sqlite":
        return Database(f"sqlite+aiosqlite:///{scratch / 'recordings.db'}")
    await postgres_statement(admin_url, f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
    await postgres_statement(admin_url, f'CREATE DATABASE "{BENCH_DATABASE}"')
    return Database(admin_url.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}")


async def one_run(
    kind: str, shape: IndexShape, batch: int, scratch: Path, admin_url: str, traced: bool
) -> Run:
    run_scratch = Path(tempfile.mkdtemp(prefix=f"{kind}-{shape.rows}-", dir=scratch))
    directory = run_scratch / "recordings"
    database = await fresh_database(kind, run_scratch, admin_url)
    try:
        await database.upgrade()
        expected = await fill(database, directory, shape)
        print(
            f"{kind} {shape.rows}: {expected.rows} rows inserted in "
            f"{expected.insert_seconds:.1f} s ({expected.rows / expected.insert_seconds:.0f} "
            f"rows/s), {expected.files} files in {len(expected.days)} day folders written in "
            f"{expected.file_seconds:.1f} s ({expected.files / expected.file_seconds:.0f} "
            "files/s)",
            flush=True,
        )
        clock = ManualClock(shape.now)
        purge = Purge(database, directory, clock, batch, AuditLog(database, clock))
        figures, seconds, memory = await timed_purge(purge, traced)
        problems = await mismatches(database, directory, shape, expected)
        if figures.deleted != expected.deleted:
            problems.append(f"purge says {figures.deleted} deleted, expected {expected.deleted}")
        if figures.held != expected.held_kept:
            problems.append(f"purge says {figures.held} held, expected {expected.held_kept}")
    finally:
        await database.close()
        if kind == "postgresql":
            await postgres_statement(admin_url, f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        shutil.rmtree(run_scratch)
    result = Run(kind, expected, figures, seconds, memory, problems)
    report(result)
    return result


def report(run: Run) -> None:
    expected, figures, memory = run.expected, run.figures, run.memory
    deleted_files = figures.deleted - figures.files_missing
    traced = "not traced" if memory.traced_peak is None else f"{memory.traced_peak / MB:.1f} MB"
    print(
        f"  purge: {expected.rows} rows, {expected.expired} expired, {figures.deleted} "
        f"deleted ({deleted_files} files, {figures.files_missing} rows had none), "
        f"{figures.held} held kept, {run.seconds:.1f} s, "
        f"{figures.deleted / run.seconds:.0f} rows/s, {deleted_files / run.seconds:.0f} files/s"
    )
    print(
        f"  memory: tracemalloc peak {traced}; RSS {memory.rss_before / MB:.0f} MB before, "
        f"peak {memory.rss_peak / MB:.0f} MB during "
        f"(+{(memory.rss_peak - memory.rss_before) / MB:.1f} MB)"
    )
    print(f"  check: {'; '.join(run.problems) or 'OK'}", flush=True)


def summary(runs: list[Run]) -> None:
    print(
        f"\n{'database':<11}{'rows':>9}{'expired':>9}{'deleted':>9}{'held':>6}{'seconds':>9}"
        f"{'rows/s':>8}{'files/s':>8}{'traced MB':>10}{'RSS +MB':>8}  check"
    )
    for run in runs:
        figures, memory = run.figures, run.memory
        traced = "-" if memory.traced_peak is None else f"{memory.traced_peak / MB:.1f}"
        files = figures.deleted - figures.files_missing
        print(
            f"{run.database:<11}{run.expected.rows:>9}{run.expected.expired:>9}"
            f"{figures.deleted:>9}{figures.held:>6}{run.seconds:>9.1f}"
            f"{figures.deleted / run.seconds:>8.0f}{files / run.seconds:>8.0f}{traced:>10}"
            f"{(memory.rss_peak - memory.rss_before) / MB:>8.1f}  "
            f"{'OK' if not run.problems else 'MISMATCH'}"
        )


async def postgres_version(admin_url: str) -> str:
    engine = create_async_engine(admin_url)
    try:
        async with engine.connect() as connection:
            return str((await connection.execute(text("SHOW server_version"))).scalar_one())
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> None:
    versions = f"SQLite {sqlite3.sqlite_version}"
    if "postgresql" in args.databases:
        versions += f", PostgreSQL {await postgres_version(args.postgres)}"
    print(
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {versions}; batch "
        f"{args.batch}; {args.expired_share:.0%} expired, {args.held_share:.0%} on hold; "
        f"files under {args.scratch}"
    )
    runs = []
    for rows in args.rows:
        check_room(args.scratch, rows)
        shape = IndexShape(
            rows=rows,
            expired_share=args.expired_share,
            held_share=args.held_share,
            retention_days=RecordingSettings().recording_retention_days,
            now=NOW,
            zone=ZoneInfo(args.zone),
        )
        for kind in args.databases:
            runs.append(
                await one_run(kind, shape, args.batch, args.scratch, args.postgres, args.traced)
            )
    summary(runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--expired-share", type=float, default=0.3)
    parser.add_argument("--held-share", type=float, default=0.01)
    parser.add_argument(
        "--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"]
    )
    parser.add_argument("--batch", type=int, default=RecordingSettings().recording_purge_batch)
    parser.add_argument(
        "--scratch",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where the index's files (one inode each) and the SQLite file go",
    )
    parser.add_argument(
        "--postgres",
        default=POSTGRES_ADMIN_URL,
        help=f"a PostgreSQL to create the {BENCH_DATABASE!r} database in (dropped after)",
    )
    parser.add_argument("--zone", default=str(DEFAULT_ZONE))
    parser.add_argument(
        "--no-tracemalloc",
        dest="traced",
        action="store_false",
        help="time the purge without tracing its allocations (RSS only)",
    )
    asyncio.run(main(parser.parse_args()))
