"""One purge at a time: the retention worker of any engine and ``callgrid recordings
purge`` never run together, so a purge never takes another's half-done batch for the
remains of a dead one. PostgreSQL: an advisory lock held on a connection of its own for
the run (let go when the process dies); SQLite, which one machine serves: a lock on a
file beside the database's recordings."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import text

from callgrid.database import Database

PURGE_LOCK = 0x70757267  # any fixed number: the advisory lock of a purge run


class PurgeBusy(RuntimeError):
    """Another purge is running."""


def _lock_file(directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    return os.open(directory / ".purge.lock", os.O_CREAT | os.O_RDWR, 0o600)


@contextlib.asynccontextmanager
async def only_purge(database: Database, directory: Path) -> AsyncIterator[None]:
    """Hold the purge lock for the block, or raise :class:`PurgeBusy` at once."""
    if database.is_sqlite:
        descriptor = _lock_file(directory)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PurgeBusy("another purge of these recordings is running") from None
            yield
        finally:
            os.close(descriptor)
        return
    async with database.engine.connect() as connection:
        lock = text("SELECT pg_try_advisory_lock(:key)")
        if not (await connection.execute(lock, {"key": PURGE_LOCK})).scalar_one():
            raise PurgeBusy("another purge of these recordings is running")
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PURGE_LOCK})
            await connection.commit()
