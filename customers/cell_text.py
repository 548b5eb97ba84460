"""Checking the text a person typed into a file's cell or a form's field, for every import.

Whatever a column's own rules say, its text is refused when it is longer than where it
is stored, holds a control or invisible formatting character (or a lone surrogate), or
(where it is stored as text and exported again) would run as a spreadsheet formula. A
refused value is quoted shortened, for a cell may hold megabytes.
"""

from __future__ import annotations

import unicodedata

_INVISIBLE = ("Cc", "Cf", "Cs")
"""Control and formatting characters, and lone surrogates: JSON's ``"\\ud800"`` decodes
to one, which no database or terminal can encode."""
FORMULA_STARTS = ("=", "+", "-", "@")
"""What makes a spreadsheet read a cell as a formula (with a tab or CR before them)."""


def text_problem(
    cell: str, limit: int, *, line_breaks: bool = False, formula_checked: bool = False
) -> str | None:
    """Why the trimmed ``cell`` cannot be taken whatever its column's rules, if it cannot.

    ``line_breaks`` lets the text run over lines (an address); ``formula_checked``
    refuses a spreadsheet formula too.
    """
    text = cell.strip()
    if len(text) > limit:
        return f"{len(text):,} characters, at most {limit}"
    character = control_character(text, "\n\r" if line_breaks else "")
    if character is not None:
        return f"has a control character ({character})"
    if formula_checked and looks_like_formula(cell):
        start = cell[:1] if cell[:1] in "\t\r" else text[:1]
        return f"looks like a spreadsheet formula: it starts with {start!r}"
    return None


def control_character(text: str, allowed: str = "") -> str | None:
    """The first control or invisible formatting character (or lone surrogate) of ``text``
    as U+XXXX, if any."""
    for character in text:
        if character not in allowed and unicodedata.category(character) in _INVISIBLE:
            return f"U+{ord(character):04X}"
    return None


def looks_like_formula(cell: str) -> bool:
    """True when a spreadsheet opening an export of the value would run it as a formula."""
    return cell[:1] in ("\t", "\r") or cell.strip()[:1] in FORMULA_STARTS


def shortened(text: str, limit: int = 40) -> str:
    """A value as a message quotes it: a huge cell is not echoed whole, and a control or
    invisible character is written as <U+XXXX>, so that a terminal shows it as it is."""
    cut = text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in _INVISIBLE else c for c in cut)
