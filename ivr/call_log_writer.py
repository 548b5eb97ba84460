"""The call-record writer: batches, a heartbeat for calls in progress, and its policies.

Batches: a start and an end are queued and stored within one gather interval, one
transaction for everything queued (one per record would cost ~1 ms of CPU each). An
end whose start is still queued is merged into it, so a call that starts and ends
while the database is away takes one record.

Refusal: a batch the database refuses as data (DataError, IntegrityError) is stored
again row by row; each refused row is logged once by its call id and dropped.

Outage: any other error keeps the batch and retries with backoff; ``healthy`` is
False meanwhile. At most ``max_backlog`` calls wait: a call starting beyond that is
not recorded (counted, logged once per outage). Ends of calls whose start is stored
are always kept; there are no more of them than calls in progress.

Heartbeat: every ``heartbeat_seconds`` one statement sets ``last_seen_at`` on this
engine's calls in progress and closes, as interrupted at their last sighting, calls
of any engine not seen for ``lease_seconds`` (an engine that never came back).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from callgrid.database import Database
from callgrid.metrics import CALL_RECORD_QUEUE, CALL_RECORD_WRITES_FAILED
from ivr.call_record import Outcome
from ivr.call_rows import CallRow, CallStatus
from worktime.clock import Clock

log = logging.getLogger(__name__)
MAX_BATCH = 1000
RETRY_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)
REFUSED = (DataError, IntegrityError)
Record = dict[str, Any]


@dataclass(frozen=True)
class WriterSettings:
    gather_seconds: float = 0.05
    heartbeat_seconds: float = 5.0
    lease_seconds: float = 120.0
    max_backlog: int = 50_000
    close_timeout: float = 5.0


@dataclass
class Batch:
    starts: dict[str, Record] = field(default_factory=dict)
    ends: dict[str, Record] = field(default_factory=dict)
    seen_at: datetime | None = None
    """When due, the heartbeat's moment."""

    def __len__(self) -> int:
        return len(self.starts) + len(self.ends)


def close_interrupted(cutoff: datetime | None, engine_id: str | None) -> Any:
    """Close calls in progress as interrupted when their engine last saw them: an
    engine's own (``engine_id``), or any not seen since ``cutoff``."""
    statement = update(CallRow).where(CallRow.status == CallStatus.IN_PROGRESS.value)
    if engine_id is not None:
        statement = statement.where(CallRow.engine_id == engine_id)
    if cutoff is not None:
        statement = statement.where(CallRow.last_seen_at < cutoff)
    return statement.values(
        status=CallStatus.INTERRUPTED.value,
        outcome=Outcome.INTERRUPTED.value,
        ended_by="engine",
        ended_at=CallRow.last_seen_at,
    )


def release_queued(cutoff: datetime | None, engine_id: str | None) -> Any:
    """Calls an engine handed to the dialplan's queue (``queued``) that it will not go
    on with: its own after a restart, or those of any engine not seen since ``cutoff``.
    ``in_queue``, their ends come from the after-queue request that reaches another
    engine, or from Asterisk's queue_log."""
    statement = update(CallRow).where(CallRow.status == CallStatus.QUEUED.value)
    if engine_id is not None:
        statement = statement.where(CallRow.engine_id == engine_id)
    if cutoff is not None:
        statement = statement.where(CallRow.last_seen_at < cutoff)
    return statement.values(status=CallStatus.IN_QUEUE.value)


def _take(records: dict[str, Record]) -> dict[str, Record]:
    taken = dict(islice(records.items(), MAX_BATCH))
    for call_id in taken:
        del records[call_id]
    return taken


class CallLogWriter:
    def __init__(
        self, database: Database, clock: Clock, engine_id: str, settings: WriterSettings
    ) -> None:
        self.database = database
        self.clock = clock
        self.engine_id = engine_id
        self.settings = settings
        self.healthy = True
        self.last_error: str | None = None
        """The kind of the last failure to store records (no values: they are personal)."""
        self.dropped = 0
        """Records refused by the database or not kept for want of room."""
        self._starts: dict[str, Record] = {}
        self._ends: dict[str, Record] = {}
        self._current = Batch()
        self._not_recorded: set[str] = set()
        self._queued = 0
        self._done = 0
        self._progress = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._next_heartbeat = 0.0
        """Loop time of the next heartbeat; the first comes with the first batch."""

    @property
    def backlog(self) -> int:
        return len(self._starts) + len(self._ends) + len(self._current)

    def queue_start(self, record: Record) -> None:
        self._queued += 1
        if len(self._starts) + len(self._current.starts) >= self.settings.max_backlog:
            if not self._not_recorded:
                log.error(
                    "call-record backlog full (%d calls): new calls are not recorded "
                    "until the database takes records again",
                    len(self._starts),
                )
            self._not_recorded.add(record["id"])
            self._drop()
            return
        self._starts[record["id"]] = record
        self._kick()

    def queue_end(self, call_id: str, record: Record) -> None:
        self._queued += 1
        if call_id in self._not_recorded:
            self._not_recorded.discard(call_id)
            self._count_done(1)
        elif call_id in self._starts:
            self._starts[call_id].update(record)
            self._count_done(1)
        elif call_id in self._ends:  # handed to a queue, and back, before a write
            self._ends[call_id].update(record)
            self._count_done(1)
        else:
            self._ends[call_id] = record
            self._kick()

    def _kick(self) -> None:
        CALL_RECORD_QUEUE.set(self.backlog)
        self.start()
        self._wakeup.set()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write_forever(), name="call-log-writer")

    async def flush(self) -> None:
        """Wait until everything queued so far is stored (or dropped)."""
        target = self._queued
        while self._done < target:
            self._progress.clear()
            await self._progress.wait()

    async def close(self) -> None:
        """Store what is queued within ``close_timeout``; log what could not be."""
        if self._task is None:
            return
        try:
            async with asyncio.timeout(self.settings.close_timeout):
                await self.flush()
        except TimeoutError:
            log.error(
                "%d call records could not be stored before shutdown (%s)",
                self.backlog,
                self.last_error or "the database is too slow",
            )
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task

    def _drop(self) -> None:
        self.dropped += 1
        CALL_RECORD_WRITES_FAILED.inc()
        self._count_done(1)

    def _count_done(self, records: int) -> None:
        self._done += records
        CALL_RECORD_QUEUE.set(self.backlog)
        self._progress.set()

    async def _write_forever(self) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        while True:
            pause = max(self.settings.gather_seconds, self._next_heartbeat - loop.time())
            with suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await self._wakeup.wait()
                    await asyncio.sleep(self.settings.gather_seconds)
            self._wakeup.clear()
            while self._take_batch(loop.time()):
                try:
                    await self._store(self._current)
                except Exception as error:
                    pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                    failures += 1
                    self._outage(error, pause, first=failures == 1)
                    self._put_back()
                    await asyncio.sleep(pause)
                    continue
                if failures:
                    log.warning("call records stored again after %d failed attempts", failures)
                failures, self.healthy = 0, True
                if self._not_recorded:
                    log.warning("%d calls were not recorded: the backlog was full", self.dropped)
                    self._not_recorded.clear()
                if self._current.seen_at is not None:
                    self._next_heartbeat = loop.time() + self.settings.heartbeat_seconds
                stored, self._current = len(self._current), Batch()
                self._count_done(stored)

    def _take_batch(self, now: float) -> bool:
        """Move the next batch in flight; False when there is nothing to write."""
        batch = Batch(_take(self._starts), _take(self._ends))
        if now >= self._next_heartbeat:
            batch.seen_at = self.clock()
        self._current = batch
        return bool(len(batch)) or batch.seen_at is not None

    def _put_back(self) -> None:
        """Queue a batch that failed again, ahead of what came since; an end that came
        for one of its starts is merged into it."""
        batch, self._current = self._current, Batch()
        self._starts = {**batch.starts, **self._starts}
        self._ends = {**batch.ends, **self._ends}
        for call_id in [call_id for call_id in self._ends if call_id in self._starts]:
            self._starts[call_id].update(self._ends.pop(call_id))
            self._count_done(1)

    def _outage(self, error: Exception, pause: float, first: bool) -> None:
        self.healthy = False
        self.last_error = _kind(error)
        if first:
            log.error(
                "storing %d call records failed (%s); retrying with backoff",
                len(self._current),
                self.last_error,
            )
        else:
            log.debug("call records still not stored (%s); retry in %g s", self.last_error, pause)

    async def _store(self, batch: Batch) -> None:
        try:
            async with self.database.engine.begin() as connection:
                await self._write(connection, list(batch.starts.values()), batch.ends)
                await self._heartbeat(connection, batch.seen_at)
        except REFUSED:
            await self._store_one_by_one(batch)

    async def _store_one_by_one(self, batch: Batch) -> None:
        """The batch was refused: store each row alone, dropping the ones refused.
        Rows leave the batch as they are handled, so an outage midway keeps the rest."""
        rows: list[tuple[str, dict[str, Record]]] = [(c, batch.starts) for c in batch.starts]
        rows += [(call_id, batch.ends) for call_id in batch.ends]
        for call_id, records in rows:
            starts = [records[call_id]] if records is batch.starts else []
            ends = {call_id: records[call_id]} if records is batch.ends else {}
            try:
                async with self.database.engine.begin() as connection:
                    await self._write(connection, starts, ends)
            except REFUSED as error:
                log.error(
                    "call record %s refused by the database (%s); dropped", call_id, _kind(error)
                )
                del records[call_id]
                self._drop()
            else:
                del records[call_id]
                self._count_done(1)
        async with self.database.engine.begin() as connection:
            await self._heartbeat(connection, batch.seen_at)

    @staticmethod
    async def _write(
        connection: AsyncConnection, starts: list[Record], ends: dict[str, Record]
    ) -> None:
        """New calls first, so a call that starts and ends in one batch is inserted
        before it is closed."""
        if starts:
            await connection.execute(insert(CallRow), starts)
        if ends:
            # an end stored by the engine that had the call after the queue is never
            # overwritten by the in_queue mark of the engine that queued it
            first = next(iter(ends.values()))
            await connection.execute(
                update(CallRow)
                .where(
                    CallRow.id == bindparam("call"),
                    CallRow.status != CallStatus.ENDED.value,
                )
                .values({name: bindparam(name) for name in first}),
                [{"call": call_id, **end} for call_id, end in ends.items()],
            )

    async def _heartbeat(self, connection: AsyncConnection, seen_at: datetime | None) -> None:
        if seen_at is None:
            return
        await connection.execute(
            update(CallRow)
            .where(
                CallRow.status.in_([CallStatus.IN_PROGRESS.value, CallStatus.QUEUED.value]),
                CallRow.engine_id == self.engine_id,
            )
            .values(last_seen_at=seen_at)
        )
        cutoff = seen_at - timedelta(seconds=self.settings.lease_seconds)
        await connection.execute(close_interrupted(cutoff, engine_id=None))
        await connection.execute(release_queued(cutoff, engine_id=None))


def _kind(error: BaseException) -> str:
    """What went wrong, without the values (a DBAPI error's text quotes the row)."""
    original = getattr(error, "orig", None) or error
    cause = original.__cause__ or original
    code = getattr(cause, "sqlstate", None)
    return type(cause).__name__ + (f" [{code}]" if code else "")
