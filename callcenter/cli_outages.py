"""The ``callgrid outages import`` command: the dispatchers' list of outages."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from callcenter.outages import ALIASES, Outage, column_names, outages_from_table
from callcenter.storage import SqlOutages
from callgrid.database import Database
from callgrid.settings import Settings
from customers.table_file import FileError, read_table
from worktime.clock import system_clock

MAX_FILE_BYTES = 16 * 2**20


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    load.set_defaults(run=_import)


def read_outages(path: Path) -> tuple[list[Outage], list[str], str]:
    """The file's outages, or its problems; and the encoding it was read in."""
    table = read_table(path, ALIASES, MAX_FILE_BYTES)
    outages, problems = outages_from_table(table.header, table.written, table.rows)
    return outages, problems, table.encoding


def _import(args: argparse.Namespace, settings: Settings) -> int:
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
            if args.replace:
                stored = await board.replace_all(outages, system_clock())
                return f"replaced the stored outages with {stored} outages"
            added, updated = await board.merge(outages, system_clock())
            return f"added {added}, updated {updated} outages"
        finally:
            await database.close()

    print(asyncio.run(store()))
    return 0
