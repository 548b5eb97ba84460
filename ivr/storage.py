"""Storing calls (the storage side of ``ivr.call_record``).

Every call is written twice, when it starts and when it ends, from many calls at
once, so rows are queued and stored in batches by one writer (``ivr.call_log_writer``,
which also holds its policies on refused rows and database outages). Call ids are made
here (UUIDs), so several engine processes can write to one PostgreSQL; each engine's
calls carry its ``engine_id``, so a restarted engine closes the calls it left open.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from callgrid.database import Database
from callgrid.metrics import CALLS_ENDED
from ivr.call_log_writer import (
    CallLogWriter,
    WriterSettings,
    close_interrupted,
    release_queued,
)
from ivr.call_record import CallEnd, CallStart
from ivr.call_rows import CallRow, CallStatus, fitted
from worktime.clock import Clock, system_clock

__all__ = ["CallRow", "CallStatus", "SqlCallLog", "TopicCount"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicCount:
    topic: str
    calls: int


def _require_zone(*moments: datetime | None) -> None:
    for moment in moments:
        if moment is not None and moment.tzinfo is None:
            raise ValueError("naive datetime given for a call record; times must carry a zone")


class SqlCallLog:
    """The call log. For /readyz and /metrics: ``healthy`` (the last write worked),
    ``backlog`` (records waiting) and ``last_error`` (the kind of the last failure)."""

    def __init__(
        self,
        database: Database,
        clock: Clock = system_clock,
        engine_id: str | None = None,
        settings: WriterSettings | None = None,
    ) -> None:
        self.database = database
        self.engine_id = (engine_id or uuid.uuid4().hex)[:64]
        self._clock = clock
        self._writer = CallLogWriter(database, clock, self.engine_id, settings or WriterSettings())

    @property
    def healthy(self) -> bool:
        return self._writer.healthy

    @property
    def backlog(self) -> int:
        return self._writer.backlog

    @property
    def last_error(self) -> str | None:
        return self._writer.last_error

    @property
    def dropped(self) -> int:
        """Records refused by the database or not kept because the backlog was full."""
        return self._writer.dropped

    async def start(self) -> None:
        """Close as interrupted, at the moment they were last seen, the calls this engine
        left in progress when it last stopped (killed, crashed), and those of any engine
        not seen for the lease (one that never came back); the calls either had handed
        to a queue turn ``in_queue``, for another engine or the queue_log to end. Then
        start writing."""
        lease = timedelta(seconds=self._writer.settings.lease_seconds)
        async with self.database.engine.begin() as connection:
            own = await connection.execute(close_interrupted(None, self.engine_id))
            others = await connection.execute(close_interrupted(self._clock() - lease, None))
            queued = await connection.execute(release_queued(None, self.engine_id))
            await connection.execute(release_queued(self._clock() - lease, None))
        if queued.rowcount:
            log.info(
                "%d calls this engine had handed to a queue before it stopped: their ends "
                "come from the after-queue request or from Asterisk's queue_log",
                queued.rowcount,
            )
        if own.rowcount:
            log.warning(
                "%d calls left in progress by the previous run of engine %s closed as interrupted",
                own.rowcount,
                self.engine_id,
            )
        if others.rowcount:
            log.warning(
                "%d calls of engines not seen for %g s closed as interrupted",
                others.rowcount,
                lease.total_seconds(),
            )
        self._writer.start()

    async def call_started(self, start: CallStart) -> str:
        _require_zone(start.started_at)
        call_id = uuid.uuid4().hex
        self._writer.queue_start(
            fitted(
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
                    "status": CallStatus.IN_PROGRESS.value,
                    "engine_id": self.engine_id,
                    "last_seen_at": start.started_at,
                    "answered_at": None,
                    "ended_at": None,
                    "topic": None,
                    "outcome": None,
                    "ended_by": None,
                    "operator": None,
                }
            )
        )
        return call_id

    async def call_ended(self, call_id: str, end: CallEnd) -> None:
        _require_zone(end.answered_at, end.ended_at)
        if end.left_in_queue:
            self._left_in_queue(call_id, end)
            return
        CALLS_ENDED.labels(end.outcome.value).inc()
        self._writer.queue_end(
            call_id,
            fitted(
                {
                    "answered_at": end.answered_at,
                    "ended_at": end.ended_at,
                    "last_seen_at": end.ended_at,
                    "path": list(end.path),
                    "inputs": end.inputs,
                    "topic": end.topic,
                    "outcome": end.outcome.value,
                    "ended_by": end.ended_by,
                    "operator": end.operator,
                    "status": CallStatus.ENDED.value,
                }
            ),
        )

    async def queue_ended(self, call_id: str, end: CallEnd) -> None:
        """Written at once, not batched, and only to a row still ``in_queue``: the
        request names the call, and no other call's record may be closed by it."""
        _require_zone(end.ended_at)
        values = fitted(
            {
                "ended_at": end.ended_at,
                "last_seen_at": end.ended_at,
                "outcome": end.outcome.value,
                "ended_by": end.ended_by,
                "operator": end.operator,
                "status": CallStatus.ENDED.value,
            }
        )
        waiting = CallRow.status.in_([CallStatus.QUEUED.value, CallStatus.IN_QUEUE.value])
        try:
            async with self.database.engine.begin() as connection:
                stored = await connection.execute(
                    update(CallRow).where(CallRow.id == call_id, waiting).values(values)
                )
        except SQLAlchemyError as error:
            log.error(
                "call %s: its end after the queue was not stored (%s)",
                call_id[:64],
                type(error).__name__,
            )
            return
        if stored.rowcount:
            CALLS_ENDED.labels(end.outcome.value).inc()
        else:
            log.warning("call %s is not waiting in a queue: its end is not stored", call_id[:64])

    def _left_in_queue(self, call_id: str, end: CallEnd) -> None:
        """The caller was handed to the dialplan's ``Queue()``: the row stays open (no
        end, no outcome), ``queued``, until the after-queue request stores the end."""
        self._writer.queue_end(
            call_id,
            fitted(
                {
                    "answered_at": end.answered_at,
                    "ended_at": None,
                    "last_seen_at": end.ended_at,
                    "path": list(end.path),
                    "inputs": end.inputs,
                    "topic": end.topic,
                    "outcome": None,
                    "ended_by": None,
                    "operator": None,
                    "status": CallStatus.QUEUED.value,
                }
            ),
        )

    async def flush(self) -> None:
        """Wait until everything queued so far is stored (or dropped)."""
        await self._writer.flush()

    async def close(self) -> None:
        """Store what is queued, waiting a bounded time; what could not be is logged."""
        await self._writer.close()

    async def get(self, call_id: str) -> CallRow | None:
        async with self.database.session() as session:
            return await session.get(CallRow, call_id)

    async def find_by_uniqueid(self, uniqueid: str) -> CallRow | None:
        """The first record of an Asterisk channel (a call handed back to the dialplan
        and taken by another engine has one more record per engine)."""
        rows = await self.rows_of_channel(uniqueid)
        return rows[0] if rows else None

    async def rows_of_channel(self, uniqueid: str) -> list[CallRow]:
        """Every record of one Asterisk channel, in the order they started."""
        async with self.database.session() as session:
            result = await session.execute(
                select(CallRow)
                .where(CallRow.uniqueid == uniqueid)
                .order_by(CallRow.started_at, CallRow.id)
            )
            return list(result.scalars())

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
