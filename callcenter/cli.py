"""The contact center's commands: ``callgrid tasks`` (the work left for people, with
deadlines, and how much is late) and ``callgrid outages import`` (the dispatchers' list)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from callcenter.outages import ALIASES, Outage, column_names, outages_from_table
from callcenter.storage import SqlOutages, SqlTasks
from callcenter.tasks import Task, TaskKind
from callgrid.database import Database
from callgrid.plugins import Commands
from callgrid.settings import Settings
from customers.table_file import FileError, read_table
from worktime.calendar import default_calendar
from worktime.clock import local_zone, system_clock

MAX_FILE_BYTES = 16 * 2**20


def add_commands(commands: Commands) -> None:
    tasks = commands.add_parser(
        "tasks",
        help="open tasks: answering-machine messages, paid-service orders, callbacks",
    )
    tasks.add_argument("--kind", choices=[kind.value for kind in TaskKind])
    tasks.set_defaults(run=_list_tasks)

    outages = commands.add_parser("outages", help="planned and emergency outages (IVR-11)")
    outages_commands = outages.add_subparsers(dest="outages_command", required=True)
    load = outages_commands.add_parser(
        "import",
        help="add the outages of a CSV or XLSX file to the stored ones, all or nothing; "
        "one with the area, kind and start of a stored outage updates it",
        description="Adds the file's outages to the stored ones (those added over HTTP "
        "stay); an outage with the same area, kind and starts_at as a stored one has its "
        "cause and restore_at updated. With --replace every stored outage is deleted first.",
    )
    load.add_argument(
        "file",
        type=Path,
        help=f"CSV (UTF-8, or Windows-1251 as Excel saves it) or XLSX with the columns "
        f"{column_names()}; kind: planned (плановое) or emergency (аварийное); local times",
    )
    load.add_argument(
        "--replace",
        action="store_true",
        help="delete every stored outage, those added over HTTP too, and keep only the file's",
    )
    load.set_defaults(run=_import_outages)


def describe(task: Task, late: bool) -> str:
    due = task.due_at.astimezone(local_zone()).strftime("%d.%m.%Y %H:%M")
    who = task.account_number or task.phone or "—"
    late_mark = "  LATE" if late else ""
    recording = f"  {task.recording}" if task.recording else ""
    transcript = f"  «{task.transcript}»" if task.transcript else ""
    return (
        f"#{task.id:<5} {task.kind:<18} due {due}{late_mark}  "
        f"{task.subject}, {who}{recording}{transcript}"
    )


def task_report(tasks: Sequence[Task], now: datetime) -> list[str]:
    """One line per task, then how many there are of each kind and how many are late."""
    counts = Counter(task.kind.value for task in tasks)
    late = Counter(task.kind.value for task in tasks if task.due_at < now)
    summary = ", ".join(f"{kind} {counts[kind]} ({late[kind]} late)" for kind in sorted(counts))
    return [describe(task, task.due_at < now) for task in tasks] + [
        f"{len(tasks)} open task(s){': ' + summary if summary else ''}"
    ]


def _list_tasks(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> list[Task]:
        database = Database(settings.database_url)
        try:
            await database.upgrade()
            return await SqlTasks(database, default_calendar()).open_tasks(args.kind)
        finally:
            await database.close()

    for line in task_report(asyncio.run(run()), system_clock()):
        print(line)
    return 0


def read_outages(path: Path) -> tuple[list[Outage], list[str], str]:
    """The file's outages, or its problems; and the encoding it was read in."""
    table = read_table(path, ALIASES, MAX_FILE_BYTES)
    outages, problems = outages_from_table(table.header, table.written, table.rows)
    return outages, problems, table.encoding


def _import_outages(args: argparse.Namespace, settings: Settings) -> int:
    try:
        outages, problems, encoding = read_outages(args.file)
    except FileError as error:
        print(f"callgrid: {error}", file=sys.stderr)
        return 2
    print(f"reading {args.file} ({encoding})", file=sys.stderr)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"nothing imported: {len(problems)} problem(s)", file=sys.stderr)
        return 1

    async def store() -> str:
        database = Database(settings.database_url)
        try:
            await database.upgrade()
            board = SqlOutages(database)
            now = system_clock()
            if args.replace:
                stored = await board.replace_all(outages, now)
                return f"replaced the stored outages with {stored} outages"
            added, updated = await board.merge(outages, now)
            return f"added {added}, updated {updated} outages"
        finally:
            await database.close()

    print(asyncio.run(store()))
    return 0
