"""Whatever file a billing clerk feeds the import, it gives accounts or clear problems."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings

from customers.account_import import COLUMNS, validate
from customers.table_file import FileError, read_table
from tests.table_doors import SUFFIXES, assert_readable, file_bytes

TODAY = date(2026, 11, 27)
WORDS = [
    *("7010000001", "household", "business", "Иванова Мария", "Кировский район", "г. Томск"),
    *("89138123456", "7707083893", "1027700132195", "1 234,50", "10.12.2026", "2026-11-02"),
    *("да", "нет", "1", "0", "01234567", "2", "6", "2030-05-01", "012345", "-5", "NaN", "1e9"),
]


@settings(max_examples=300, deadline=None)
@given(data=file_bytes(COLUMNS, WORDS), suffix=SUFFIXES)
def test_any_file_gives_accounts_or_clear_problems(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"accounts{suffix}"
        path.write_bytes(data)
        try:
            table = read_table(path)
        except FileError as error:
            assert_readable(str(error).replace(str(path), "accounts"))
            return
    checked = validate(table.header, table.rows, set(), TODAY)
    for problem in checked.problems:
        assert 1 <= problem.row <= len(table.rows) + 1
        assert_readable(str(problem))
    bad_rows = {problem.row for problem in checked.problems}
    if 1 in bad_rows:
        assert checked.records == [], "a bad header lets no row through"
    assert len(checked.records) + len(bad_rows - {1}) <= len(table.rows)
