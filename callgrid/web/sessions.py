"""Server-side sessions: the cookie carries only a random id, the rest is in the database.

A session ends at an absolute lifetime from sign-in, or after an idle time without a
request, whichever comes first.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from callgrid.database import Database
from callgrid.settings import Settings
from callgrid.web.tables import SessionRow, UserRow
from callgrid.web.users import User, user_from_row
from worktime.clock import Clock

SESSION_COOKIE = "callgrid_session"
SESSION_ID_BYTES = 32
TOUCH_EVERY = timedelta(minutes=1)
"""How stale ``last_seen_at`` may get: a busy page does not write on every request."""


@dataclass(frozen=True)
class WebPolicy:
    """The web's security numbers, from the engine's ``web_*`` settings."""

    session_lifetime: timedelta
    session_idle: timedelta
    secure_cookies: bool
    """Mark the cookie Secure even over http (the site is https behind a proxy)."""
    sign_in_failures: int
    sign_in_window: timedelta
    live_interval: float
    """Seconds between checks of the engine state the live page shows."""

    @classmethod
    def of(cls, settings: Settings) -> WebPolicy:
        return cls(
            session_lifetime=timedelta(seconds=settings.web_session_lifetime),
            session_idle=timedelta(seconds=settings.web_session_idle),
            secure_cookies=settings.web_secure_cookies,
            sign_in_failures=settings.web_sign_in_failures,
            sign_in_window=timedelta(seconds=settings.web_sign_in_window),
            live_interval=settings.web_live_interval,
        )


@dataclass(frozen=True)
class WebSession:
    user: User
    csrf_token: str
    expires_at: datetime


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def expiry(last_seen: datetime, expires_at: datetime, policy: WebPolicy) -> datetime:
    """When a session seen at ``last_seen`` ends: idle time or lifetime, the sooner."""
    return min(expires_at, last_seen + policy.session_idle)


class SessionStore:
    def __init__(self, database: Database, clock: Clock, policy: WebPolicy) -> None:
        self.database = database
        self.clock = clock
        self.policy = policy

    async def start(self, user: User) -> str:
        """A new session for a signed-in user; returns the id for the cookie."""
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        now = self.clock()
        row = SessionRow(
            id_hash=_hash(session_id),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.policy.session_lifetime,
        )
        async with self.database.session() as session, session.begin():
            await session.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
            session.add(row)
        return session_id

    async def resume(self, session_id: str) -> WebSession | None:
        """The live session with this id (its user active), or None; a request keeps it
        from going idle."""
        if not session_id or len(session_id) > 128:
            return None
        now = self.clock()
        key = _hash(session_id)
        async with self.database.session() as session, session.begin():
            found = (
                await session.execute(
                    select(SessionRow, UserRow)
                    .join(UserRow, UserRow.id == SessionRow.user_id)
                    .where(SessionRow.id_hash == key)
                )
            ).first()
            if found is None:
                return None
            row, user_row = found
            if now >= expiry(row.last_seen_at, row.expires_at, self.policy):
                await session.execute(delete(SessionRow).where(SessionRow.id_hash == key))
                return None
            if not user_row.active:
                return None
            if now - row.last_seen_at >= TOUCH_EVERY:
                await session.execute(
                    update(SessionRow).where(SessionRow.id_hash == key).values(last_seen_at=now)
                )
            return WebSession(user_from_row(user_row), row.csrf_token, row.expires_at)

    async def end(self, session_id: str) -> None:
        async with self.database.session() as session, session.begin():
            await session.execute(delete(SessionRow).where(SessionRow.id_hash == _hash(session_id)))
