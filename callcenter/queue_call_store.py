"""The queue calls as registered (CC-6): one row a caller's stay in a queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from callcenter.call_register import CallOutcome, QueueCall
from callcenter.tables import QueueStayRow
from callgrid.database import Database


class SqlQueueCalls:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, call: QueueCall) -> None:
        if call.outcome is None:
            raise ValueError(f"queue call {call.uniqueid} has not ended")
        values = {
            "queue": call.queue[:64],
            "uniqueid": call.uniqueid[:64],
            "linkedid": call.linkedid[:64],
            "caller": (call.caller or "")[:32] or None,
            "operator": (call.operator or "")[:64] or None,
            "operator_interface": (call.operator_interface or "")[:128] or None,
            "topic": (call.topic or "")[:128] or None,
            "joined_at": call.joined_at,
            "answered_at": call.answered_at,
            "ended_at": call.ended_at,
            "wait_seconds": call.wait_seconds,
            "ring_seconds": call.ring_seconds,
            "ring_attempts": call.ring_attempts,
            "talk_seconds": call.talk_seconds,
            "outcome": call.outcome.value,
            "abandon_position": call.abandon_position,
            "after_call_work_seconds": call.after_call_work_seconds,
        }
        async with self.database.engine.begin() as connection:
            await connection.execute(insert(QueueStayRow), [values])

    async def joined_between(self, since: datetime, until: datetime) -> list[QueueCall]:
        """The calls that joined a queue in [since, until), in the order they joined."""
        query = (
            select(QueueStayRow)
            .where(QueueStayRow.joined_at >= since, QueueStayRow.joined_at < until)
            .order_by(QueueStayRow.joined_at, QueueStayRow.id)
        )
        async with self.database.session() as session:
            return [_call(row) for row in (await session.execute(query)).scalars()]


def _call(row: QueueStayRow) -> QueueCall:
    return QueueCall(
        queue=row.queue,
        uniqueid=row.uniqueid,
        linkedid=row.linkedid,
        caller=row.caller,
        joined_at=row.joined_at,
        operator=row.operator,
        operator_interface=row.operator_interface,
        topic=row.topic,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        wait_seconds=row.wait_seconds,
        ring_seconds=row.ring_seconds,
        ring_attempts=row.ring_attempts,
        talk_seconds=row.talk_seconds,
        outcome=CallOutcome(row.outcome),
        abandon_position=row.abandon_position,
        after_call_work_seconds=row.after_call_work_seconds,
    )
