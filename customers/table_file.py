"""Reading a table file, CSV or XLSX, the way billing clerks and dispatchers save them.

One reader for every import: the encoding is found (UTF-8 with or without a BOM, else
Windows-1251, what Russian Excel saves as "CSV"), the delimiter is guessed from the
header line, header names are normalised and their aliases resolved, and the file's
size is bounded before it is read. Checking the values is left to each import (the
checks of a cell's text they share are ``customers.cell_text``).
"""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from customers.cell_text import shortened

MAX_FILE_BYTES = 256 * 2**20
UTF8_BOM = b"\xef\xbb\xbf"


class FileError(ValueError):
    """The file cannot be read as a table at all."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    """The column names normalised (trimmed, lower case, ё as е), aliases resolved."""
    written: list[str]
    """The column names as the file has them, for messages."""
    rows: list[list[str]]
    encoding: str
    """How the file was read: UTF-8, UTF-8 with BOM, UTF-16, Windows-1251 or XLSX."""


def header_key(name: str) -> str:
    """A column name as compared: trimmed, spaces collapsed, lower case, ё as е."""
    return " ".join(name.replace("\ufeff", "").split()).lower().replace("ё", "е")


def read_table(
    path: Path, aliases: Mapping[str, str] | None = None, max_bytes: int = MAX_FILE_BYTES
) -> Table:
    """The header and data rows of a CSV (``;``, ``,`` or tab) or XLSX file."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileError(f"{path} has {size:,} bytes; at most {max_bytes:,} are read")
        if path.suffix.lower() == ".xlsx":
            written, rows, encoding = *_read_xlsx(path), "XLSX"
        else:
            text, encoding = _decode(path, path.read_bytes())
            written, rows = _read_csv(path, text)
    except OSError as error:
        raise FileError(f"cannot read {path}: {error.strerror}") from None
    keys = {header_key(alias): name for alias, name in (aliases or {}).items()}
    header = [keys.get(header_key(name), header_key(name)) for name in written]
    return Table(header, written, rows, encoding)


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM) :].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError:
            raise FileError(f"{path} starts as UTF-8 but is not UTF-8 text") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise FileError(f"{path} starts as UTF-16 but is not UTF-16 text") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise FileError(f"{path} is not a text file; save it as “CSV UTF-8” or XLSX")
    try:
        return data.decode("cp1251"), "Windows-1251"
    except UnicodeDecodeError:
        raise FileError(
            f"{path} is neither UTF-8 nor Windows-1251 text; save it as “CSV UTF-8”"
        ) from None


def _read_csv(path: Path, text: str) -> tuple[list[str], list[list[str]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    table: list[list[str]] = []
    # The whole file is within max_bytes, so any field may be as long: the imports
    # check each column's length themselves and name the row and column.
    limit = csv.field_size_limit(max(len(text), csv.field_size_limit()))
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            table.append(row)
    except csv.Error as error:
        raise FileError(f"{path}, row {len(table) + 1}: {error}") from None
    finally:
        csv.field_size_limit(limit)
    if not table:
        raise FileError(f"{path} is empty")
    return table[0], table[1:]


def _read_xlsx(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        openpyxl = importlib.import_module("openpyxl")
    except ImportError:
        raise FileError(
            "reading .xlsx needs openpyxl (pip install openpyxl); or save as CSV"
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            # read-only sheets are parsed as they are read: a damaged sheet fails here
            table = [
                [_cell_text(value) for value in row]
                for row in book.active.iter_rows(values_only=True)
            ]
        finally:
            book.close()
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileError(f"cannot read {path} as XLSX: {shortened(str(error))}") from None
    if not table:
        raise FileError(f"{path} is empty")
    width = len(table[0])
    while width and not table[0][width - 1]:
        width -= 1  # a sheet's used range often runs past the last column with a name
    rows = [row[:width] if not any(row[width:]) else row for row in table[1:]]
    return table[0][:width], rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
