"""Account and outage files mutated from good ones: every row is taken, or the file is
refused with each bad row and column named; a refused file leaves nothing stored.

The store-level tests run the ``callgrid accounts import`` and ``callgrid outages import``
commands' own functions in this process (the command line only adds logging set-up),
against an embedded database whose rows are counted after each file.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from callcenter.cli import MAX_FILE_BYTES, _import_outages
from callcenter.outages import ALIASES, outages_from_table
from callcenter.outages import COLUMNS as OUTAGE_COLUMNS
from callgrid.settings import Settings
from customers.account_import import COLUMNS, validate
from customers.cli import _accounts_import
from customers.demo_data import as_row, generate
from customers.table_file import FileError, read_table
from tests.fuzz import tally
from tests.fuzz.table_mutations import (
    ACCOUNT_POOLS,
    OUTAGE_POOLS,
    Table,
    mutate_table,
    write_table,
)
from tests.table_doors import assert_readable
from worktime.clock import local_zone, system_clock

TODAY = date(2026, 11, 27)
ACCOUNT_FILES = 300
STORED_ACCOUNT_FILES = 40
OUTAGE_FILES = 300
STORED_OUTAGE_FILES = 40
OUTAGE_ROWS = [
    [
        "Кировский район",
        "плановое",
        "Замена трансформатора",
        "2026-11-28 09:00",
        "2026-11-28 17:00",
    ],
    ["Томский район", "emergency", "Повреждение линии", "27.11.2026 08:30", "27.11.2026 20:00"],
    ["Советский район", "аварийная", "Ремонт подстанции", "2026-11-29T10:00", "2026-11-29T12:00"],
]
RUSSIAN_HEADER = ["Район", "Вид отключения", "Причина", "Начало", "Восстановление"]


def account_table(seed: int, today: date, accounts: int = 6) -> Table:
    rows = [list(as_row(record).values()) for record in generate(accounts, seed, today)]
    return [list(COLUMNS), *rows]


def outage_table(rng_choice: Callable[[list[list[str]]], list[str]]) -> Table:
    header = rng_choice([list(OUTAGE_COLUMNS), RUSSIAN_HEADER])
    return [header, *OUTAGE_ROWS]


def assert_row_problems(problems: list[str], rows: int) -> None:
    """Each problem names its row (the header is row 1) and is one readable line; a file
    of no rows at all says so."""
    for problem in problems:
        if problem.startswith("the file has no"):
            continue
        assert problem.startswith("row "), f"{problem!r} names no row"
        number = int(problem[4:].split(",")[0].split(":")[0])
        assert 1 <= number <= rows + 1, problem
        assert_readable(problem)


def test_mutated_account_files_give_accounts_or_row_problems(tmp_path: Path) -> None:
    rng = tally.rng("accounts-import")
    accepted = refused = 0
    for number in range(ACCOUNT_FILES):
        table = mutate_table(rng, account_table(number % 100, TODAY), ACCOUNT_POOLS)
        path = write_table(rng, table, tmp_path / f"accounts-{number}")
        try:
            read = read_table(path)
        except FileError as error:
            assert_readable(str(error).replace(str(path), "accounts"))
            refused += 1
            continue
        checked = validate(read.header, read.rows, set(), TODAY)
        problems = [str(problem) for problem in checked.problems]
        assert_row_problems(problems, len(read.rows))
        if problems:
            refused += 1
            continue
        accepted += 1
        filled = [row for row in read.rows if any(cell.strip() for cell in row)]
        assert len(checked.records) == len(filled), "a row without a problem was left out"
    count = tally.tried("accounts-import", ACCOUNT_FILES)
    assert accepted and refused, f"{count}: {accepted} accepted, {refused} refused"


def counts(database: Path, *tables: str) -> tuple[int, ...]:
    with sqlite3.connect(database) as connection:
        return tuple(
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables
        )


def rows_of(database: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return sorted(connection.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        var_dir=tmp_path / "var", database_url=f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    )


def test_a_refused_account_file_stores_nothing_of_it(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = tally.rng("accounts-store")
    today = system_clock().astimezone(local_zone()).date()  # what the command checks against
    database = tmp_path / "store.db"
    stored = 0
    for number in range(STORED_ACCOUNT_FILES):
        table = account_table(number + 1, today, accounts=3)
        good = number % 5 == 0  # every fifth file is left good: it must be stored
        if not good:
            table = mutate_table(rng, table, ACCOUNT_POOLS)
        path = write_table(rng, table, tmp_path / f"accounts-{number}", damaged=not good)
        before = counts(database, "accounts", "meters", "readings") if number else (0, 0, 0)
        code = _accounts_import(argparse.Namespace(file=path), settings)
        out = capsys.readouterr()
        after = counts(database, "accounts", "meters", "readings")
        assert code == 0 or not good, f"a good file was refused: {out.err}"
        if code == 0:
            imported = int(out.out.split()[1])
            assert after[0] == before[0] + imported and imported > 0, out.out
            stored += 1
        else:
            assert code in (1, 2), out.err
            assert "nothing imported" in out.err or out.err.startswith("callgrid:"), out.err
            assert after == before, f"a refused file left rows: {out.err}"
    count = tally.tried("accounts-store", STORED_ACCOUNT_FILES)
    assert stored >= STORED_ACCOUNT_FILES // 5, count


def test_mutated_outage_files_give_outages_or_row_problems(tmp_path: Path) -> None:
    rng = tally.rng("outages-import")
    accepted = refused = 0
    for number in range(OUTAGE_FILES):
        table = mutate_table(rng, outage_table(rng.choice), OUTAGE_POOLS)
        path = write_table(rng, table, tmp_path / f"outages-{number}")
        try:
            read = read_table(path, ALIASES, MAX_FILE_BYTES)
        except FileError as error:
            assert_readable(str(error).replace(str(path), "outages"))
            refused += 1
            continue
        outages, problems = outages_from_table(read.header, read.written, read.rows)
        assert_row_problems(problems, len(read.rows))
        if problems:
            assert outages == [] or problems, "outages and problems together"
            refused += 1
        else:
            accepted += 1
            assert outages
    count = tally.tried("outages-import", OUTAGE_FILES)
    assert accepted and refused, f"{count}: {accepted} accepted, {refused} refused"


def test_a_refused_outage_file_stores_nothing_of_it(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = tally.rng("outages-store")
    database = tmp_path / "store.db"
    stored = 0
    for number in range(STORED_OUTAGE_FILES):
        table = outage_table(rng.choice)
        good = number % 5 == 0
        if not good:
            table = mutate_table(rng, table, OUTAGE_POOLS)
        path = write_table(rng, table, tmp_path / f"outages-{number}", damaged=not good)
        before = rows_of(database, "outages") if number else []
        replace = rng.random() < 0.2
        code = _import_outages(argparse.Namespace(file=path, replace=replace), settings)
        out = capsys.readouterr()
        assert code == 0 or not good, f"a good file was refused: {out.err}"
        if code == 0:
            stored += 1
            assert rows_of(database, "outages"), out.out
        else:
            assert code in (1, 2)
            if number:
                assert rows_of(database, "outages") == before, (
                    f"a refused file left rows: {out.err}"
                )
    count = tally.tried("outages-store", STORED_OUTAGE_FILES)
    assert stored >= STORED_OUTAGE_FILES // 5, count
