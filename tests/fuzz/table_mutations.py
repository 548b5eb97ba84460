"""Table files as a clerk's spreadsheet makes them, then broken: cells replaced by what
people type by mistake, columns and rows lost or doubled, other encodings and delimiters,
bytes damaged; and the same tables saved as XLSX with cells of every type."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import IllegalCharacterError  # type: ignore[import-untyped]

from tests.fuzz.mutate import HOSTILE_TEXTS, mutate_bytes

Table = list[list[str]]
MONEY: tuple[str, ...] = (
    "1e30",
    "1E+30",
    "1e-30",
    "-0",
    "0,001",
    "1 234,567",
    "Infinity",
    "NaN",
    "sNaN",
)
MONEY += ("1e999999999", "9999999999.99", "10000000000", "١٢٣", "１２３", "0x10", "1_000")
MONEY += ("+5", ".5", "5.", "1,234.50", "12\u00a0345,00")
DAYS: tuple[str, ...] = (
    "31.02.2026",
    "2026-13-01",
    "0001-01-01",
    "9999-12-31",
    "2026-1-5",
    "5.1.2026",
)
DAYS += ("２０２６-11-27", "27.11.26", "2026/11/27", "2100-01-01", "2026-11-27 ")
WHOLE: tuple[str, ...] = (
    "0",
    "4",
    "10",
    "-1",
    "1.0",
    "²",
    "１",
    "٣",
    "9" * 21,
    "1e3",
    "12 345",
    "0012345",
)
FLAGS = ("Да", "ДА", "true ", "2", "y", "✓", "on", "")
MOMENTS: tuple[str, ...] = (
    "0001-01-01 00:30",
    "0001-01-01 06:59",
    "9999-12-31 23:59",
    "2026-02-30 10:00",
)
MOMENTS += ("27.11.2026 25:00", "2026-11-27T14:00:00", "2026-11-27 14:00+07:00", "１２:００")
MOMENTS += ("2026-11-27 14:00", "2026-11-27 13:59", "1970-01-01 00:00", "2038-01-19 10:14")
ACCOUNT_POOLS: dict[str, Sequence[str]] = {
    "debt": MONEY,
    "last_payment_amount": MONEY,
    **dict.fromkeys(
        ("due_date", "last_payment_date", "meter_verification_due", "meter_installed_on"), DAYS
    ),
    "last_reading_date": DAYS,
    **dict.fromkeys(("meter_zones", "meter_digits", "last_reading_total"), WHOLE),
    **dict.fromkeys(("last_reading_day", "last_reading_night", "last_reading_peak"), WHOLE),
    **dict.fromkeys(("vip", "consent_phone_info", "consent_sms", "consent_email"), FLAGS),
    "phone": ("+7 (913) 812-34-56 доб. 5", "８９１３８１２３４５６", "+1 202 555 0100", "7" * 20),
    "inn": ("7707083894", "٧٧٠٧٠٨٣٨٩٣", "¹²³⁴⁵⁶⁷⁸⁹⁰", "0000000000", "770708389", "3" * 12),
    "ogrn": ("1027700132195", "3" * 15, "１０２７７００１３２１９５", "0" * 13),
    "kind": ("HOUSEHOLD", "household ", "Business", "бизнес", ""),
    "number": ("7010000001", "701000000", "７０１００００００１", "-7010000001", " 7010000001 "),
    "email": ("a@b", "a@b.c", "a b@c.d", "@.", "x@y.рф"),
    "meter_serial": ("", "=HYPERLINK()", "A" * 33, "0"),
}
OUTAGE_POOLS: dict[str, Sequence[str]] = {
    **dict.fromkeys(("starts_at", "restore_at", "Начало", "Восстановление"), MOMENTS),
    **dict.fromkeys(("kind", "Вид отключения"), ("Плановое", "ПЛАНОВАЯ", "emergency ", "авария!")),
    **dict.fromkeys(("area", "Район"), ("x" * 129, "Кировский\x00", "район\u202e", " ")),
    **dict.fromkeys(
        ("cause", "Причина"),
        ("звоните 8 800 222 49 02", "www.example.ru", "a@b.ru", "12345", "1.2.3.4", "x" * 201),
    ),
}
NEAR_MISSES: tuple[str, ...] = (
    *HOSTILE_TEXTS,
    "1e30",
    "1e-30",
    "-0",
    "0,001",
    "1 234,567",
    "Infinity",
    "31.02.2026",
    "2026-13-01",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01 00:30",
    "9999-12-31 23:59",
    "2026-11-27 14:00",
    "27.11.2026 25:00",
    "+7 (913) 812-34-56 доб. 5",
    "7707083894",
    "１２３４５６７８９０",
    "١٢٣٤٥٦٧٨٩٠",
    "¹²³",
    "HOUSEHOLD",
    "household ",
    "Business",
    "плановое",
    "Авария",
    "4",
    "10",
    '"abc',
    "a;b,c\td",
    "line\nbreak",
    "звоните 8 800 222 49 02",
    "www.example.ru",
)


def mutate_table(
    rng: random.Random, table: Table, pools: Mapping[str, Sequence[str]] | None = None
) -> Table:
    """The table (header first) with one to three cells, rows or columns broken; a cell
    is replaced, more often than not, by a near miss of its column's kind (``pools``)."""
    out = [list(row) for row in table]
    for _ in range(rng.randint(1, 3)):
        index = rng.randrange(len(out))
        row = out[index]
        at = rng.randrange(len(row) + 1)
        edit = rng.randrange(8)
        if edit <= 2 and row:
            at = min(at, len(row) - 1)
            pooled = [n for n, name in enumerate(out[0][: len(row)]) if name in (pools or {})]
            if index and pooled and rng.random() < 0.6:
                at = rng.choice(pooled)
                row[at] = rng.choice((pools or {})[out[0][at]])
            else:
                row[at] = rng.choice(NEAR_MISSES)
        elif edit == 3 and row:
            other = rng.randrange(len(row))
            row[min(at, len(row) - 1)], row[other] = row[other], row[min(at, len(row) - 1)]
        elif edit == 4 and row:
            del row[min(at, len(row) - 1)]
        elif edit == 5:
            row.insert(at, rng.choice(NEAR_MISSES))
        elif edit == 6 and len(out) > 1:
            out.insert(rng.randrange(1, len(out) + 1), list(rng.choice(out[1:])))
        elif len(out) > 1:
            del out[rng.randrange(1, len(out))]
    return out


def csv_bytes(rng: random.Random, table: Table) -> bytes:
    """The table written as CSV in a delimiter and an encoding a clerk's tool may pick."""
    text = io.StringIO()
    csv.writer(
        text, delimiter=rng.choice(";;,\t"), lineterminator=rng.choice(("\n", "\r\n"))
    ).writerows(table)
    encoding = rng.choice(("utf-8", "utf-8", "utf-8-sig", "cp1251", "utf-16"))
    data = text.getvalue().encode(encoding, errors="replace")
    return mutate_bytes(rng, data) if rng.random() < 0.15 else data


def xlsx_cell(rng: random.Random, text: str) -> object:
    """A cell as a spreadsheet may keep it: the text, or a number, date, flag, formula."""
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice((0, 1, 7010000001, 1234.5, 1e30, -1.0, 0.1 + 0.2))
    if kind == 1:
        return rng.choice((datetime(2026, 11, 27, 14, 0), datetime(1900, 1, 1)))
    if kind == 2:
        return rng.choice((True, False))
    if kind == 3:
        return "=1+1"
    return text


def write_xlsx(rng: random.Random, table: Table, path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for row in table:
        sheet.append([xlsx_cell(rng, cell) if rng.random() < 0.1 else cell for cell in row])
    book.save(path)


def write_table(rng: random.Random, table: Table, path: Path, damaged: bool = True) -> Path:
    """``table`` saved at ``path`` with a random suffix: CSV mostly, sometimes XLSX, in
    any encoding and maybe with its bytes damaged; or, not ``damaged``, as CSV in UTF-8."""
    if not damaged:
        target = path.with_suffix(".csv")
        with target.open("w", encoding="utf-8", newline="") as file:
            csv.writer(file, delimiter=";").writerows(table)
        return target
    if rng.random() < 0.04:
        target = path.with_suffix(".xlsx")
        try:
            write_xlsx(rng, table, target)
        except IllegalCharacterError:  # a control character: a damaged .xlsx instead
            target.write_bytes(csv_bytes(rng, table))
        return target
    target = path.with_suffix(rng.choice((".csv", ".csv", ".txt")))
    target.write_bytes(csv_bytes(rng, table))
    return target
