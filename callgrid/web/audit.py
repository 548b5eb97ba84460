"""The audit log: who read personal data or changed something, what, when, from where.

Capabilities record through :class:`AuditLog` (``record``), or from a web handler
through :func:`audit` (who and where taken from the signed-in request). Entries are
only ever added; the admin page lists them newest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from callgrid.database import Database
from callgrid.web.tables import AuditRow
from worktime.clock import Clock

AUDIT_KEY: web.AppKey[AuditLog] = web.AppKey("audit_log")
COMMAND_LINE = "command line"
"""The source of entries made by ``callgrid`` commands on the engine's machine."""


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    source: str
    subject_kind: str = ""
    subject_id: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


def _stored(text: str, length: int) -> str:
    """Text as its column keeps it: control characters written out (``\\x00``: no
    database refuses it, no terminal obeys it), cut to the column's length."""
    shown = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
    return shown if len(shown) <= length else shown[: length - 1] + "…"


class AuditLog:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    async def record(
        self,
        action: str,
        *,
        actor: str,
        source: str,
        subject_kind: str = "",
        subject_id: str | int = "",
        details: Mapping[str, Any] | None = None,
        session: AsyncSession | None = None,
    ) -> None:
        """Add one entry. Given ``session``, the entry joins that transaction, so the
        change and its entry are stored together or not at all."""
        values = {
            "at": self.clock(),
            "actor": _stored(actor, 64),
            "action": _stored(action, 64),
            "subject_kind": _stored(subject_kind, 32),
            "subject_id": _stored(str(subject_id), 64),
            "source": _stored(source, 64),
            "details": dict(details or {}),
        }
        if session is not None:
            await session.execute(insert(AuditRow), values)
            return
        async with self.database.engine.begin() as connection:
            await connection.execute(insert(AuditRow), values)

    async def page(self, number: int, size: int) -> tuple[list[AuditEntry], bool]:
        """Page ``number`` (from 1) of the entries, newest first; and whether more follow."""
        async with self.database.session() as session:
            rows = await session.execute(
                select(AuditRow)
                .order_by(AuditRow.at.desc(), AuditRow.id.desc())
                .offset((number - 1) * size)
                .limit(size + 1)
            )
            found = [
                AuditEntry(
                    r.at, r.actor, r.action, r.source, r.subject_kind, r.subject_id, r.details
                )
                for r in rows.scalars()
            ]
        return found[:size], len(found) > size

    async def count_since(
        self, action: str, since: datetime, *, actor: str = "", source: str = ""
    ) -> int:
        """Entries of ``action`` since a moment, by an actor or from a source."""
        query = select(func.count()).where(AuditRow.action == action, AuditRow.at > since)
        if actor:
            query = query.where(AuditRow.actor == _stored(actor, 64))
        if source:
            query = query.where(AuditRow.source == _stored(source, 64))
        async with self.database.session() as session:
            return int((await session.execute(query)).scalar_one())


async def audit(
    request: web.Request,
    action: str,
    *,
    subject_kind: str = "",
    subject_id: str | int = "",
    details: Mapping[str, Any] | None = None,
) -> None:
    """Record what the signed-in user of ``request`` did (or read) from their address."""
    from callgrid.web.access import signed_in

    await request.app[AUDIT_KEY].record(
        action,
        actor=signed_in(request).login,
        source=request.remote or "",
        subject_kind=subject_kind,
        subject_id=subject_id,
        details=details,
    )
