"""The figures of the retention page: how the index stands against the 60-day limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from callgrid.database import Database
from recordings.model import RecordingState
from recordings.purge import FINISHED
from recordings.retention import age_in_days, due_by_end_of_day
from recordings.tables import PurgeRunRow, RecordingRow


@dataclass(frozen=True)
class PurgeRun:
    started_at: datetime
    finished_at: datetime
    deleted: int
    held: int
    freed_bytes: int
    by: str


@dataclass(frozen=True)
class RetentionStatus:
    retention_days: int
    kept: int
    empty: int
    """Zero-length recordings (the caller hung up during the notice): indexed, not playable."""
    recording: int
    oldest_started_at: datetime | None
    oldest_age_days: int | None
    oldest_not_held_age_days: int | None
    """Over the limit means the purge is behind (REC-2)."""
    due_today: int
    on_hold: int
    held_past_term: int
    last_purge: PurgeRun | None

    @property
    def within_limit(self) -> bool:
        age = self.oldest_not_held_age_days
        return age is None or age <= self.retention_days


async def retention_status(
    database: Database, now: datetime, zone: tzinfo, retention_days: int
) -> RetentionStatus:
    finished = RecordingRow.state.in_([state.value for state in FINISHED])
    held, not_held = RecordingRow.hold_reason.is_not(None), RecordingRow.hold_reason.is_(None)
    async with database.session() as session:

        async def count(*conditions: ColumnElement[bool]) -> int:
            query = select(func.count()).select_from(RecordingRow).where(*conditions)
            return int((await session.execute(query)).scalar_one())

        async def earliest(*conditions: ColumnElement[bool]) -> datetime | None:
            query = select(func.min(RecordingRow.started_at)).where(*conditions)
            found: datetime | None = (await session.execute(query)).scalar_one()
            return found

        oldest, oldest_free = await earliest(), await earliest(not_held)
        figures = RetentionStatus(
            retention_days=retention_days,
            kept=await count(finished),
            empty=await count(RecordingRow.state == RecordingState.EMPTY.value),
            recording=await count(RecordingRow.state == RecordingState.RECORDING.value),
            oldest_started_at=oldest,
            oldest_age_days=None if oldest is None else age_in_days(oldest, now, zone),
            oldest_not_held_age_days=None
            if oldest_free is None
            else age_in_days(oldest_free, now, zone),
            due_today=await count(
                finished, RecordingRow.delete_after <= due_by_end_of_day(now, zone), not_held
            ),
            on_hold=await count(held),
            held_past_term=await count(held, RecordingRow.delete_after <= now),
            last_purge=await _last_purge(session),
        )
    return figures


async def _last_purge(session: AsyncSession) -> PurgeRun | None:
    last = await session.scalar(select(PurgeRunRow).order_by(PurgeRunRow.id.desc()).limit(1))
    if last is None:
        return None
    return PurgeRun(
        last.started_at, last.finished_at, last.deleted, last.held, last.freed_bytes, last.by
    )
