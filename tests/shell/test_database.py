"""The one migration chain: engines starting at once against one PostgreSQL migrate one
after the other, and every capability's tables are there."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from callgrid.database import Database
from tests.conftest import POSTGRES_ADMIN_URL


@pytest.fixture
async def fresh_postgres(postgres_url: str) -> AsyncIterator[str]:
    """A database nobody has migrated yet."""
    name = f"callgrid_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def test_engines_started_at_once_migrate_one_after_the_other(fresh_postgres: str) -> None:
    databases = [Database(fresh_postgres) for _ in range(4)]
    try:
        # Without the lock the upgrades deadlock on each other's tables: bound the wait.
        await asyncio.wait_for(asyncio.gather(*(d.upgrade() for d in databases)), 60)
        async with databases[0].engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            version = await connection.execute(text("SELECT version_num FROM alembic_version"))
            versions = list(version.scalars())
    finally:
        for database in databases:
            await database.close()
    assert {"calls", "accounts", "readings", "outages", "users", "audit_log"} <= tables
    assert len(versions) == 1, "one chain, one head"
