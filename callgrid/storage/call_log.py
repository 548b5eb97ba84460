"""Storing calls and callback requests (the storage side of ``ivr.call_record``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update

from callgrid.storage.database import Database
from callgrid.storage.tables import CallbackRequestRow, CallRow
from ivr.call_record import CallEnd, CallStart


@dataclass(frozen=True)
class TopicCount:
    topic: str
    calls: int


class SqlCallLog:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def call_started(self, start: CallStart) -> int:
        """Insert the call at once (core statements: this runs twice for every call)."""
        async with self.database.engine.begin() as connection:
            result = await connection.execute(
                insert(CallRow).returning(CallRow.id),
                {
                    "uniqueid": start.uniqueid,
                    "channel": start.channel,
                    "line": start.line,
                    "dialled_number": start.dialled_number,
                    "caller_id": start.caller_id,
                    "started_at": start.started_at,
                    "path": [],
                    "inputs": "",
                },
            )
            return int(result.scalar_one())

    async def call_ended(self, call_id: int, end: CallEnd) -> None:
        async with self.database.engine.begin() as connection:
            await connection.execute(
                update(CallRow)
                .where(CallRow.id == call_id)
                .values(
                    answered_at=end.answered_at,
                    ended_at=end.ended_at,
                    path=list(end.path),
                    inputs=end.inputs[:512],
                    topic=end.topic,
                    outcome=end.outcome.value,
                    ended_by=end.ended_by,
                    operator=end.operator,
                )
            )

    async def get(self, call_id: int) -> CallRow | None:
        async with self.database.session() as session:
            return await session.get(CallRow, call_id)

    async def find_by_uniqueid(self, uniqueid: str) -> CallRow | None:
        async with self.database.session() as session:
            result = await session.execute(select(CallRow).where(CallRow.uniqueid == uniqueid))
            return result.scalars().first()

    async def recent(self, limit: int = 20) -> list[CallRow]:
        async with self.database.session() as session:
            result = await session.execute(select(CallRow).order_by(CallRow.id.desc()).limit(limit))
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


class SqlCallbackBook:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def request_callback(
        self, call_id: int | None, phone: str, line: str, topic: str | None, at: datetime
    ) -> int:
        row = CallbackRequestRow(
            call_id=call_id,
            phone=phone,
            line=line,
            topic=topic,
            requested_at=at,
            status="open",
            note="",
        )
        async with self.database.session() as session, session.begin():
            session.add(row)
        return row.id

    async def for_call(self, call_id: int) -> list[CallbackRequestRow]:
        async with self.database.session() as session:
            result = await session.execute(
                select(CallbackRequestRow).where(CallbackRequestRow.call_id == call_id)
            )
            return list(result.scalars())
