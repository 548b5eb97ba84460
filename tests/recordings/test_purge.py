"""REC-2: expired recordings go, file and row together; held ones stay; a purge that was
cut short is finished by the next one."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from sqlalchemy import update

from callgrid.database import Database
from callgrid.web.audit import AuditLog
from recordings.model import RecordingState
from recordings.purge import Purge, PurgeFigures
from recordings.purge_lock import PurgeBusy
from recordings.retention_status import retention_status
from recordings.storage import Actor, RecordingQuery, SqlRecordings
from recordings.tables import RecordingRow
from tests.recordings.indexed import indexed
from worktime.clock import ManualClock, local_zone

SUPERVISOR = Actor("petrova", "127.0.0.1")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=local_zone())


def files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*.wav")}


async def kept(index: SqlRecordings) -> set[int]:
    found, _ = await index.search(RecordingQuery(), size=1000)
    return {recording.id for recording in found}


async def test_the_60_day_boundary_in_local_time_across_midnight(
    database: Database, tmp_path: Path
) -> None:
    clock = ManualClock(local("2026-11-30T23:59"))
    index = SqlRecordings(database, AuditLog(database, clock))
    late_evening = await indexed(index, tmp_path, local("2026-10-01T23:50"))
    after_midnight = await indexed(index, tmp_path, local("2026-10-02T00:10"))
    purge = Purge(database, tmp_path, clock, 10, AuditLog(database, clock))

    assert (await purge.run(by="test")).deleted == 0, "a minute before its term: kept"
    clock.now = local("2026-12-01T00:00")
    figures = await purge.run(by="test")
    assert figures.deleted == 1
    assert await index.find(late_evening) is None
    assert await index.find(after_midnight) is not None
    assert len(files(tmp_path)) == 1
    clock.now = local("2026-12-02T00:00")
    assert (await purge.run(by="test")).deleted == 1
    assert files(tmp_path) == set()


async def test_a_held_recording_stays_until_released_and_both_are_audited(
    database: Database, tmp_path: Path
) -> None:
    clock = ManualClock(local("2026-12-10T03:00"))
    audit = AuditLog(database, clock)
    index = SqlRecordings(database, audit)
    disputed = await indexed(index, tmp_path, local("2026-09-01T10:00"))
    other = await indexed(index, tmp_path, local("2026-09-01T11:00"))
    await index.hold(
        disputed, "complaint 17/2026: the debt notice is disputed", SUPERVISOR, clock()
    )
    purge = Purge(database, tmp_path, clock, 10, AuditLog(database, clock))

    figures = await purge.run(by="test")
    assert (figures.deleted, figures.held) == (1, 1)
    assert await index.find(other) is None
    held = await index.find(disputed)
    assert held is not None and held.on_hold and held.held_by == "petrova"
    assert (tmp_path / held.path).exists()

    await index.release(disputed, SUPERVISOR)
    assert (await purge.run(by="test")).deleted == 1
    assert files(tmp_path) == set()
    entries, _ = await audit.page(1, 10)
    assert [e.action for e in entries] == [
        "recording.delete",
        "recording.release",
        "recording.delete",
        "recording.hold",
    ]
    assert entries[3].details["reason"].startswith("complaint 17/2026")
    assert entries[1].subject_id == entries[3].subject_id == str(disputed)
    assert [e.details["ids"] for e in entries[::2]] == [[disputed], [other]]
    assert {e.actor for e in entries[::2]} == {"test"}


async def test_a_dry_run_counts_and_deletes_nothing(database: Database, tmp_path: Path) -> None:
    clock = ManualClock(local("2026-12-10T03:00"))
    index = SqlRecordings(database, AuditLog(database, clock))
    for hour in range(3):
        await indexed(index, tmp_path, local(f"2026-09-01T1{hour}:00"), seconds=1.0)
    await indexed(index, tmp_path, local("2026-11-01T10:00"))
    preview = await Purge(database, tmp_path, clock, 2, AuditLog(database, clock)).preview()
    assert preview.deleted == 3
    assert preview.freed_bytes == 3 * (44 + 16000)
    assert len(files(tmp_path)) == 4


async def test_a_purge_cut_short_is_finished_by_the_next(
    database: Database, tmp_path: Path
) -> None:
    """Rows marked ``purging`` by a purge that died: one whose file went already, one
    whose file is still there. Neither is offered meanwhile; the next purge ends both."""
    clock = ManualClock(local("2026-12-10T03:00"))
    index = SqlRecordings(database, AuditLog(database, clock))
    gone = await indexed(index, tmp_path, local("2026-09-01T10:00"))
    still_there = await indexed(index, tmp_path, local("2026-09-01T11:00"))
    recording = await index.find(gone)
    assert recording is not None
    (tmp_path / recording.path).unlink()
    async with database.engine.begin() as connection:
        await connection.execute(
            update(RecordingRow)
            .where(RecordingRow.id.in_([gone, still_there]))
            .values(state=RecordingState.PURGING.value)
        )
    assert await kept(index) == set(), "a row being purged is never listed"
    figures = await Purge(database, tmp_path, clock, 10, AuditLog(database, clock)).run(by="test")
    assert (figures.deleted, figures.files_missing) == (2, 1)
    assert files(tmp_path) == set()
    assert await index.count() == 0


async def test_one_purge_runs_at_a_time_and_deletes_each_recording_once(
    database: Database, tmp_path: Path
) -> None:
    clock = ManualClock(local("2026-12-10T03:00"))
    index = SqlRecordings(database, AuditLog(database, clock))
    for minute in range(40):
        await indexed(index, tmp_path, local(f"2026-09-01T10:{minute:02}"), seconds=0.1)
    purges = [Purge(database, tmp_path, clock, 3, AuditLog(database, clock)) for _ in range(3)]
    results = await asyncio.gather(
        *(purge.run(by="test") for purge in purges), return_exceptions=True
    )
    done = [figures for figures in results if isinstance(figures, PurgeFigures)]
    busy = [error for error in results if isinstance(error, PurgeBusy)]
    assert len(done) + len(busy) == 3 and done, results
    assert sum(figures.deleted for figures in done) == 40
    assert sum(figures.files_missing for figures in done) == 0
    assert files(tmp_path) == set()
    assert (await purges[0].run(by="test")).deleted == 0, "the lock is let go after a run"


async def test_the_retention_page_figures(database: Database, tmp_path: Path) -> None:
    clock = ManualClock(local("2026-12-01T09:00"))
    index = SqlRecordings(database, AuditLog(database, clock))
    due_tonight = await indexed(index, tmp_path, local("2026-10-02T08:00"))
    await indexed(index, tmp_path, local("2026-10-01T08:00"))  # due already: purge behind
    held = await indexed(index, tmp_path, local("2026-09-20T08:00"))
    await indexed(index, tmp_path, local("2026-11-30T08:00"), seconds=0)
    await index.hold(held, "court request", SUPERVISOR, clock())

    status = await retention_status(database, clock(), local_zone(), 60)
    assert (status.kept, status.empty, status.on_hold, status.held_past_term) == (4, 1, 1, 1)
    assert status.due_today == 2
    assert status.oldest_age_days == 72 and status.oldest_not_held_age_days == 61
    assert not status.within_limit, "an expired recording not purged is over the limit"
    assert status.last_purge is None

    await Purge(database, tmp_path, clock, 10, AuditLog(database, clock)).run(by="retention worker")
    status = await retention_status(database, clock(), local_zone(), 60)
    assert status.within_limit and status.due_today == 1
    assert status.last_purge is not None and status.last_purge.deleted == 1
    assert await index.find(due_tonight) is not None
