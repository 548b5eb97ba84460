"""Asterisk's queue_log: the file app_queue (and the dialplan's ``QueueLog()``) append to.

Each line is ``epoch|callid|queue|agent|event|data…`` (main/logger.c). It is written by
every Asterisk with app_queue, with no extra module, so it is how the engine learns what
happened to calls it did not see to the end: callers left in ``Queue()`` when the engine
stopped, and calls the dialplan served with no engine up.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MAX_LINE = 8192
"""Longer lines are not Asterisk's (its buffer is 8 KB): skipped."""
CALLID = re.compile(r"[0-9A-Za-z_.-]{1,64}")
"""A channel's uniqueid (``1796160000.12``), or ``NONE``; anything else is not Asterisk's."""


@dataclass(frozen=True)
class QueueLogEntry:
    at: datetime
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]


def parse_line(line: str) -> QueueLogEntry | None:
    """One entry, or None for a line that is not one (torn, foreign, overlong)."""
    if len(line) > MAX_LINE:
        return None
    fields = line.rstrip("\r\n").split("|")
    if len(fields) < 5 or not fields[0].isascii() or not fields[0].isdigit() or not fields[4]:
        return None
    if CALLID.fullmatch(fields[1]) is None:
        return None
    try:
        at = datetime.fromtimestamp(int(fields[0]), UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return QueueLogEntry(at, fields[1], fields[2], fields[3], fields[4], tuple(fields[5:]))


@dataclass(frozen=True)
class FilePosition:
    """Where reading stopped: the file's inode (a rotated log is a new file) and offset."""

    inode: int = 0
    offset: int = 0


def read_new_entries(
    path: Path, since: FilePosition, max_bytes: int = 4 << 20
) -> tuple[list[QueueLogEntry], FilePosition]:
    """The complete lines appended since ``since``, at most about ``max_bytes`` of them.

    A line still being written (no newline yet) is left for the next read. When the file
    was rotated (another inode) or truncated, reading starts again at its beginning. A
    missing file gives nothing and keeps the position.
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return [], since
    with handle:
        status = os.fstat(handle.fileno())
        offset = since.offset
        if status.st_ino != since.inode or status.st_size < offset:
            offset = 0
        handle.seek(offset)
        chunk = handle.read(max_bytes)
    complete = chunk[: chunk.rfind(b"\n") + 1]
    if not complete and len(chunk) == max_bytes:
        complete = chunk  # one line longer than a read: not Asterisk's, skipped whole
    entries = []
    for raw in complete.splitlines():
        entry = parse_line(raw.decode("utf-8", errors="replace"))
        if entry is not None:
            entries.append(entry)
    return entries, FilePosition(status.st_ino, offset + len(complete))
