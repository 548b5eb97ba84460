"""A supervisor lets an operator hear a recording of a call not theirs (PD-1: "own
calls unless granted"); each grant is in the audit log with the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from callgrid.database import Database
from callgrid.web.audit import AuditLog
from callgrid.web.users import UserError, normal_login
from recordings.model import RecordingState
from recordings.storage import MAX_HOLD_REASON, Actor, RecordingError
from recordings.tables import RecordingGrantRow, RecordingRow


class RecordingGrants:
    def __init__(self, database: Database, audit: AuditLog) -> None:
        self.database = database
        self.audit = audit

    async def grant(
        self, recording_id: int, login: str, reason: str, actor: Actor, now: datetime
    ) -> None:
        """Let ``login`` hear the recording; :class:`RecordingError` saying why not."""
        try:
            login = normal_login(login)
        except UserError as error:
            raise RecordingError(str(error)) from None
        reason = " ".join(reason.split())
        if not reason:
            raise RecordingError("say why the operator may hear this call")
        if len(reason) > MAX_HOLD_REASON:
            raise RecordingError(f"the reason must have at most {MAX_HOLD_REASON} characters")
        try:
            async with self.database.session() as session, session.begin():
                state = await session.scalar(
                    select(RecordingRow.state).where(RecordingRow.id == recording_id)
                )
                if state is None or state == RecordingState.PURGING.value:
                    raise RecordingError(f"no recording #{recording_id}")
                session.add(
                    RecordingGrantRow(
                        recording_id=recording_id,
                        login=login,
                        reason=reason,
                        granted_by=actor.login[:64],
                        granted_at=now,
                    )
                )
                await session.flush()
                await self.audit.record(
                    "recording.grant",
                    actor=actor.login,
                    source=actor.source,
                    subject_kind="recording",
                    subject_id=recording_id,
                    details={"to": login, "reason": reason},
                    session=session,
                )
        except IntegrityError:
            raise RecordingError(f"{login} may hear recording #{recording_id} already") from None
