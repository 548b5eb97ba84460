"""A recordings index of N rows and its files, as months of calls leave them, and the
check of what a purge left of them.

Calls began one after the other, evenly over the span that makes ``expired_share`` of
them past their term (60 days over 86 days for 0.3); each row's path and ``delete_after``
are the ones the recorder and the retention rule give. Most recordings are stored, some
empty (a header alone), a few missing (no file came); ``held_share`` of all are on hold.
Every file is a 44-byte WAV header: the purge's cost is a file to unlink, whatever its
size.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from callgrid.database import Database
from callgrid.web.tables import AuditRow
from recordings.model import RecordingState
from recordings.purge import FINISHED
from recordings.recorder import recording_path
from recordings.retention import delete_after
from recordings.tables import RecordingRow
from telephony.emulator.recording import RATE, SAMPLE_BYTES, wav_header

CHUNK_ROWS = 10_000
FILE_WRITERS = 4
PLACEHOLDER = wav_header(0)
STATES = (RecordingState.STORED, RecordingState.EMPTY, RecordingState.MISSING)
STATE_WEIGHTS = (0.95, 0.03, 0.02)
OPERATORS = ("Ivanova", "Petrov", "Sidorova", "Kuznetsov", "Smirnova", "Volkov")
TOPICS = ("readings", "payment", "outage", "meter", "contract", None)
OUTCOMES = ("answered", "abandoned", "callback", None)


@dataclass(frozen=True)
class IndexShape:
    rows: int
    expired_share: float
    held_share: float
    retention_days: int
    now: datetime
    zone: tzinfo
    seed: int = 1

    @property
    def span(self) -> timedelta:
        """How far back the calls go: the newest ``1 - expired_share`` are in their term."""
        return timedelta(days=self.retention_days / (1 - self.expired_share))


@dataclass
class Expected:
    """What was made, and what a correct purge deletes and keeps."""

    rows: int = 0
    files: int = 0
    expired: int = 0
    """Past ``delete_after``, held or not."""
    deleted: int = 0
    """Expired, finished and not on hold: what the purge must delete."""
    deleted_files: int = 0
    held_kept: int = 0
    insert_seconds: float = 0.0
    file_seconds: float = 0.0
    days: set[str] = field(default_factory=set)


def made_rows(
    shape: IndexShape, first: int, count: int, rng: random.Random
) -> list[dict[str, Any]]:
    """Index rows ``first`` .. ``first + count - 1``, with the columns the recorder and the
    finisher fill in, in the order the calls began (as the recorder inserts them: the
    oldest rows have the lowest ids)."""
    rows = []
    span_seconds = shape.span.total_seconds() - 60
    oldest = shape.now - shape.span
    for number in range(first, first + count):
        offset = (number + rng.random()) / shape.rows * span_seconds
        started_at = oldest + timedelta(seconds=offset)
        state = rng.choices(STATES, STATE_WEIGHTS)[0]
        seconds = rng.uniform(20, 600) if state is RecordingState.STORED else 0.0
        call_id = f"{rng.getrandbits(128):032x}"
        held = rng.random() < shape.held_share
        account = f"{rng.randrange(10**8, 10**9)}" if rng.random() < 0.7 else None
        operator = rng.choice(OPERATORS) if rng.random() < 0.8 else None
        rows.append(
            {
                "call_id": call_id,
                "uniqueid": f"{int(started_at.timestamp())}.{number}",
                "path": recording_path(call_id, started_at, shape.zone),
                "file_format": "wav",
                "state": state.value,
                "started_at": started_at,
                "delete_after": delete_after(started_at, shape.retention_days, shape.zone),
                "line": "tollfree",
                "dialled_number": "88005550100",
                "caller_id": f"+7913{rng.randrange(10**7):07d}",
                "account_number": account,
                "operator": operator,
                "topic": rng.choice(TOPICS),
                "outcome": rng.choice(OUTCOMES),
                "ended_at": started_at + timedelta(seconds=seconds + 5),
                "duration_seconds": None if state is RecordingState.MISSING else seconds,
                "size_bytes": None
                if state is RecordingState.MISSING
                else len(PLACEHOLDER) + int(seconds * RATE) * SAMPLE_BYTES,
                "sha256": None
                if state is RecordingState.MISSING
                else f"{rng.getrandbits(256):064x}",
                "mixmonitor_id": f"0x7f76{rng.getrandbits(32):08x}",
                "hold_reason": "complaint under review" if held else None,
                "held_by": "supervisor" if held else None,
                "held_at": min(started_at + timedelta(days=3), shape.now) if held else None,
            }
        )
    return rows


def has_file(row: dict[str, Any]) -> bool:
    return bool(row["state"] != RecordingState.MISSING.value)


def _write_placeholders(paths: list[str]) -> None:
    for path in paths:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(descriptor, PLACEHOLDER)
        finally:
            os.close(descriptor)


def _slices(items: list[str], parts: int) -> Iterator[list[str]]:
    size = -(-len(items) // parts)
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def fill(database: Database, directory: Path, shape: IndexShape) -> Expected:
    """Insert the index rows in executemany chunks and write their files beside them."""
    rng = random.Random(shape.seed)
    expected = Expected()
    finished = {state.value for state in FINISHED}
    with ThreadPoolExecutor(FILE_WRITERS) as writers:
        for first in range(0, shape.rows, CHUNK_ROWS):
            rows = made_rows(shape, first, min(CHUNK_ROWS, shape.rows - first), rng)
            started = time.perf_counter()
            async with database.engine.begin() as connection:
                await connection.execute(insert(RecordingRow), rows)
            expected.insert_seconds += time.perf_counter() - started
            started = time.perf_counter()
            paths = []
            for row in rows:
                day = row["path"].rsplit("/", 1)[0]
                if day not in expected.days:
                    (directory / day).mkdir(parents=True, exist_ok=True)
                    expected.days.add(day)
                if has_file(row):
                    paths.append(str(directory / row["path"]))
            list(writers.map(_write_placeholders, _slices(paths, FILE_WRITERS)))
            expected.file_seconds += time.perf_counter() - started
            for row in rows:
                expired = row["delete_after"] <= shape.now
                held = row["hold_reason"] is not None
                gone = expired and not held and row["state"] in finished
                expected.expired += expired
                expected.held_kept += expired and held
                expected.deleted += gone
                expected.deleted_files += gone and has_file(row)
            expected.rows += len(rows)
            expected.files += len(paths)
    return expected


async def mismatches(
    database: Database, directory: Path, shape: IndexShape, expected: Expected
) -> list[str]:
    """What the purge left that it should not have, or took that it should have kept:
    row counts, expired rows not on hold still there, the files against the rows, and
    the ids its audit entries name."""
    found = []
    async with database.session() as session:
        entries = await session.execute(
            select(AuditRow.details).where(AuditRow.action == "recording.delete")
        )
        audited = sum(len(details["ids"]) for details in entries.scalars())
        rows = int(
            (await session.execute(select(func.count()).select_from(RecordingRow))).scalar_one()
        )
        leftover = await session.execute(
            select(func.count()).where(
                RecordingRow.delete_after <= shape.now, RecordingRow.hold_reason.is_(None)
            )
        )
        expired_unheld = int(leftover.scalar_one())
        kept = await session.execute(
            select(RecordingRow.path).where(RecordingRow.state != RecordingState.MISSING.value)
        )
        row_paths = set(kept.scalars())
    if audited != expected.deleted:
        found.append(f"the audit log names {audited} deleted ids, expected {expected.deleted}")
    if rows != expected.rows - expected.deleted:
        found.append(f"{rows} rows left, expected {expected.rows - expected.deleted}")
    if expired_unheld:
        found.append(f"{expired_unheld} expired rows not on hold still there")
    file_paths = set(files_under(directory))
    if len(file_paths) != expected.files - expected.deleted_files:
        found.append(
            f"{len(file_paths)} files left, expected {expected.files - expected.deleted_files}"
        )
    if orphans := file_paths - row_paths:
        found.append(f"{len(orphans)} files without a row, e.g. {min(orphans)}")
    if lost := row_paths - file_paths:
        found.append(f"{len(lost)} rows without their file, e.g. {min(lost)}")
    return found


def files_under(directory: Path) -> Iterator[str]:
    """Every recording's path relative to ``directory``, as the index names them; hidden
    files (the purge's lock) are no recordings."""
    for day_directory, _folders, names in os.walk(directory):
        relative = os.path.relpath(day_directory, directory)
        for name in names:
            if not name.startswith("."):
                yield f"{relative}/{name}"
