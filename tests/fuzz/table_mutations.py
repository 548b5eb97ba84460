"""Table files as a clerk's spreadsheet makes them, then broken: cells replaced by what
people type by mistake, columns and rows lost or doubled, other encodings and delimiters,
bytes damaged; and the same tables saved as XLSX with cells of every type."""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from tests.fuzz.mutate import HOSTILE_TEXTS, mutate_bytes

Table = list[list[str]]
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


def mutate_table(rng: random.Random, table: Table) -> Table:
    """The table (header first) with one to three cells, rows or columns broken."""
    out = [list(row) for row in table]
    for _ in range(rng.randint(1, 3)):
        row = out[rng.randrange(len(out))]
        at = rng.randrange(len(row) + 1)
        edit = rng.randrange(8)
        if edit <= 2 and row:
            row[min(at, len(row) - 1)] = rng.choice(NEAR_MISSES)
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
    csv.writer(text, delimiter=rng.choice(";;,\t"), lineterminator=rng.choice(("\n", "\r\n"))).writerows(
        table
    )
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


def write_table(rng: random.Random, table: Table, path: Path) -> Path:
    """``table`` saved at ``path`` with a random suffix: CSV mostly, sometimes XLSX."""
    if rng.random() < 0.08:
        target = path.with_suffix(".xlsx")
        try:
            write_xlsx(rng, table, target)
        except IllegalCharacterError:  # a control character: a damaged .xlsx instead
            target.write_bytes(csv_bytes(rng, table))
        return target
    target = path.with_suffix(rng.choice((".csv", ".csv", ".txt")))
    target.write_bytes(csv_bytes(rng, table))
    return target
