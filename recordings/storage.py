"""The recordings index in the database: rows made at the call's start, completed when
the file is, found by what a supervisor searches for, held and released."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callgrid.database import Database, cut_to_columns, text_lengths
from callgrid.web.audit import AuditLog
from recordings.model import CallFacts, Recording, RecordingState
from recordings.tables import RecordingGrantRow, RecordingRow
from telephony.interfaces import operator_login

MAX_HOLD_REASON = 512


@dataclass(frozen=True)
class NewRecording:
    call_id: str
    uniqueid: str
    path: str
    file_format: str
    started_at: datetime
    delete_after: datetime
    line: str
    dialled_number: str
    caller_id: str


@dataclass(frozen=True)
class RecordingQuery:
    """What a supervisor searches by; empty fields match everything."""

    account_number: str = ""
    number: str = ""
    """The caller's or the dialled number."""
    operator: str = ""
    topic: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Actor:
    """Who does something to a recording, and from where (for the audit log)."""

    login: str
    source: str


class RecordingError(ValueError):
    """A hold or release that cannot be done; the message says why."""


COLUMN_LENGTHS = text_lengths(RecordingRow)
# Built once: every call writes these two, and building a statement anew (its cache key
# included) cost more than running it.
INDEX_RECORDING = insert(RecordingRow)
CALL_ENDED = (
    update(RecordingRow)
    .where(RecordingRow.id == bindparam("recording"))
    .values({fact.name: bindparam(fact.name) for fact in fields(CallFacts)})
)


def fitted(values: dict[str, Any]) -> dict[str, Any]:
    """Text cut to its column's size: an overlong caller ID costs its tail, not the row."""
    return cut_to_columns(COLUMN_LENGTHS, values)


class SqlRecordings:
    def __init__(self, database: Database, audit: AuditLog) -> None:
        self.database = database
        self.audit = audit

    async def started(self, new: NewRecording) -> int:
        values = fitted({**new.__dict__, "state": RecordingState.RECORDING.value})
        async with self.database.engine.begin() as connection:
            result = await connection.execute(INDEX_RECORDING, values)
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    async def call_ended(self, recording_id: int, facts: CallFacts) -> None:
        values = {**facts.__dict__, "operator": operator_login(facts.operator) or None}
        async with self.database.engine.begin() as connection:
            await connection.execute(CALL_ENDED, {"recording": recording_id, **fitted(values)})

    async def finished(
        self,
        recording_id: int,
        state: RecordingState,
        *,
        size_bytes: int | None = None,
        duration_seconds: float | None = None,
        sha256: str | None = None,
    ) -> None:
        """The file is complete (or known empty, or missing): the index says what it is."""
        values = {
            "state": state.value,
            "size_bytes": size_bytes,
            "duration_seconds": duration_seconds,
            "sha256": sha256,
        }
        async with self.database.engine.begin() as connection:
            await connection.execute(
                update(RecordingRow)
                .where(
                    RecordingRow.id == recording_id,
                    RecordingRow.state == RecordingState.RECORDING.value,
                )
                .values(values)
            )

    async def unfinished(self, limit: int = 500) -> list[Recording]:
        query = (
            select(RecordingRow)
            .where(RecordingRow.state == RecordingState.RECORDING.value)
            .order_by(RecordingRow.id)
            .limit(limit)
        )
        return await self._list(query)

    async def find(self, recording_id: int) -> Recording | None:
        """The recording, with the operators granted to hear it."""
        async with self.database.session() as session:
            row = await session.get(RecordingRow, recording_id)
            if row is None:
                return None
            granted = await session.scalars(
                select(RecordingGrantRow.login).where(
                    RecordingGrantRow.recording_id == recording_id
                )
            )
            return replace(recording_of(row), granted_to=frozenset(granted))

    async def of_call(self, call_id: str) -> Recording | None:
        found = await self._list(select(RecordingRow).where(RecordingRow.call_id == call_id))
        return found[0] if found else None

    async def of_channel(self, uniqueid: str) -> Recording | None:
        """The recording of the caller's channel (an engine that took a handed-back
        call finds the one the first engine started)."""
        query = (
            select(RecordingRow)
            .where(RecordingRow.uniqueid == uniqueid)
            .order_by(RecordingRow.id.desc())
            .limit(1)
        )
        found = await self._list(query)
        return found[0] if found else None

    async def of_account(self, account_number: str, limit: int = 20) -> list[Recording]:
        """The account's most recent recorded calls, newest first."""
        query = RecordingQuery(account_number=account_number)
        found, _ = await self.search(query, page=1, size=limit)
        return found

    async def search(
        self, query: RecordingQuery, *, page: int = 1, size: int = 50, only_operator: str = ""
    ) -> tuple[list[Recording], bool]:
        """Page ``page`` (from 1) of the matches, newest first, and whether more follow;
        with ``only_operator`` (a login), only that operator's calls and those granted."""
        statement = _filtered(select(RecordingRow), query)
        if only_operator:
            login = only_operator.lower()
            granted = select(RecordingGrantRow.recording_id).where(RecordingGrantRow.login == login)
            statement = statement.where(
                or_(RecordingRow.operator == login, RecordingRow.id.in_(granted))
            )
        statement = (
            statement.order_by(RecordingRow.started_at.desc(), RecordingRow.id.desc())
            .offset((page - 1) * size)
            .limit(size + 1)
        )
        found = await self._list(statement)
        return found[:size], len(found) > size

    async def hold(self, recording_id: int, reason: str, actor: Actor, now: datetime) -> Recording:
        """Keep the recording past its term until released; audited with the change."""
        reason = " ".join(reason.split())
        if not reason:
            raise RecordingError("say why the recording is held (a complaint, a dispute…)")
        if len(reason) > MAX_HOLD_REASON:
            raise RecordingError(f"the reason must have at most {MAX_HOLD_REASON} characters")
        values = {"hold_reason": reason, "held_by": actor.login[:64], "held_at": now}
        return await self._change_hold(recording_id, values, "recording.hold", actor, reason)

    async def release(self, recording_id: int, actor: Actor) -> Recording:
        values = {"hold_reason": None, "held_by": None, "held_at": None}
        return await self._change_hold(recording_id, values, "recording.release", actor, "")

    async def _change_hold(
        self, recording_id: int, values: dict[str, Any], action: str, actor: Actor, reason: str
    ) -> Recording:
        async with self.database.session() as session, session.begin():
            row = await session.get(RecordingRow, recording_id, with_for_update=True)
            if row is None or row.state == RecordingState.PURGING.value:
                raise RecordingError(f"no recording #{recording_id}")
            held = row.hold_reason is not None
            if action == "recording.release" and not held:
                raise RecordingError(f"recording #{recording_id} is not on hold")
            before = row.hold_reason
            for name, value in values.items():
                setattr(row, name, value)
            await self._audit(session, action, recording_id, actor, reason, before)
        return recording_of(row)

    async def _audit(
        self,
        session: AsyncSession,
        action: str,
        recording_id: int,
        actor: Actor,
        reason: str,
        before: str | None,
    ) -> None:
        details = {"reason": reason} if reason else {"was_held_for": before or ""}
        await self.audit.record(
            action,
            actor=actor.login,
            source=actor.source,
            subject_kind="recording",
            subject_id=recording_id,
            details=details,
            session=session,
        )

    async def count(self, *states: RecordingState) -> int:
        query = select(func.count()).select_from(RecordingRow)
        if states:
            query = query.where(RecordingRow.state.in_([s.value for s in states]))
        async with self.database.session() as session:
            return int((await session.execute(query)).scalar_one())

    async def _list(self, query: Select[Any]) -> list[Recording]:
        async with self.database.session() as session:
            rows = await session.scalars(query)
            return [recording_of(row) for row in rows]


def _filtered(statement: Select[Any], query: RecordingQuery) -> Select[Any]:
    if query.account_number:
        statement = statement.where(RecordingRow.account_number == query.account_number)
    if query.number:
        statement = statement.where(
            (RecordingRow.caller_id == query.number) | (RecordingRow.dialled_number == query.number)
        )
    if query.operator:
        statement = statement.where(RecordingRow.operator == query.operator.lower())
    if query.topic:
        statement = statement.where(RecordingRow.topic == query.topic)
    if query.outcome:
        statement = statement.where(RecordingRow.outcome == query.outcome)
    if query.since is not None:
        statement = statement.where(RecordingRow.started_at >= query.since)
    if query.until is not None:
        statement = statement.where(RecordingRow.started_at < query.until)
    return statement.where(RecordingRow.state != RecordingState.PURGING.value)


def recording_of(row: RecordingRow) -> Recording:
    return Recording(
        id=row.id,
        call_id=row.call_id,
        uniqueid=row.uniqueid,
        path=row.path,
        file_format=row.file_format,
        state=RecordingState(row.state),
        started_at=row.started_at,
        delete_after=row.delete_after,
        line=row.line,
        dialled_number=row.dialled_number,
        caller_id=row.caller_id,
        account_number=row.account_number,
        operator=row.operator,
        topic=row.topic,
        outcome=row.outcome,
        ended_at=row.ended_at,
        duration_seconds=row.duration_seconds,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        hold_reason=row.hold_reason,
        held_by=row.held_by,
        held_at=row.held_at,
    )
