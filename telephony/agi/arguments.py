"""Arguments of AGI commands, written so that Asterisk 22 reads them back unchanged.

Asterisk splits a command line with res_agi.c ``parse_args``: space and tab separate
arguments, double quotes group words (and ``""`` is an empty argument), and a
backslash, inside quotes or not, makes the next character literal. A line break cannot
be escaped at all: it ends the command, and what follows would be read as another one.
"""

from __future__ import annotations

# Characters that would end the command line early (or, for NUL, cut it short in C).
LINE_BREAKERS = {"\n": "a newline", "\r": "a carriage return", "\0": "a NUL"}
# What parse_args treats specially, and commas, quoted as in the reference transcripts
# (``EXEC Playback "hello-world,noanswer"``); with the line breakers, what a bare
# argument must not contain.
_NEEDS_QUOTES = frozenset(' \t"\\,')
_NOT_BARE = _NEEDS_QUOTES | LINE_BREAKERS.keys()


def refuse_line_breaks(text: str, what: str = "AGI argument") -> None:
    """Raise ValueError when ``text`` would put a second command on the wire."""
    if "\n" in text or "\r" in text or "\0" in text:
        name = next(name for char, name in LINE_BREAKERS.items() if char in text)
        raise ValueError(f"{what} {text!r} contains {name}")


def quote(value: str) -> str:
    """One argument in double quotes, escaped so that Asterisk reads back ``value``.

    Inside quotes parse_args drops each backslash and keeps the character after it, so
    ``\\`` and ``"`` are escaped. Line breaks cannot be quoted: ValueError.
    """
    refuse_line_breaks(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def argument(value: str) -> str:
    """An argument as it goes on the line: bare when it can be, quoted when it must be."""
    if value and _NOT_BARE.isdisjoint(value):
        return value
    return quote(value)
