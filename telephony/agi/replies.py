"""Parsing FastAGI reply lines, as Asterisk 22 writes them.

A reply is ``200 result=<v>[ (<data>)][ endpos=<n>]``. ``<v>`` may be empty
(``result=`` or ``result= (timeout)``), ``<data>`` is not escaped and may itself
contain brackets, so it runs to the *last* closing bracket. Errors are
``510 Invalid or unknown command``, ``511 Command Not Permitted on a dead channel…``
and the multi-line usage reply ``520-…`` closed by a line starting ``520 ``.

Only what Asterisk can send is read as a reply: ASCII digits in the code, a result that
is a number or the keys GET DATA collected, an endpos that is a number; anything else
(``²00``, a result of 5,000 digits) is not FastAGI, so the replies are out of step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HANGUP_LINE = "HANGUP"
SUCCESS = 200
INVALID_COMMAND = 510
DEAD_CHANNEL = 511
USAGE_ERROR = 520

_ENDPOS = re.compile(r" endpos=(-?[0-9]{1,18})$")
_RESULT = re.compile(r"-[0-9]{1,18}|[0-9*#A-D]{0,255}")
"""A number (``-1``, ``53``), or the keys GET DATA collected (``*0``, ``1234``, none)."""
_NUMBER = re.compile(r"-?[0-9]{1,18}")


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
        return int(self.result) if _NUMBER.fullmatch(self.result) else 0


def parse_success(line: str) -> AgiReply:
    """Parse a ``200 result=…`` line."""
    prefix = "200 result="
    if not line.startswith(prefix):
        raise ValueError(f"not a 200 reply: {shown(line)}")
    rest = line[len(prefix) :]
    endpos: int | None = None
    match = _ENDPOS.search(rest)
    if match:
        endpos = int(match.group(1))
        rest = rest[: match.start()]
    value, _, tail = rest.partition(" ")
    if not _RESULT.fullmatch(value):
        raise ValueError(f"the result is neither a number nor keys: {shown(line)}")
    data: str | None = None
    if tail.startswith("(") and tail.endswith(")"):
        data = tail[1:-1]
    elif tail:
        raise ValueError(f"unexpected text after the result: {shown(line)}")
    return AgiReply(SUCCESS, value, data, endpos, line)


def shown(line: str, limit: int = 80) -> str:
    """A line as an error quotes it: a garbage line may be 64 KB long."""
    return repr(line) if len(line) <= limit else f"{line[:limit]!r}… ({len(line):,} characters)"


def reply_code(line: str) -> int | None:
    """The three-digit code a reply line starts with, or None."""
    head = line[:3]
    if len(head) == 3 and head.isascii() and head.isdigit() and line[3:4] in ("", " ", "-"):
        return int(head)
    return None


def digit_from_code(code: int) -> str | None:
    """Turn the ASCII code STREAM FILE / WAIT FOR DIGIT answer into a key, 0 meaning none."""
    if not 0 < code < 128:
        return None
    key = chr(code)
    return key if key in "0123456789*#ABCD" else None
