"""Mutations of good inputs into what a broken peer, a careless clerk or an attacker sends.

Pure functions of a seeded :class:`random.Random`: the same seed gives the same inputs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

HOSTILE_BYTES: tuple[bytes, ...] = (
    b"\x00",
    b"\xff",
    b"\xfe\xff",
    b"\xc3",  # a UTF-8 lead byte with nothing after it
    b"\xed\xa0\x80",  # a UTF-16 surrogate written as UTF-8
    b"\xef\xbb\xbf",  # a BOM in the middle
    b"\r",
    b"\n",
    b"\r\n",
    b"\t",
    b"\x1b[2J",
    "\u202e".encode(),
    "²".encode(),
    "٣".encode(),
    "Ё".encode("cp1251"),
    b" ",
    b":",
    b": ",
    b'"',
    b"'",
    b"\\",
    b"%ff",
)
HOSTILE_TEXTS: tuple[str, ...] = (
    "",
    " ",
    "\x00",
    "\x1b[2J",
    "\u202e",
    "\ud800",
    "\ufeff",
    "²",
    "٣٣٣",
    "-1",
    "0",
    "9" * 40,
    "1e30",
    "NaN",
    "null",
    "=1+1",
    "@SUM(A1)",
    "я" * 300,
    "x" * 5000,
)


def mutate_bytes(
    rng: random.Random, data: bytes, tokens: Sequence[bytes] = HOSTILE_BYTES, rounds: int = 0
) -> bytes:
    """``data`` with one to four (or ``rounds``) random edits: bytes flipped, slices cut,
    doubled or moved, hostile tokens inserted, the end cut off."""
    out = bytearray(data)
    for _ in range(rounds or rng.randint(1, 4)):
        at = rng.randint(0, len(out))
        span = rng.randint(1, 24)
        edit = rng.randrange(7)
        if edit == 0 and out:
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif edit == 1:
            del out[at : at + span]
        elif edit == 2:
            out[at:at] = out[at : at + span]
        elif edit == 3:
            out[at:at] = rng.choice(tokens)
        elif edit == 4:
            out[at : at + span] = rng.choice(tokens)
        elif edit == 5:
            out[at:at] = rng.choice(tokens) * rng.choice((2, 50, 1000))
        else:
            del out[at:]
    return bytes(out)


def mutate_lines(rng: random.Random, lines: list[str], hostile: Sequence[str]) -> list[str]:
    """``lines`` with one to three lines dropped, doubled, swapped or replaced."""
    out = list(lines)
    for _ in range(rng.randint(1, 3)):
        if not out:
            out.append(rng.choice(hostile))
            continue
        at = rng.randrange(len(out))
        edit = rng.randrange(4)
        if edit == 0:
            del out[at]
        elif edit == 1:
            out.insert(at, out[at])
        elif edit == 2:
            other = rng.randrange(len(out))
            out[at], out[other] = out[other], out[at]
        else:
            out[at] = rng.choice(hostile)
    return out
