"""``callgrid accounts import`` and ``callgrid demo-data``, run as a user runs them."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.command import run_callgrid

HEADER = (
    "number;kind;name;area;address;phone;inn;ogrn;debt;due_date;vip;consent_sms;"
    "meter_serial;meter_zones;meter_digits;meter_verification_due;meter_installed_on;"
    "last_reading_day;last_reading_night"
)
GOOD = [
    "7010000001;household;Иванова Мария Петровна;Кировский район;г. Томск, ул. Учебная, д. 5;"
    "89138123456;;;1234,50;10.12.2026;0;1;01234567;2;6;2030-05-01;2014-05-01;12345;4321",
    "7010000002;household;Петров Иван Сергеевич;Томский район;с. Богашёво, ул. Новая, д. 3;"
    "52-13-04;;;0;;нет;0;A-77;1;5;2031-01-01;2016-03-01;54321;",
    "Д-2024/17;business;ООО «Сибстрой»;Советский район;г. Томск, пр. Фрунзе, д. 20;"
    "+7 3822 52-13-05;7707083893;1027700132195;15000;2026-12-10;да;0;99887766;1;6;"
    "2031-01-01;2015-01-01;;",
]
BAD = [
    "Д-2024/18;business;ООО «Обьторг»;Ленинский район;г. Томск, ул. Лебедева, д. 1;"
    ";7707083894;;0;;0;0;;;;;;;",
    "701000000;household;Сидоров Пётр Ильич;Октябрьский район;г. Томск, пр. Мира, д. 9;"
    ";;;-5;;0;0;;;;;;;",
]


def _count(tmp_path: Path, table: str) -> int:
    with sqlite3.connect(tmp_path / "var" / "callgrid.db") as connection:
        (count,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(count)


def _file(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return str(path)


def test_a_file_with_bad_rows_imports_nothing_and_names_each_bad_row(tmp_path: Path) -> None:
    result = run_callgrid(
        tmp_path, "accounts", "import", _file(tmp_path, GOOD[0], BAD[0], *GOOD[1:], BAD[1])
    )
    assert result.returncode == 1
    assert "row 3, inn: checksum does not match" in result.stderr
    assert "row 6, number: a household account number has 10 digits" in result.stderr
    assert "row 6, debt: -5 is negative" in result.stderr
    assert "nothing imported: 2 of 5 rows have problems" in result.stderr
    assert "row 2" not in result.stderr and "row 4" not in result.stderr
    assert _count(tmp_path, "accounts") == 0


def test_a_good_file_is_imported_once(tmp_path: Path) -> None:
    result = run_callgrid(tmp_path, "accounts", "import", _file(tmp_path, *GOOD))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 3 accounts"
    assert (_count(tmp_path, "accounts"), _count(tmp_path, "meters")) == (3, 3)
    assert _count(tmp_path, "readings") == 3  # day and night, one total; none for the business
    again = run_callgrid(tmp_path, "accounts", "import", _file(tmp_path, *GOOD))
    assert again.returncode == 1
    assert "row 2, number: 7010000001 is already in the database" in again.stderr
    assert _count(tmp_path, "accounts") == 3


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    result = run_callgrid(tmp_path, "accounts", "import", str(tmp_path / "nowhere.csv"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_demo_data_is_stored_and_a_second_run_of_the_seed_is_refused(tmp_path: Path) -> None:
    result = run_callgrid(tmp_path, "demo-data", "--accounts", "300", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("stored 300 demo accounts with meters and last readings")
    assert (_count(tmp_path, "accounts"), _count(tmp_path, "meters")) == (300, 300)
    assert _count(tmp_path, "readings") >= 300
    again = run_callgrid(tmp_path, "demo-data", "--accounts", "300", "--seed", "5")
    assert again.returncode == 1 and "use another --seed" in again.stderr
    other = run_callgrid(tmp_path, "demo-data", "--accounts", "10", "--seed", "6")
    assert other.returncode == 0, other.stderr
    assert _count(tmp_path, "accounts") == 310


def test_demo_data_written_as_csv_imports(tmp_path: Path) -> None:
    path = tmp_path / "demo.csv"
    written = run_callgrid(tmp_path, "demo-data", "--accounts", "500", "--csv", str(path))
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip() == f"wrote 500 demo accounts to {path}"
    result = run_callgrid(tmp_path, "accounts", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 500 accounts"
    assert _count(tmp_path, "accounts") == 500


def test_a_huge_field_is_named_by_row_and_column_without_a_traceback(tmp_path: Path) -> None:
    huge = GOOD[1].replace("Петров Иван Сергеевич", "Я" * 10_000_000)
    result = run_callgrid(tmp_path, "accounts", "import", _file(tmp_path, GOOD[0], huge))
    assert result.returncode == 1
    assert "row 3, name: 10,000,000 characters, at most 256" in result.stderr
    assert "Traceback" not in result.stderr
    assert _count(tmp_path, "accounts") == 0


def test_a_name_longer_than_its_column_is_refused_before_storing(tmp_path: Path) -> None:
    long_name = GOOD[0].replace("Иванова Мария Петровна", "Иванова " * 40)
    result = run_callgrid(tmp_path, "accounts", "import", _file(tmp_path, long_name, GOOD[1]))
    assert result.returncode == 1
    assert "row 2, name: 319 characters, at most 256" in result.stderr
    assert _count(tmp_path, "accounts") == 0


def test_a_file_with_only_a_header_has_no_accounts(tmp_path: Path) -> None:
    result = run_callgrid(tmp_path, "accounts", "import", _file(tmp_path, ";;;"))
    assert result.returncode == 1
    assert "has no accounts" in result.stderr
    assert "imported" not in result.stdout


def test_a_windows_1251_file_is_imported_and_its_encoding_named(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes("\r\n".join((HEADER, *GOOD)).encode("cp1251"))
    result = run_callgrid(tmp_path, "accounts", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "Windows-1251" in result.stderr
    assert result.stdout.strip() == "imported 3 accounts"


def test_a_formula_in_a_cell_is_refused(tmp_path: Path) -> None:
    formula = GOOD[0].replace("Кировский район", '=HYPERLINK("http://x.example","район")')
    result = run_callgrid(tmp_path, "accounts", "import", _file(tmp_path, formula))
    assert result.returncode == 1
    assert "row 2, area: looks like a spreadsheet formula" in result.stderr


async def test_a_database_refusal_shows_no_personal_data(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the database refuses, its error (which holds every row's values) is not shown."""
    monkeypatch.setenv("CALLGRID_DATABASE_URL", postgres_url)
    engine = create_async_engine(postgres_url)
    prepared = await asyncio.to_thread(
        run_callgrid, tmp_path, "accounts", "import", _file(tmp_path)
    )
    assert prepared.returncode == 1  # the schema is made; the file has no accounts
    try:
        async with engine.begin() as connection:
            await connection.execute(text("ALTER TABLE accounts ALTER COLUMN name TYPE varchar(8)"))
        result = await asyncio.to_thread(
            run_callgrid, tmp_path, "accounts", "import", _file(tmp_path, *GOOD)
        )
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM readings"))
            await connection.execute(text("DELETE FROM consent_changes"))
            await connection.execute(text("DELETE FROM meters"))
            await connection.execute(text("DELETE FROM accounts"))
            await connection.execute(
                text("ALTER TABLE accounts ALTER COLUMN name TYPE varchar(256)")
            )
        await engine.dispose()
    assert result.returncode == 1
    assert "the database refused the accounts" in result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert not any(secret in output for secret in ("Иванова", "89138123456", "Учебная"))
