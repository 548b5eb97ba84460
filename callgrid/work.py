"""Work shared by several engine processes: claiming rows with leases, and one leader.

A capability's work table (a campaign attempt, a recording to purge) carries two
columns, ``locked_by`` and ``locked_until``. :func:`claim` takes due rows nobody holds
— or whose holder's lease ran out, because that process died — with ``SELECT … FOR
UPDATE SKIP LOCKED`` on PostgreSQL, so several processes never take one row twice and
never wait for each other. SQLite has no SKIP LOCKED; it serialises writers, which is
as safe for the one process it serves. ``now`` comes from the injected clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from callgrid.database import Database


async def claim(
    connection: AsyncConnection,
    table: Table,
    due: ColumnElement[bool],
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    order_by: Sequence[Any] = (),
) -> list[Any]:
    """The ids of up to ``limit`` due rows, now held by ``owner`` until ``now + lease``.

    Call inside a transaction; the claim is visible to others once it commits."""
    free = or_(table.c.locked_until.is_(None), table.c.locked_until <= now)
    query = select(table.c.id).where(due, free).order_by(*order_by).limit(limit)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list((await connection.execute(query)).scalars())
    if ids:
        await connection.execute(
            update(table)
            .where(table.c.id.in_(ids))
            .values(locked_by=owner, locked_until=now + lease)
        )
    return ids


async def release(connection: AsyncConnection, table: Table, ids: Sequence[Any]) -> None:
    """Give rows back before their lease runs out (the work is done, or given up)."""
    await connection.execute(
        update(table).where(table.c.id.in_(ids)).values(locked_by=None, locked_until=None)
    )


class Leadership:
    """One leader among the processes sharing a database, for work only one should do
    (a retention purge): a PostgreSQL advisory lock held on a connection of its own,
    released when the process stops or dies. On SQLite the one process leads."""

    def __init__(self, database: Database, name: str) -> None:
        self.database = database
        self.key = int.from_bytes(name.encode()[:8].ljust(8, b"\0"), "big") & (2**63 - 1)
        self._connection: AsyncConnection | None = None

    @property
    def leading(self) -> bool:
        return self.database.is_sqlite or self._connection is not None

    async def try_to_lead(self) -> bool:
        if self.leading:
            return True
        connection = await self.database.engine.connect()
        won = (
            await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
        ).scalar_one()
        if won:
            self._connection = connection
        else:
            await connection.close()
        return bool(won)

    async def step_down(self) -> None:
        if self._connection is not None:
            unlock = text("SELECT pg_advisory_unlock(:key)")
            await self._connection.execute(unlock, {"key": self.key})
            await self._connection.close()  # back to the pool: the lock must be let go first
            self._connection = None


async def repeat_while_leading(
    database: Database,
    name: str,
    step: Callable[[], Awaitable[object]],
    interval: float,
    log: logging.Logger,
) -> None:
    """Run ``step`` every ``interval`` seconds while this process leads ``name`` (one
    process among those sharing the database); a failure is logged once a kind of error
    and retried at the next turn. Runs until cancelled, then lets the lead go."""
    leadership = Leadership(database, name)
    last_failure = ""
    try:
        while True:
            try:
                if await leadership.try_to_lead():
                    await step()
                last_failure = ""
            except Exception as error:
                if type(error).__name__ != last_failure:
                    log.warning("%s failed (%s); retrying every %g s", name, error, interval)
                last_failure = type(error).__name__
            await asyncio.sleep(interval)
    finally:
        with contextlib.suppress(Exception):
            await leadership.step_down()
