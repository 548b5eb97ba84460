"""The queue calls as registered (CC-6): one row a caller's stay in a queue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from callcenter.board import Span
from callcenter.call_register import CallOutcome, QueueCall
from callcenter.operator_state import Activity
from callcenter.statistics import DEFAULT_SHORT_ABANDON_SECONDS, Figures
from callcenter.tables import QueueStayRow
from callgrid.database import Database
from telephony.interfaces import operator_login

ANSWERED = (CallOutcome.ANSWERED.value, CallOutcome.TRANSFERRED.value)
WORK_FOLLOWS_WITHIN = timedelta(seconds=10)
"""How far from the end of a call its after-call work may be seen to start: the two come
from the same AMI events (AgentComplete, the device free), taken by two handlers."""
LONGEST_STAY = timedelta(hours=4)
"""A stay is looked for among those that joined this long before (the register lets a
call go after 4 hours)."""


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

    async def figures_between(
        self,
        since: datetime,
        until: datetime,
        answer_seconds: float,
        short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS,
    ) -> dict[str, Figures]:
        """:func:`callcenter.statistics.figures` of each queue's calls that joined it in
        [since, until), summed by the database (one row a queue, not one a call)."""
        row = QueueStayRow
        answered = row.outcome.in_(ANSWERED)
        within = row.wait_seconds <= answer_seconds
        abandoned = row.outcome == CallOutcome.ABANDONED.value
        query = (
            select(
                row.queue,
                _count(answered),
                _count(answered & within),
                _count(row.outcome == CallOutcome.TRANSFERRED.value),
                _count(abandoned),
                _count(abandoned & (row.wait_seconds < short_abandon_seconds)),
                _count(row.outcome == CallOutcome.TIMEOUT.value),
                _count(~answered & within),
                _sum(answered, row.wait_seconds),
                _sum(answered, row.talk_seconds),
                _sum(answered, func.coalesce(row.after_call_work_seconds, 0.0)),
                func.max(row.wait_seconds),
            )
            .where(row.joined_at >= since, row.joined_at < until)
            .group_by(row.queue)
            .order_by(row.queue)
        )
        async with self.database.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return {queue: _figures(answer_seconds, *sums) for queue, *sums in rows}


async def add_after_call_work(connection: AsyncConnection, spans: Iterable[Span]) -> None:
    """Each finished stretch of after-call work onto the stay it followed (CC-2): the
    operator's answered stay, with no work yet, that ended nearest its start."""
    for span in spans:
        if span.activity is not Activity.AFTER_CALL_WORK:
            continue
        row = QueueStayRow
        near = select(row.id, row.operator_interface, row.ended_at).where(
            row.joined_at >= span.start - LONGEST_STAY,
            row.joined_at <= span.start + WORK_FOLLOWS_WITHIN,
            row.ended_at >= span.start - WORK_FOLLOWS_WITHIN,
            row.ended_at <= span.start + WORK_FOLLOWS_WITHIN,
            row.outcome.in_(ANSWERED),
            row.after_call_work_seconds.is_(None),
        )
        found = [
            (abs((ended_at - span.start).total_seconds()), stay)
            for stay, interface, ended_at in (await connection.execute(near)).all()
            if ended_at is not None and operator_login(interface) == span.login
        ]
        if found:
            stay = min(found)[1]
            work = update(row).where(row.id == stay).values(after_call_work_seconds=span.seconds)
            await connection.execute(work)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _sum(condition: ColumnElement[bool], value: SQLColumnExpression[float]) -> ColumnElement[float]:
    return func.sum(case((condition, value), else_=0.0))


def _figures(answer_seconds: float, *sums: Any) -> Figures:
    """One queue's row of :meth:`SqlQueueCalls.figures_between`."""
    counts, totals = [int(count) for count in sums[:7]], [float(total) for total in sums[7:]]
    return Figures(
        answer_seconds=answer_seconds,
        answered=counts[0],
        answered_within=counts[1],
        transferred=counts[2],
        abandoned=counts[3],
        short_abandoned=counts[4],
        timed_out=counts[5],
        unanswered_within=counts[6],
        wait_seconds=totals[0],
        talk_seconds=totals[1],
        after_call_work_seconds=totals[2],
        longest_wait_seconds=totals[3],
    )


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
