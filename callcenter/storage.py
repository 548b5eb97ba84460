"""Storing the work people do after a call: callback requests (CC-5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from callcenter.tables import CallbackRequestRow
from callgrid.database import Database


class SqlCallbackBook:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def request_callback(
        self, call_id: str | None, phone: str, line: str, topic: str | None, at: datetime
    ) -> int:
        """Stored at once: the caller has just been told it is accepted."""
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

    async def for_call(self, call_id: str) -> list[CallbackRequestRow]:
        async with self.database.session() as session:
            result = await session.execute(
                select(CallbackRequestRow).where(CallbackRequestRow.call_id == call_id)
            )
            return list(result.scalars())
