"""Deleting expired recordings, file and index row together (REC-2).

Each batch is first marked ``purging`` in one transaction; then its files are deleted,
then its rows. A purge killed anywhere leaves no file without a row (the row is still
there, marked) and no row without its file that the index would offer (a ``purging``
row is never shown nor played); the next purge finishes the marked rows first. Held
recordings are never marked. One purge runs at a time (:mod:`recordings.purge_lock`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, and_, delete, func, insert, select, update

from callgrid.database import Database
from callgrid.web.audit import AuditLog
from recordings.model import RecordingState
from recordings.purge_lock import only_purge
from recordings.tables import PurgeRunRow, RecordingGrantRow, RecordingRow
from worktime.clock import Clock

log = logging.getLogger(__name__)
PURGE_SOURCE = "retention purge"
FINISHED = (RecordingState.STORED, RecordingState.EMPTY, RecordingState.MISSING)


@dataclass
class PurgeFigures:
    deleted: int = 0
    held: int = 0
    """Expired recordings kept because a supervisor put them on hold."""
    freed_bytes: int = 0
    files_missing: int = 0
    """Rows whose file was gone already (deleted by hand, a lost disk)."""
    started_at: datetime | None = None
    finished_at: datetime | None = None


class Purge:
    def __init__(
        self, database: Database, directory: Path, clock: Clock, batch: int, audit: AuditLog
    ) -> None:
        """Each batch deleted is one entry of ``audit`` (``recording.delete``, with the
        ids), written with the rows' deletion."""
        self.database = database
        self.directory = directory
        self.clock = clock
        self.batch = batch
        self.audit = audit

    async def run(self, by: str) -> PurgeFigures:
        """Delete every expired recording not on hold, in batches; store the figures.
        ``by``: who runs it, as the audit log names them. :class:`PurgeBusy` when another
        purge runs."""
        async with only_purge(self.database, self.directory):
            return await self._run(by)

    async def _run(self, by: str) -> PurgeFigures:
        now = self.clock()
        figures = PurgeFigures(started_at=now)
        await self._finish_marked(figures, by)
        while await self._purge_batch(now, figures, by):
            pass
        figures.held = await self._count_due(now, held=True)
        figures.finished_at = self.clock()
        async with self.database.engine.begin() as connection:
            await connection.execute(
                insert(PurgeRunRow).values(
                    started_at=figures.started_at,
                    finished_at=figures.finished_at,
                    deleted=figures.deleted,
                    held=figures.held,
                    freed_bytes=figures.freed_bytes,
                    by=by[:64],
                )
            )
        if figures.deleted or figures.files_missing:
            log.info(
                "recordings purge: %d deleted (%d bytes), %d on hold kept, %d files gone already",
                figures.deleted,
                figures.freed_bytes,
                figures.held,
                figures.files_missing,
            )
        return figures

    async def preview(self) -> PurgeFigures:
        """What a purge now would delete, deleting nothing (``--dry-run``)."""
        now = self.clock()
        due = _due(now, held=False)
        query = select(func.count(), func.coalesce(func.sum(RecordingRow.size_bytes), 0)).where(due)
        async with self.database.session() as session:
            count, size = (await session.execute(query)).one()
        return PurgeFigures(
            deleted=int(count),
            held=await self._count_due(now, held=True),
            freed_bytes=int(size or 0),
            started_at=now,
            finished_at=now,
        )

    async def _purge_batch(self, now: datetime, figures: PurgeFigures, by: str) -> bool:
        candidates = select(RecordingRow.id).where(_due(now, held=False)).limit(self.batch)
        async with self.database.engine.begin() as connection:
            marked = (
                await connection.execute(
                    update(RecordingRow)
                    .where(RecordingRow.id.in_(candidates.scalar_subquery()))
                    # checked again on each row (another purge, a hold just set) but not
                    # with _due, whose index SQLite would walk again for every batch
                    .where(
                        RecordingRow.state != RecordingState.PURGING.value,
                        RecordingRow.hold_reason.is_(None),
                        RecordingRow.delete_after <= now,
                    )
                    .values(state=RecordingState.PURGING.value)
                    .returning(RecordingRow.id, RecordingRow.path, RecordingRow.size_bytes)
                )
            ).all()
        if not marked:
            return False
        await self._delete([(row.id, row.path, row.size_bytes) for row in marked], figures, by)
        return True

    async def _finish_marked(self, figures: PurgeFigures, by: str) -> None:
        """Rows a purge marked and did not finish (it was killed): finished now."""
        while True:
            query = (
                select(RecordingRow.id, RecordingRow.path, RecordingRow.size_bytes)
                .where(RecordingRow.state == RecordingState.PURGING.value)
                .limit(self.batch)
            )
            async with self.database.session() as session:
                marked = (await session.execute(query)).all()
            if not marked:
                return
            await self._delete([(row.id, row.path, row.size_bytes) for row in marked], figures, by)

    async def _delete(
        self, marked: list[tuple[int, str, int | None]], figures: PurgeFigures, by: str
    ) -> None:
        freed, missing = await asyncio.to_thread(self._unlink, marked)
        figures.freed_bytes += freed
        figures.files_missing += missing
        ids = [row[0] for row in marked]
        async with self.database.session() as session, session.begin():
            grants = RecordingGrantRow.recording_id.in_(ids)
            await session.execute(delete(RecordingGrantRow).where(grants))
            await session.execute(delete(RecordingRow).where(RecordingRow.id.in_(ids)))
            await self.audit.record(
                "recording.delete",
                actor=by,
                source=PURGE_SOURCE,
                subject_kind="recording",
                subject_id=f"{min(ids)}…{max(ids)}" if len(ids) > 1 else ids[0],
                details={"ids": ids, "reason": "the retention term is over (REC-2)"},
                session=session,
            )
        figures.deleted += len(marked)

    def _unlink(self, marked: list[tuple[int, str, int | None]]) -> tuple[int, int]:
        """Delete the files (off the event loop, which serves calls): bytes freed, and
        how many were gone already."""
        freed = missing = 0
        for _id, path, size in marked:
            try:
                os.unlink(os.path.join(self.directory, path))  # no Path a file: 1M of them
                freed += size or 0
            except FileNotFoundError:
                missing += 1
        return freed, missing

    async def _count_due(self, now: datetime, *, held: bool) -> int:
        query = select(func.count()).select_from(RecordingRow).where(_due(now, held=held))
        async with self.database.session() as session:
            return int((await session.execute(query)).scalar_one())


def _due(now: datetime, *, held: bool) -> ColumnElement[bool]:
    """Expired, finished recordings: those on hold, or those not."""
    hold = RecordingRow.hold_reason.is_not(None) if held else RecordingRow.hold_reason.is_(None)
    return and_(
        RecordingRow.state.in_([state.value for state in FINISHED]),
        RecordingRow.delete_after <= now,
        hold,
    )
