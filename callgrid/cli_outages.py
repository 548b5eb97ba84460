"""The ``callgrid outages import`` command: the dispatchers' list of outages."""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from pathlib import Path

from callcenter.outages import COLUMNS, Outage, outage_from_row
from callgrid.clock import system_clock
from callgrid.config import Settings
from callgrid.storage import Database
from callgrid.storage.work import SqlOutages


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outages = commands.add_parser("outages", help="planned and emergency outages (IVR-11)")
    outages_commands = outages.add_subparsers(dest="outages_command", required=True)
    load = outages_commands.add_parser(
        "import", help="replace the current outages with a CSV file, all or nothing"
    )
    load.add_argument(
        "file", type=Path, help=f"UTF-8 CSV with the columns {', '.join(COLUMNS)}; local times"
    )
    load.set_defaults(run=_import)


def read_outages(path: Path) -> tuple[list[Outage], list[str]]:
    """Every row checked; the outages, or the problems (row numbers as a spreadsheet shows)."""
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,") if text else csv.excel
    rows = list(csv.DictReader(text.splitlines(), dialect=dialect))
    outages, problems = [], []
    for number, row in enumerate(rows, start=2):
        try:
            outages.append(outage_from_row(row))
        except ValueError as error:
            problems.append(f"row {number}, {error}")
    if not rows:
        problems.append("the file has no outages (a header row and one row per outage)")
    return outages, problems


def _import(args: argparse.Namespace, settings: Settings) -> int:
    try:
        outages, problems = read_outages(args.file)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        print(f"callgrid: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"nothing imported: {len(problems)} bad row(s)", file=sys.stderr)
        return 1

    async def store() -> int:
        database = Database(settings.database_url)
        try:
            await database.upgrade()
            return await SqlOutages(database).replace_all(outages, system_clock())
        finally:
            await database.close()

    print(f"imported {asyncio.run(store())} outages")
    return 0
