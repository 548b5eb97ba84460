"""The ``callgrid accounts import`` and ``callgrid demo-data`` commands."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import IntegrityError, StatementError

from callgrid.database import Database
from callgrid.settings import Settings
from customers.account_import import NewAccount, cell_problem, validate
from customers.demo_data import MAX_ACCOUNTS, generate, write_csv
from customers.storage import SqlCustomers
from customers.table_file import FileError, read_table
from worktime.clock import local_zone, system_clock


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    accounts = commands.add_parser("accounts", help="customer accounts")
    accounts_commands = accounts.add_subparsers(dest="accounts_command", required=True)
    load = accounts_commands.add_parser(
        "import",
        help="import accounts with their meters from a CSV or XLSX file, all or nothing",
    )
    load.add_argument(
        "file",
        type=Path,
        help="CSV (';', ',' or tab; UTF-8, or Windows-1251 as Excel saves it) or XLSX, "
        "header row first",
    )
    load.set_defaults(run=_accounts_import)

    demo = commands.add_parser("demo-data", help="store synthetic customers for demos and tests")
    demo.add_argument("--accounts", type=int, default=1000, help="how many (default 1000)")
    demo.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
    demo.add_argument("--csv", type=Path, help="write them to this import file instead of storing")
    demo.set_defaults(run=_demo_data)


class _ProgressBar:
    """Rows done out of all, redrawn on one line of a terminal."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        bar = "#" * (percent // 4)
        self.stream.write(f"\r{self.label:<9} [{bar:<25}] {done}/{total} {percent}%")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _progress(label: str) -> _ProgressBar | None:
    return _ProgressBar(label, sys.stderr) if sys.stderr.isatty() else None


def _counter(label: str, total: int) -> Callable[[int], None] | None:
    bar = _progress(label)
    return None if bar is None else lambda done: bar(done, total)


def _accounts_import(args: argparse.Namespace, settings: Settings) -> int:
    try:
        table = read_table(args.file)
    except FileError as error:
        print(f"callgrid: {error}", file=sys.stderr)
        return 2
    print(f"reading {args.file} ({table.encoding})", file=sys.stderr)
    return asyncio.run(_import(args.file, table.header, table.rows, settings))


async def _import(path: Path, header: list[str], rows: list[list[str]], settings: Settings) -> int:
    at = header.index("number") if "number" in header else None
    numbers = {row[at].strip() for row in rows if at is not None and len(row) > at}
    today = system_clock().astimezone(local_zone()).date()
    database = Database(settings.database_url)
    try:
        await database.upgrade()
        customers = SqlCustomers(database)
        existing = await customers.existing_numbers(n for n in numbers if _can_look_up(n))
        checked = validate(header, rows, existing, today, _progress("checking"))
        if checked.problems:
            for problem in checked.problems:
                print(problem, file=sys.stderr)
            bad = len({problem.row for problem in checked.problems})
            print(f"nothing imported: {bad} of {len(rows)} rows have problems", file=sys.stderr)
            return 1
        if not checked.records:
            print(
                f"nothing imported: {path} has no accounts "
                "(a header row, then one row per account)",
                file=sys.stderr,
            )
            return 1
        stored = await customers.add_accounts(
            checked.records, _counter("storing", len(checked.records))
        )
    except IntegrityError:
        print("nothing imported: some of these accounts were stored meanwhile", file=sys.stderr)
        return 1
    except StatementError as error:
        # The error's text holds the rows' values (personal data): only its kind is shown.
        print(
            f"nothing imported: the database refused the accounts ({_kind(error)})",
            file=sys.stderr,
        )
        return 1
    finally:
        await database.close()
    print(f"imported {stored} accounts")
    return 0


def _can_look_up(number: str) -> bool:
    """A number the database can be asked about; the others are refused by the checks."""
    return bool(number) and cell_problem("number", number) is None


def _kind(error: StatementError) -> str:
    return type(error.orig).__name__ if error.orig is not None else type(error).__name__


def _demo_data(args: argparse.Namespace, settings: Settings) -> int:
    if not 0 < args.accounts <= MAX_ACCOUNTS:
        print(f"callgrid: --accounts takes 1 to {MAX_ACCOUNTS}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    today = system_clock().astimezone(local_zone()).date()
    records = generate(args.accounts, args.seed, today)
    if args.csv:
        written = write_csv(records, args.csv)
        print(f"wrote {written} demo accounts to {args.csv}")
        return 0
    if asyncio.run(_store(records, args.accounts, settings)):
        seconds = time.perf_counter() - started
        print(
            f"stored {args.accounts} demo accounts with meters and last readings in {seconds:.1f} s"
        )
        return 0
    print(
        f"callgrid: demo accounts of seed {args.seed} are already stored; use another --seed",
        file=sys.stderr,
    )
    return 1


async def _store(records: Iterable[NewAccount], total: int, settings: Settings) -> bool:
    """False when some of the accounts are stored already (then none of these is)."""
    database = Database(settings.database_url)
    try:
        await database.upgrade()
        await SqlCustomers(database).add_accounts(records, _counter("storing", total))
    except IntegrityError:
        return False
    finally:
        await database.close()
    return True
