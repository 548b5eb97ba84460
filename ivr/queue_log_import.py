"""Completing the call log from Asterisk's queue_log (IVR-8, CC-10).

Two kinds of call end where the engine cannot see them: a caller who was in ``Queue()``
when the engine stopped (Asterisk keeps them there; the row was left ``in_queue``), and a
call no engine took, which the dialplan queued on its own and marked in queue_log. An
engine reads the file's new lines (one leader among processes sharing a database), folds
them into one summary per caller (``queue_calls``) in the same transaction that moves its
read position on, so each line counts once; then closes the rows whose end is known and
makes rows (and answering-machine tasks) for the calls served without an engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import wave
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import String, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.tasks import NewTask, TaskBook, TaskKind
from callgrid.database import Database
from callgrid.work import Leadership
from ivr.answering_machine import SHORTEST_MESSAGE_S
from ivr.call_record import Outcome
from ivr.call_rows import CallRow, CallStatus
from ivr.calls_without_engine import call_row, recorded_call
from ivr.queue_call_rows import LogPositionRow, QueueCallRow
from ivr.queue_outcomes import Ending, QueueCall, engine_call_ending, no_engine_ending
from ivr.queue_recordings import tell_recordings
from prompts.render import wav_seconds
from recordings.recorder import CallRecorder, RecordedCall
from telephony.queue_log import FilePosition, QueueLogEntry, read_new_entries
from worktime.calendar import WorkingCalendar, end_of_next_working_day
from worktime.clock import Clock

log = logging.getLogger(__name__)
FOLD_ATTEMPTS = 3
SUMMARY_FIELDS = tuple(field for field in QueueCall.__dataclass_fields__ if field != "callid")
SUMMARY_LENGTHS = {
    column.name: column.type.length
    for column in QueueCallRow.__table__.columns
    if isinstance(column.type, String) and column.type.length is not None
}


@dataclass
class ImportFigures:
    lines: int = 0
    calls_closed: int = 0
    calls_without_engine: int = 0
    messages: int = 0


class QueueLogImport:
    def __init__(
        self,
        database: Database,
        path: Path,
        *,
        clock: Clock,
        tasks: TaskBook,
        calendar: WorkingCalendar,
        line_of: Callable[[str], str] | None,
        messages_dir: Path,
        recorder: CallRecorder | None = None,
    ) -> None:
        """``recorder``: the recordings index, told how calls ended and of the calls
        the dialplan recorded while no engine ran."""
        self.database = database
        self.recorder = recorder
        self.path = path
        self.clock = clock
        self.tasks = tasks
        self.calendar = calendar
        self.line_of = line_of
        self.messages_dir = messages_dir
        self.leadership = Leadership(database, "queue-log-import")
        self._lock = asyncio.Lock()
        """One fold at a time in this process (the file's and AMI's)."""

    async def run_forever(self, poll_seconds: float) -> None:
        """Import every ``poll_seconds`` while leading; a failure is logged and retried."""
        last_failure = ""
        try:
            while True:
                try:
                    if await self.leadership.try_to_lead():
                        await self.import_new()
                    last_failure = ""
                except Exception as error:  # the file or the database: logged once a kind
                    if type(error).__name__ != last_failure:
                        log.warning("reading %s failed (%s); retrying", self.path, error)
                    last_failure = type(error).__name__
                await asyncio.sleep(poll_seconds)
        finally:
            with contextlib.suppress(Exception):
                await self.leadership.step_down()

    async def import_new(self) -> ImportFigures:
        figures = ImportFigures()
        async with self._lock:
            while True:
                read = await self._fold_next_lines()
                figures.lines += read
                if not read:
                    break
            await self._close_known_ends(figures)
        if figures.calls_closed or figures.calls_without_engine:
            log.info(
                "queue_log: %d calls closed, %d served without an engine registered",
                figures.calls_closed,
                figures.calls_without_engine,
            )
        return figures

    async def _fold_next_lines(self) -> int:
        async with self.database.session() as session, session.begin():
            stored = await session.get(LogPositionRow, str(self.path))
            since = FilePosition(stored.inode, stored.offset) if stored else FilePosition()
            entries, position = read_new_entries(self.path, since)
            if position == since:
                return 0
            await _fold(session, entries)
            if stored is None:
                session.add(LogPositionRow(path=str(self.path), **asdict(position)))
            else:
                stored.inode, stored.offset = position.inode, position.offset
        return max(len(entries), 1)

    async def take_live(self, entries: list[QueueLogEntry]) -> ImportFigures:
        """What AMI just reported of callers in a queue (AgentConnect, AgentComplete,
        QueueCallerAbandon), folded in as queue_log lines: a record left ``in_queue``
        closes at once, without waiting for the next read of the file (which, read
        later, changes nothing). An engine that does not see Asterisk's files has only
        this."""
        figures = ImportFigures(lines=len(entries))
        async with self._lock:
            for attempt in range(FOLD_ATTEMPTS):
                try:
                    async with self.database.session() as session, session.begin():
                        await _fold(session, entries)
                    break
                except IntegrityError:  # another engine made the same summary meanwhile
                    if attempt == FOLD_ATTEMPTS - 1:
                        raise
            await self._close_known_ends(figures, {entry.callid for entry in entries})
        return figures

    async def _close_known_ends(
        self, figures: ImportFigures, callids: set[str] | None = None
    ) -> None:
        """Close the ``in_queue`` records whose end is known (of ``callids`` only, when
        given: what AMI just reported), then register the calls served without an
        engine (from the file's lines only: AMI never reports those)."""
        messages: list[tuple[str, QueueCall]] = []
        closed: list[tuple[str, Ending]] = []
        without_engine: list[tuple[RecordedCall, Ending | None]] = []
        async with self.database.session() as session, session.begin():
            waiting_rows = (
                select(CallRow, QueueCallRow)
                .join(QueueCallRow, QueueCallRow.callid == CallRow.uniqueid)
                .where(CallRow.status == CallStatus.IN_QUEUE.value)
            )
            if callids is not None:
                waiting_rows = waiting_rows.where(CallRow.uniqueid.in_(callids))
            waiting = (await session.execute(waiting_rows)).all()
            for row, summary in waiting:
                call = _summary(summary)
                ending = (
                    engine_call_ending(call)
                    if row.engine_id
                    else no_engine_ending(call, self._message_kept(call))
                )
                if ending is None:
                    continue
                row.ended_at, row.last_seen_at = ending.ended_at, ending.ended_at
                row.outcome, row.ended_by = ending.outcome.value, ending.ended_by
                row.operator = ending.operator
                row.status = (
                    CallStatus.ENDED.value if row.engine_id else CallStatus.WITHOUT_ENGINE.value
                )
                figures.calls_closed += 1
                closed.append((row.id, ending))
                if not row.engine_id and ending.outcome is Outcome.ANSWERING_MACHINE:
                    messages.append((row.id, call))
            if callids is None and self.line_of is not None:
                messages += await self._register_calls_without_engine(
                    session, figures, without_engine
                )
        for row_id, call in messages:  # after the commit: the task store has its own
            await self._message_task(call, row_id)
            figures.messages += 1
        if self.recorder is not None:
            await tell_recordings(self.recorder, closed, without_engine)

    async def _register_calls_without_engine(
        self,
        session: AsyncSession,
        figures: ImportFigures,
        registered_calls: list[tuple[RecordedCall, Ending | None]],
    ) -> list[tuple[str, QueueCall]]:
        """Rows for the calls no engine took, once each (added to ``registered_calls``);
        those with a message returned."""
        registered = exists().where(
            CallRow.uniqueid == QueueCallRow.callid, CallRow.engine_id.is_(None)
        )
        found = await session.execute(
            select(QueueCallRow).where(QueueCallRow.no_engine_at.is_not(None), ~registered)
        )
        messages = []
        for summary in found.scalars():
            call = _summary(summary)
            ending = no_engine_ending(call, self._message_kept(call))
            row = call_row(call, self._line_of(call.dialled_number or ""), ending)
            session.add(row)
            figures.calls_without_engine += 1
            registered_calls.append((recorded_call(row), ending))
            if ending is not None and ending.outcome is Outcome.ANSWERING_MACHINE:
                messages.append((row.id, call))
        return messages

    def _line_of(self, number: str) -> str:
        assert self.line_of is not None, "registering calls needs the menu trees"
        return self.line_of(number)

    def _message_file(self, call: QueueCall) -> Path | None:
        """The message's file in the engine's own messages folder: only the name is
        taken from the log."""
        return self.messages_dir / Path(call.message).name if call.message else None

    def _message_kept(self, call: QueueCall) -> bool:
        """A message worth a task, as the answering machine judges its own (IVR-10)."""
        path = self._message_file(call)
        if path is None:
            return False
        with contextlib.suppress(OSError, wave.Error, EOFError):
            return wav_seconds(path) >= SHORTEST_MESSAGE_S
        return False

    async def _message_task(self, summary: QueueCall, row_id: str) -> None:
        """The message the caller left with no engine up becomes the same task as one
        left at the engine's answering machine."""
        if await self.tasks.for_call(row_id):
            return
        recording = self._message_file(summary)
        now = self.clock()
        await self.tasks.add(
            NewTask(
                kind=TaskKind.ANSWERING_MACHINE,
                call_id=row_id,
                phone=summary.caller_id or "",
                line=self._line_of(summary.dialled_number or ""),
                subject="Сообщение на автоответчике (движок был недоступен)",
                created_at=now,
                due_at=end_of_next_working_day(now, self.calendar),
                recording=str(recording) if recording else None,
            )
        )


async def _fold(session: AsyncSession, entries: list[QueueLogEntry]) -> None:
    """Fold lines into the per-caller summaries (one read of each summary touched)."""
    touched: dict[str, QueueCall] = {}
    rows: dict[str, QueueCallRow] = {}
    for entry in entries:
        if not entry.callid or entry.callid == "NONE":
            continue
        call = touched.get(entry.callid)
        if call is None:
            row = await session.get(QueueCallRow, entry.callid[:64])
            call = _summary(row) if row else QueueCall(entry.callid[:64])
            if row is not None:
                rows[entry.callid] = row
        if call.apply(entry):
            touched[entry.callid] = call
    for callid, call in touched.items():
        values = fitted_summary(call)
        row = rows.get(callid)
        if row is None:
            session.add(QueueCallRow(callid=call.callid, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)


def fitted_summary(call: QueueCall) -> dict[str, object]:
    """The summary's columns, text cut to its column's size."""
    values: dict[str, object] = {}
    for name in SUMMARY_FIELDS:
        value = getattr(call, name)
        size = SUMMARY_LENGTHS.get(name)
        values[name] = value[:size] if isinstance(value, str) and size else value
    return values


def _summary(row: QueueCallRow) -> QueueCall:
    return QueueCall(row.callid, **{name: getattr(row, name) for name in SUMMARY_FIELDS})
