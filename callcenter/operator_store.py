"""The operators' states in the database: the board's view now (one row an operator,
replaced as it changes) and every finished stretch of time in one state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select

from callcenter.board import Span
from callcenter.operator_state import Activity, OperatorState
from callcenter.queue_call_store import add_after_call_work
from callcenter.tables import OperatorNowRow, OperatorSpanRow
from callgrid.database import Database


@dataclass(frozen=True)
class OperatorNow:
    """An operator as the wallboard shows them."""

    login: str
    activity: Activity
    reason: str
    since: datetime
    queues: tuple[str, ...]
    over_limit: bool

    def seconds_in_state(self, now: datetime) -> float:
        return max(0.0, (now - self.since).total_seconds())


class SqlOperators:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def record(
        self, states: Sequence[OperatorState], spans: Sequence[Span], at: datetime
    ) -> None:
        """These operators' states replace their stored ones; the spans are added (and
        each one of after-call work onto the queue stay it followed)."""
        async with self.database.engine.begin() as connection:
            logins = [state.login[:64] for state in states]
            if logins:
                await connection.execute(
                    delete(OperatorNowRow).where(OperatorNowRow.login.in_(logins))
                )
            if states:
                await connection.execute(
                    insert(OperatorNowRow),
                    [
                        {
                            "login": state.login[:64],
                            "activity": state.activity.value,
                            "reason": state.reason[:64],
                            "since": state.since,
                            "queues": ",".join(sorted(state.queues))[:512],
                            "over_limit": state.over_limit,
                            "updated_at": at,
                        }
                        for state in states
                    ],
                )
            if spans:
                await connection.execute(
                    insert(OperatorSpanRow),
                    [
                        {
                            "login": span.login[:64],
                            "activity": span.activity.value,
                            "reason": span.reason[:64],
                            "started_at": span.start,
                            "ended_at": span.end,
                        }
                        for span in spans
                    ],
                )
                await add_after_call_work(connection, spans)

    async def now(self) -> list[OperatorNow]:
        async with self.database.session() as session:
            rows = await session.execute(select(OperatorNowRow).order_by(OperatorNowRow.login))
            return [
                OperatorNow(
                    row.login,
                    Activity(row.activity),
                    row.reason,
                    row.since,
                    tuple(queue for queue in row.queues.split(",") if queue),
                    row.over_limit,
                )
                for row in rows.scalars()
            ]

    async def spans(self, since: datetime, until: datetime) -> list[Span]:
        """The stretches that ended in [since, until), oldest first."""
        query = (
            select(OperatorSpanRow)
            .where(OperatorSpanRow.ended_at >= since, OperatorSpanRow.ended_at < until)
            .order_by(OperatorSpanRow.started_at, OperatorSpanRow.id)
        )
        async with self.database.session() as session:
            rows = await session.execute(query)
            return [
                Span(row.login, Activity(row.activity), row.reason, row.started_at, row.ended_at)
                for row in rows.scalars()
            ]
