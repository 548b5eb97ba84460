"""What the database holds after a run: call rows, keyed readings, callback requests."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bench.reading_accounts import keyed_readings
from callcenter.tables import TaskRow
from callcenter.tasks import TaskKind
from callgrid.database import Database
from customers.tables import AccountRow
from ivr.call_rows import CallRow, CallStatus


@dataclass(frozen=True)
class StoredCall:
    status: str
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class Stored:
    calls: dict[str, list[StoredCall]]
    """Every call row, by the Asterisk uniqueid it was stored for."""
    readings: dict[tuple[str, str], int]
    """Readings keyed by phone, by account number and zone."""
    callbacks: dict[str, int]
    """Callback requests by the number to call back."""
    open_rows: int
    """Rows still ``in_progress``."""


async def read_stored(database: Database) -> Stored:
    calls: dict[str, list[StoredCall]] = defaultdict(list)
    async with database.session() as session:
        rows = await session.execute(
            select(CallRow.uniqueid, CallRow.status, CallRow.started_at, CallRow.ended_at)
        )
        for uniqueid, status, started_at, ended_at in rows:
            calls[uniqueid].append(StoredCall(status, started_at, ended_at))
        callbacks = await session.execute(
            select(TaskRow.phone, func.count())
            .where(TaskRow.kind == TaskKind.CALLBACK.value)
            .group_by(TaskRow.phone)
        )
        by_number = {phone: count for phone, count in callbacks}
    readings = await keyed_readings(database)
    open_rows = sum(
        1 for rows_ in calls.values() for row in rows_ if row.status == CallStatus.IN_PROGRESS
    )
    return Stored(dict(calls), readings, by_number, open_rows)


async def ensure_empty(database: Database) -> None:
    """Refuse a database with calls or accounts in it: figures count what a run stored."""
    async with database.session() as session:
        for table in (CallRow, AccountRow):
            found = await session.execute(select(func.count()).select_from(table))
            if found.scalar_one():
                raise RuntimeError(
                    f"the database has {table.__tablename__} already: give an empty one"
                )


async def open_rows_started_before(database: Database, moment: datetime) -> int:
    """Rows still ``in_progress`` among the calls started before ``moment``."""
    async with database.session() as session:
        count = await session.execute(
            select(func.count())
            .select_from(CallRow)
            .where(CallRow.status == CallStatus.IN_PROGRESS.value, CallRow.started_at < moment)
        )
        return int(count.scalar_one())
