"""Checking an accounts file the way a billing clerk exports it, and the demo data."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import String

from customers.account_import import COLUMNS, STORED_TEXT_LENGTHS, Checked, NewAccount, validate
from customers.cell_text import shortened, text_problem
from customers.demo_data import as_row, generate, write_csv
from customers.identifiers import inn_is_valid, ogrn_is_valid
from customers.model import Channel, CustomerKind, Zone
from customers.table_file import FileError, read_table
from customers.tables import AccountRow, MeterRow
from worktime.clock import DEFAULT_ZONE

TODAY = date(2026, 11, 27)
HEADER = (
    "number;kind;name;area;address;phone;email;inn;ogrn;contract_number;debt;due_date;"
    "last_payment_amount;last_payment_date;vip;consent_phone_info;consent_sms;consent_email;"
    "meter_serial;meter_zones;meter_digits;meter_verification_due;meter_installed_on;"
    "last_reading_day;last_reading_night;last_reading_peak;last_reading_semipeak"
)
HOUSEHOLD = (
    "7010000001;household;Иванова Мария Петровна;Кировский район;г. Томск, ул. Учебная, д. 5;"
    "8 (913) 812-34-56;ivanova@mail.ru;;;;1 234,50;10.12.2026;800;2026-11-02;да;1;0;1;"
    "01234567;2;6;2030-05-01;01.05.2014;012345;4321;;"
)
BUSINESS = (
    "Д-2024/17;business;ООО «Сибстрой»;Советский район;г. Томск, пр. Фрунзе, д. 20;"
    "52-13-04;;7707083893;1027700132195;;0;;;;0;0;0;0;"
    "99887766;1;5;2031-01-01;2015-01-01;54321;;;"
)


def _check(*rows: str, header: str = HEADER, existing: frozenset[str] = frozenset()) -> Checked:
    table = list(csv.reader(io.StringIO("\n".join((header, *rows))), delimiter=";"))
    return validate(table[0], table[1:], existing, TODAY)


def _with(row: str, column: str, value: str) -> str:
    """The row with one column's value changed."""
    names = HEADER.split(";")
    values = row.split(";")
    values[names.index(column)] = value
    return ";".join(values)


def _readings(record: NewAccount) -> list[tuple[Zone, int, date]]:
    """The readings as the file keeps them: by date, not time."""
    return [
        (r.zone, r.value, r.taken_at.astimezone(DEFAULT_ZONE).date()) for r in record.last_readings
    ]


def _problems(checked: Checked) -> list[str]:
    return [str(problem) for problem in checked.problems]


def test_good_rows_become_accounts_meters_and_last_readings() -> None:
    checked = _check(HOUSEHOLD, BUSINESS)
    assert checked.problems == []
    household, business = checked.records
    account = household.account
    assert (account.number, account.kind, account.phone) == (
        "7010000001",
        CustomerKind.HOUSEHOLD,
        "79138123456",
    )
    assert account.debt == Decimal("1234.50") and account.due_date == date(2026, 12, 10)
    assert account.last_payment_amount == Decimal("800")
    assert account.vip and account.consent.phone_info and account.consent.email
    assert not account.consent.sms and account.consent.cabinet  # cabinet: yes unless refused
    meter = household.meter
    assert meter is not None and meter.zones == (Zone.DAY, Zone.NIGHT) and meter.digits == 6
    assert meter.installed_on == date(2014, 5, 1)
    assert [(r.zone, r.value, r.channel) for r in household.last_readings] == [
        (Zone.DAY, 12345, Channel.IMPORT),
        (Zone.NIGHT, 4321, Channel.IMPORT),
    ]
    assert household.last_readings[0].taken_at == datetime(2026, 11, 27, tzinfo=DEFAULT_ZONE)
    assert business.account.contract_number == "Д-2024/17"  # a business's number is its contract
    assert business.account.phone == "73822521304"
    assert business.meter is not None and business.meter.zones == (Zone.TOTAL,)
    assert [r.value for r in business.last_readings] == [54321]  # "day" of a one-zone meter


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        (HOUSEHOLD, "number", "", "number: missing"),
        (HOUSEHOLD, "number", "70100001", "household account number has 10 digits"),
        (HOUSEHOLD, "kind", "person", "neither household nor business"),
        (HOUSEHOLD, "name", " ", "name: missing"),
        (HOUSEHOLD, "phone", "12345", "not a Russian phone number"),
        (HOUSEHOLD, "email", "ivanova.mail.ru", "not an e-mail address"),
        (HOUSEHOLD, "debt", "-15,00", "debt: -15,00 is negative"),
        (HOUSEHOLD, "debt", "сто", "not an amount"),
        (HOUSEHOLD, "debt", "10.555", "not an amount"),
        (HOUSEHOLD, "due_date", "31.02.2026", "not a date"),
        (HOUSEHOLD, "due_date", "12/10/2026", "not a date"),
        (HOUSEHOLD, "last_payment_date", "2027-01-01", "in the future"),
        (HOUSEHOLD, "vip", "maybe", "not a yes or no"),
        (HOUSEHOLD, "meter_zones", "4", "1, 2 or 3 tariff zones"),
        (HOUSEHOLD, "meter_digits", "12", "4 to 9 digits"),
        (HOUSEHOLD, "meter_serial", "", "meter_serial: missing"),
        (HOUSEHOLD, "meter_verification_due", "2010-01-01", "before the meter was installed"),
        (HOUSEHOLD, "last_reading_day", "1234567", "more digits than the meter's 6"),
        (HOUSEHOLD, "last_reading_day", "12345,6", "not a whole number"),
        (HOUSEHOLD, "last_reading_night", "", "missing: a 2-zone meter has day and night"),
        (HOUSEHOLD, "last_reading_peak", "100", "2-zone meter has no peak register"),
        (BUSINESS, "inn", "7707083894", "inn: checksum does not match"),
        (BUSINESS, "inn", "", "inn: missing"),
        (BUSINESS, "inn", "77070838", "10 or 12 digits"),
        (BUSINESS, "ogrn", "1027700132196", "ogrn: checksum does not match"),
        (BUSINESS, "ogrn", "304500116000157", "goes with a 12-digit INN"),
        (BUSINESS, "last_reading_night", "5", "1-zone meter has no night register"),
    ],
)
def test_each_problem_names_the_row_column_and_reason(
    row: str, column: str, value: str, reason: str
) -> None:
    other = _with(row, "number", "7010000099") if column != "number" else row
    checked = _check(HOUSEHOLD, BUSINESS, _with(other, column, value))
    problems = _problems(checked)
    assert len(problems) == 1, problems
    assert problems[0].startswith("row 4, ")
    assert reason in problems[0]
    assert len(checked.records) == 2


def test_every_problem_of_every_row_is_reported() -> None:
    bad = _with(_with(BUSINESS, "inn", "7707083894"), "debt", "-1")
    checked = _check(bad, HOUSEHOLD, _with(HOUSEHOLD, "number", "7010000002"), bad)
    assert _problems(checked) == [
        "row 2, inn: checksum does not match",
        "row 2, debt: -1 is negative",
        "row 5, inn: checksum does not match",
        "row 5, debt: -1 is negative",
        "row 5, number: duplicate: Д-2024/17 is also on row 2",
    ]


def test_numbers_already_in_the_database_are_refused() -> None:
    checked = _check(HOUSEHOLD, BUSINESS, existing=frozenset({"7010000001"}))
    assert _problems(checked) == ["row 2, number: 7010000001 is already in the database"]


def test_a_meter_needs_its_details_and_readings_need_a_meter() -> None:
    names = HEADER.split(";")
    no_meter = ";".join(
        "" if name.startswith("meter_") else value
        for name, value in zip(names, HOUSEHOLD.split(";"), strict=True)
    )
    problems = _problems(_check(no_meter))
    assert "row 2, meter_serial: missing" in problems
    assert "row 2, meter_zones: missing" in problems
    assert "row 2, meter_installed_on: missing" in problems


def test_an_account_without_a_meter_is_fine() -> None:
    names = HEADER.split(";")
    bare = ";".join(
        "" if name.startswith(("meter_", "last_reading")) else value
        for name, value in zip(names, HOUSEHOLD.split(";"), strict=True)
    )
    (record,) = _check(bare).records
    assert record.meter is None and record.last_readings == ()


def test_a_bad_header_is_reported_before_any_row() -> None:
    header = HEADER.replace("inn;", "innn;").replace("name;", "")
    problems = _problems(_check(HOUSEHOLD, header=header))
    assert problems == ["row 1, innn: unknown column", "row 1, name: column missing"]


def test_a_row_with_the_wrong_number_of_fields() -> None:
    assert _problems(_check(HOUSEHOLD + ";extra")) == ["row 2, fields: has 28, the header has 27"]


def test_blank_rows_are_skipped_but_counted() -> None:
    checked = _check("", HOUSEHOLD, ";;;", _with(BUSINESS, "inn", ""))
    assert _problems(checked) == ["row 5, inn: missing (a business is found by its INN)"]


def test_progress_is_reported_up_to_the_last_row() -> None:
    seen: list[tuple[int, int]] = []
    rows = [_with(HOUSEHOLD, "number", f"70100{i:05d}").split(";") for i in range(2500)]
    checked = validate(HEADER.split(";"), rows, set(), TODAY, lambda d, t: seen.append((d, t)))
    assert len(checked.records) == 2500
    assert seen == [(0, 2500), (1000, 2500), (2000, 2500), (2500, 2500)]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_the_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "accounts.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as file:  # with Excel's BOM
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(HEADER.split(";"))
        writer.writerow(HOUSEHOLD.split(";"))
    table = read_table(path)
    assert table.header == HEADER.split(";") and table.rows == [HOUSEHOLD.split(";")]
    assert table.encoding == "UTF-8 with BOM"


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="cannot read"):
        read_table(tmp_path / "missing.csv")


def test_an_xlsx_file_reads_like_the_csv(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    values: list[object] = list(HOUSEHOLD.split(";"))
    values[HEADER.split(";").index("meter_verification_due")] = datetime(2030, 5, 1)
    values[HEADER.split(";").index("meter_digits")] = 6
    values[HEADER.split(";").index("last_reading_night")] = 4321.0
    sheet.append(values)
    book.save(tmp_path / "accounts.xlsx")
    table = read_table(tmp_path / "accounts.xlsx")
    checked = validate(table.header, table.rows, set(), TODAY)
    assert checked.problems == []
    assert checked.records == _check(HOUSEHOLD).records


def test_demo_data_is_deterministic_and_realistic() -> None:
    records = list(generate(4000, seed=7, today=TODAY))
    assert records == list(generate(4000, seed=7, today=TODAY))
    assert records != list(generate(4000, seed=8, today=TODAY))
    businesses = [r.account for r in records if r.account.kind is CustomerKind.BUSINESS]
    assert 0.12 < len(businesses) / len(records) < 0.18
    assert all(a.inn and inn_is_valid(a.inn) for a in businesses)
    assert all(a.ogrn and ogrn_is_valid(a.ogrn) for a in businesses)
    zones = [len(r.meter.zones) for r in records if r.meter]
    assert [round(zones.count(n) / len(zones), 1) for n in (1, 2, 3)] == [0.6, 0.3, 0.1]
    assert 0.22 < sum(1 for r in records if r.account.debt > 0) / len(records) < 0.28
    expired = sum(1 for r in records if r.meter and r.meter.verification_due < TODAY)
    assert 0 < expired < len(records) * 0.06
    assert 0 < sum(1 for r in records if r.account.vip) < len(records) * 0.02
    assert {r.account.area for r in records} >= {
        "Кировский район",
        "Ленинский район",
        "Октябрьский район",
        "Советский район",
        "Томский район",
    }
    assert len({r.account.number for r in records}) == len(records)


def test_demo_data_passes_the_import_checks(tmp_path: Path) -> None:
    records = list(generate(3000, seed=3, today=TODAY))
    path = tmp_path / "demo.csv"
    assert write_csv(records, path) == 3000
    table = read_table(path)
    assert table.header == list(COLUMNS)
    checked = validate(table.header, table.rows, set(), TODAY)
    assert checked.problems == []
    assert [r.account for r in checked.records] == [r.account for r in records]
    assert [r.meter for r in checked.records] == [r.meter for r in records]
    assert [_readings(r) for r in checked.records] == [_readings(r) for r in records]
    assert as_row(records[0])["number"] == records[0].account.number


def test_quoted_values_may_hold_the_delimiter_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    address = "г. Томск; ул. Учебная,\nд. 5"
    path.write_text(f"{HEADER}\n{_with(HOUSEHOLD, 'address', chr(34) + address + chr(34))}\n")
    table = read_table(path)
    (record,) = validate(table.header, table.rows, set(), TODAY).records
    assert record.account.address == address


def test_a_file_in_windows_1251_is_read_and_said_so(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes(f"{HEADER}\r\n{HOUSEHOLD}\r\n".encode("cp1251"))
    table = read_table(path)
    assert table.encoding == "Windows-1251"
    (record,) = validate(table.header, table.rows, set(), TODAY).records
    assert record.account.name == "Иванова Мария Петровна"


def test_utf8_without_bom_is_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(f"{HEADER}\n{HOUSEHOLD}\n", encoding="utf-8")
    assert read_table(path).encoding == "UTF-8"


def test_a_binary_file_is_refused_as_not_text(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes(b"\x00\x01\xff\xfe\x00" * 20)
    with pytest.raises(FileError, match="not a text file"):
        read_table(path)


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(f"{HEADER}\n{HOUSEHOLD}\n", encoding="utf-8")
    with pytest.raises(FileError, match="at most 100 are read"):
        read_table(path, max_bytes=100)


def test_a_ten_megabyte_field_is_named_by_its_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    huge = "Я" * 10_000_000
    path.write_text(f"{HEADER}\n{HOUSEHOLD}\n{_with(BUSINESS, 'name', huge)}\n", encoding="utf-8")
    table = read_table(path)
    checked = validate(table.header, table.rows, set(), TODAY)
    assert _problems(checked) == ["row 3, name: 10,000,000 characters, at most 256"]


def test_the_length_limits_are_those_of_the_storage_columns() -> None:
    storage = {column.name: column.type for column in AccountRow.__table__.columns}
    storage["meter_serial"] = MeterRow.__table__.columns["serial"].type
    assert set(STORED_TEXT_LENGTHS) <= set(COLUMNS)
    for column, limit in STORED_TEXT_LENGTHS.items():
        kind = storage[column]
        assert isinstance(kind, String), column
        assert kind.length is not None and limit <= kind.length, column


@pytest.mark.parametrize("column", sorted(STORED_TEXT_LENGTHS))
def test_every_text_column_longer_than_its_storage_is_refused(column: str) -> None:
    limit = STORED_TEXT_LENGTHS[column]
    row = _with(HOUSEHOLD, "meter_serial", "") if column == "meter_serial" else HOUSEHOLD
    names = HEADER.split(";")
    header = HEADER if column in names else f"{HEADER};{column}"
    long_row = (
        _with(row, column, "7" * (limit + 1)) if column in names else f"{row};{'7' * (limit + 1)}"
    )
    problems = _problems(_check(long_row, header=header))
    assert f"row 2, {column}: {limit + 1} characters, at most {limit}" in problems


def test_text_as_long_as_its_column_is_taken() -> None:
    (record,) = _check(_with(HOUSEHOLD, "name", "Я" * 256)).records
    assert len(record.account.name) == 256


@pytest.mark.parametrize(
    ("column", "value", "start"),
    [
        ("name", '=HYPERLINK("http://x.example","Иванова")', "'='"),
        ("address", "+cmd|' /C calc'!A0", "'+'"),
        ("area", "-2+3", "'-'"),
        ("email", "@SUM(1+1)*cmd", "'@'"),
        ("meter_serial", "\t=1+1", "'\\t'"),
        ("name", " =1+1", "'='"),
    ],
)
def test_a_cell_that_looks_like_a_formula_is_refused(column: str, value: str, start: str) -> None:
    problems = _problems(_check(_with(HOUSEHOLD, column, value)))
    assert problems == [
        f"row 2, {column}: looks like a spreadsheet formula: it starts with {start}"
    ]


def test_a_phone_with_a_plus_is_not_a_formula() -> None:
    (record,) = _check(_with(HOUSEHOLD, "phone", "+7 (913) 812-34-56")).records
    assert record.account.phone == "79138123456"


def test_control_characters_are_refused_but_an_address_may_break_lines() -> None:
    problems = _problems(_check(_with(HOUSEHOLD, "name", "Иванова\x00Мария")))
    assert problems == ["row 2, name: has a control character (U+0000)"]
    (record,) = _check(_with(HOUSEHOLD, "address", '"г. Томск,\nул. Учебная, д. 5"')).records
    assert record.account.address == "г. Томск,\nул. Учебная, д. 5"


def test_a_header_name_is_echoed_short_and_with_its_control_characters_written_out() -> None:
    header = HEADER.replace("inn;", "\x1b[7m" + "x" * 50 + ";")
    (problem, *_) = _problems(_check(HOUSEHOLD, header=header))
    assert problem == ("row 1, <U+001B>[7m" + "x" * 36 + "… (54 characters): unknown column")


@pytest.mark.parametrize("amount", ["1e30", "1E+30", "-1e30", "1e999999999"])
def test_an_amount_in_scientific_notation_beyond_the_bound_is_a_problem(amount: str) -> None:
    """``Decimal.quantize`` cannot give 1e30 two decimals: it raised InvalidOperation
    (and ``abs()`` of 1e999999999 raised Overflow) out of the check."""
    problems = _problems(_check(_with(HOUSEHOLD, "debt", amount)))
    assert problems == [f"row 2, debt: {amount!r} is not an amount in roubles and kopecks"]


def test_an_xlsx_file_whose_sheet_is_damaged_is_refused(tmp_path: Path) -> None:
    """openpyxl reads a read-only sheet as it is iterated: a cell that is no XML (a
    surrogate written as ``&#55296;``) raised ParseError past the FileError guard."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(";"))
    book.active.append(["7010000001", "\ud800"])
    book.save(tmp_path / "accounts.xlsx")
    with pytest.raises(FileError, match=r"cannot read .* as XLSX"):
        read_table(tmp_path / "accounts.xlsx")


def test_a_lone_surrogate_is_refused_and_written_out() -> None:
    """JSON's ``"\\ud800"`` decodes to one: no database can store it (it was a server
    error over HTTP), no terminal can show it."""
    assert text_problem("a\ud800", 10) == "has a control character (U+D800)"
    assert shortened("a\udfffb") == "a<U+DFFF>b"
