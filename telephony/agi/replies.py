"""Parsing FastAGI reply lines, as Asterisk 22 writes them.

A reply is ``200 result=<v>[ (<data>)][ endpos=<n>]``. ``<v>`` may be empty
(``result=`` or ``result= (timeout)``), ``<data>`` is not escaped and may itself
contain brackets, so it runs to the *last* closing bracket. Errors are
``510 Invalid or unknown command``, ``511 Command Not Permitted on a dead channel…``
and the multi-line usage reply ``520-…`` closed by a line starting ``520 ``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HANGUP_LINE = "HANGUP"
SUCCESS = 200
INVALID_COMMAND = 510
DEAD_CHANNEL = 511
USAGE_ERROR = 520

_ENDPOS = re.compile(r" endpos=(-?\d+)$")


@dataclass(frozen=True, slots=True)
class AgiReply:
    code: int
    result: str = ""
    data: str | None = None
    endpos: int | None = None
    text: str = ""

    @property
    def ok(self) -> bool:
        return self.code == SUCCESS

    @property
    def number(self) -> int:
        """The result as an integer; an empty result counts as 0."""
        return int(self.result) if self.result.lstrip("-").isdigit() else 0


def parse_success(line: str) -> AgiReply:
    """Parse a ``200 result=…`` line."""
    prefix = "200 result="
    if not line.startswith(prefix):
        raise ValueError(f"not a 200 reply: {line!r}")
    rest = line[len(prefix) :]
    endpos: int | None = None
    match = _ENDPOS.search(rest)
    if match:
        endpos = int(match.group(1))
        rest = rest[: match.start()]
    value, _, tail = rest.partition(" ")
    data: str | None = None
    if tail.startswith("(") and tail.endswith(")"):
        data = tail[1:-1]
    elif tail:
        raise ValueError(f"unexpected text after the result: {line!r}")
    return AgiReply(SUCCESS, value, data, endpos, line)


def reply_code(line: str) -> int | None:
    """The three-digit code a reply line starts with, or None."""
    head = line[:3]
    if head.isdigit() and (len(line) == 3 or line[3] in " -"):
        return int(head)
    return None


def digit_from_code(code: int) -> str | None:
    """Turn the ASCII code STREAM FILE / WAIT FOR DIGIT answer into a key, 0 meaning none."""
    if code <= 0:
        return None
    key = chr(code)
    return key if key in "0123456789*#ABCD" else None
