"""``callgrid accounts import`` and ``callgrid demo-data``, run as a user runs them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
