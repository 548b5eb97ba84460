"""What a person may feed an import as a file: random bytes, CSV-ish text, near-good rows."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from hypothesis import strategies as st

CSV_ALPHABET = list(";,\t\"\n\r =+-@'.:0123456789aZяЁ\x00\x1b\u202e\ufeff")
SUFFIXES = st.sampled_from([".csv", ".txt", ".xlsx"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16"])


def csv_like(columns: Sequence[str], words: Sequence[str]) -> st.SearchStrategy[str]:
    """A header of real and wrong column names, then rows of plausible and hostile cells."""
    names = st.sampled_from([*columns, "", "Район", "x" * 50, "\x1b[2J", "a\nb"])
    cells = st.one_of(
        st.sampled_from([*words, "", " ", "=1+1", "\t-2", "\x00", "я" * 300]),
        st.text(alphabet=st.sampled_from(CSV_ALPHABET), max_size=12),
    )
    delimiters = st.sampled_from([";", ",", "\t"])
    return st.builds(
        lambda delimiter, header, rows: "\n".join(delimiter.join(row) for row in [header, *rows]),
        delimiters,
        st.lists(names, max_size=len(columns) + 2),
        st.lists(st.lists(cells, max_size=len(columns) + 2), max_size=4),
    )


def file_bytes(columns: Sequence[str], words: Sequence[str]) -> st.SearchStrategy[bytes]:
    """The bytes of a file: arbitrary, or CSV-ish text in an encoding a clerk may save."""
    encoded = st.builds(
        lambda text, encoding: text.encode(encoding, errors="replace"),
        st.one_of(csv_like(columns, words), st.text(alphabet=CSV_ALPHABET, max_size=80)),
        ENCODINGS,
    )
    return st.one_of(st.binary(max_size=200), encoded)


def assert_readable(problem: str) -> None:
    """A problem is one line a terminal shows as it is: no control characters echoed."""
    assert problem, "a problem says something"
    invisible = [c for c in problem if unicodedata.category(c) in ("Cc", "Cf")]
    assert not invisible, f"{problem!r} echoes {invisible}"
