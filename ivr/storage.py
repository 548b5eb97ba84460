"""Storing calls and callback requests (the storage side of ``ivr.call_record``).

Every call is written twice (when it starts and when it ends), from many calls at
once. One transaction each would cost about a millisecond of CPU in SQLAlchemy's
async machinery, several times the AGI work of the whole call, so records are written
in batches: a call's rows are queued, and one writer task stores everything queued
in a single transaction, usually within a few milliseconds. Call ids are made here
(UUIDs), so several engine processes can write to one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, bindparam, func, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from callgrid.database import Base, Database, UtcDateTime
from ivr.call_record import CallEnd, CallStart

log = logging.getLogger(__name__)
MAX_BATCH = 1000
GATHER_SECONDS = 0.05  # how long the writer lets rows gather into one transaction
RETRY_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)


class CallRow(Base):
    """One inbound call as the IVR saw it (IVR-8)."""

    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uniqueid: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(128))
    line: Mapped[str] = mapped_column(String(32))
    dialled_number: Mapped[str] = mapped_column(String(32))
    caller_id: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    path: Mapped[list[str]] = mapped_column(JSON, default=list)
    inputs: Mapped[str] = mapped_column(String(512), default="")
    topic: Mapped[str | None] = mapped_column(String(128), index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    ended_by: Mapped[str | None] = mapped_column(String(16))
    operator: Mapped[str | None] = mapped_column(String(128))


@dataclass(frozen=True)
class TopicCount:
    topic: str
    calls: int


def _require_zone(*moments: datetime | None) -> None:
    for moment in moments:
        if moment is not None and moment.tzinfo is None:
            raise ValueError("naive datetime given for a call record; times must carry a zone")


class SqlCallLog:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._starts: list[dict[str, Any]] = []
        self._ends: list[dict[str, Any]] = []
        self._queued = 0
        self._written = 0
        self._progress = asyncio.Condition()
        self._wakeup = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    async def call_started(self, start: CallStart) -> str:
        _require_zone(start.started_at)
        call_id = uuid.uuid4().hex
        self._starts.append(
            {
                "id": call_id,
                "uniqueid": start.uniqueid,
                "channel": start.channel,
                "line": start.line,
                "dialled_number": start.dialled_number,
                "caller_id": start.caller_id,
                "started_at": start.started_at,
                "path": [],
                "inputs": "",
            }
        )
        self._queue_one()
        return call_id

    async def call_ended(self, call_id: str, end: CallEnd) -> None:
        _require_zone(end.answered_at, end.ended_at)
        self._ends.append(
            {
                "call": call_id,
                "answered_at": end.answered_at,
                "ended_at": end.ended_at,
                "path": list(end.path),
                "inputs": end.inputs[:512],
                "topic": end.topic,
                "outcome": end.outcome.value,
                "ended_by": end.ended_by,
                "operator": end.operator,
            }
        )
        self._queue_one()

    def _queue_one(self) -> None:
        self._queued += 1
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_forever(), name="call-log-writer")
        self._wakeup.set()

    async def flush(self) -> None:
        """Wait until everything queued so far is stored."""
        target = self._queued
        async with self._progress:
            await self._progress.wait_for(lambda: self._written >= target)

    async def close(self) -> None:
        if self._writer is not None:
            await self.flush()
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)

    async def _write_forever(self) -> None:
        failures = 0
        while True:
            await self._wakeup.wait()
            await asyncio.sleep(GATHER_SECONDS)
            self._wakeup.clear()
            while self._starts or self._ends:
                starts, self._starts = self._starts[:MAX_BATCH], self._starts[MAX_BATCH:]
                ends, self._ends = self._ends[:MAX_BATCH], self._ends[MAX_BATCH:]
                try:
                    await self._store(starts, ends)
                except Exception:
                    self._starts[:0], self._ends[:0] = starts, ends
                    pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                    failures += 1
                    log.exception(
                        "storing %d call records failed; retrying in %g s",
                        len(starts) + len(ends),
                        pause,
                    )
                    await asyncio.sleep(pause)
                    continue
                failures = 0
                async with self._progress:
                    self._written += len(starts) + len(ends)
                    self._progress.notify_all()

    async def _store(self, starts: list[dict[str, Any]], ends: list[dict[str, Any]]) -> None:
        """One transaction: new calls first, so a call that starts and ends in one batch
        is inserted before it is closed."""
        async with self.database.engine.begin() as connection:
            if starts:
                await connection.execute(insert(CallRow), starts)
            if ends:
                await connection.execute(
                    update(CallRow)
                    .where(CallRow.id == bindparam("call"))
                    .values({name: bindparam(name) for name in ends[0] if name != "call"}),
                    ends,
                )

    async def get(self, call_id: str) -> CallRow | None:
        async with self.database.session() as session:
            return await session.get(CallRow, call_id)

    async def find_by_uniqueid(self, uniqueid: str) -> CallRow | None:
        async with self.database.session() as session:
            result = await session.execute(select(CallRow).where(CallRow.uniqueid == uniqueid))
            return result.scalars().first()

    async def recent(self, limit: int = 20) -> list[CallRow]:
        async with self.database.session() as session:
            result = await session.execute(
                select(CallRow).order_by(CallRow.started_at.desc()).limit(limit)
            )
            return list(result.scalars())

    async def counts_by_topic(self, since: datetime, until: datetime) -> list[TopicCount]:
        """Calls per topic started in [since, until), most frequent first (IVR-8)."""
        async with self.database.session() as session:
            result = await session.execute(
                select(CallRow.topic, func.count())
                .where(CallRow.started_at >= since, CallRow.started_at < until)
                .group_by(CallRow.topic)
                .order_by(func.count().desc(), CallRow.topic.asc().nulls_last())
            )
            return [TopicCount(topic or "—", count) for topic, count in result.all()]
