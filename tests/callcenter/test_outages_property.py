"""Whatever a dispatcher feeds the outage board, as a file or as JSON, it is taken or refused
with clear problems, never with a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.outages import (
    ALIASES,
    COLUMNS,
    Outage,
    OutageError,
    outage_from_row,
    outages_from_table,
)
from customers.table_file import FileError, read_table
from tests.table_doors import SUFFIXES, assert_readable, file_bytes

WORDS = [
    *("Кировский район", "planned", "emergency", "Аварийное", "плановое", "замена опоры"),
    *("2026-11-27 10:00", "27.11.2026 16:00", "2026-11-27T14:00", "2026-02-30 10:00"),
    *("звоните 88005553535", "www.example.ru", "24:00", "завтра"),
]
JSON_SCALARS = st.one_of(
    st.sampled_from(WORDS),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
GOOD = {
    "area": "Кировский район",
    "kind": "planned",
    "cause": "замена опоры",
    "starts_at": "2026-11-27 10:00",
    "restore_at": "2026-11-27 16:00",
}
JSON_OBJECTS = st.builds(
    lambda removed, changes: {
        **{name: value for name, value in GOOD.items() if name not in removed},
        **changes,
    },
    st.sets(st.sampled_from(COLUMNS), max_size=2),
    st.dictionaries(
        st.one_of(st.sampled_from(COLUMNS), st.text(max_size=10)), JSON_VALUES, max_size=3
    ),
)
"""A good outage with some fields taken away, changed or added."""


@settings(max_examples=300, deadline=None)
@given(data=file_bytes([*COLUMNS, *ALIASES], WORDS), suffix=SUFFIXES)
def test_any_file_gives_outages_or_clear_problems(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"outages{suffix}"
        path.write_bytes(data)
        try:
            table = read_table(path, ALIASES)
        except FileError as error:
            assert_readable(str(error).replace(str(path), "outages"))
            return
    outages, problems = outages_from_table(table.header, table.written, table.rows)
    assert bool(outages) or bool(problems), "an empty file is a problem too"
    for problem in problems:
        assert problem.startswith(("row ", "the file has no outages")), problem
        assert_readable(problem)


@settings(max_examples=300, deadline=None)
@given(fields=JSON_OBJECTS)
def test_any_json_object_gives_an_outage_or_an_outage_error(fields: dict[str, object]) -> None:
    try:
        outage = outage_from_row(fields)
    except OutageError as error:
        assert error.problems
        for problem in error.problems:
            named = problem.startswith(tuple(f"{name}: " for name in COLUMNS))
            assert named or ": unknown field (the fields are " in problem, problem
            assert_readable(problem)
        return
    assert isinstance(outage, Outage) and set(fields) == set(COLUMNS)
    assert outage.restore_at > outage.starts_at
