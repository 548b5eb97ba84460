"""The database: engine, sessions, the declarative base every capability's tables use, and
the one chain of schema migrations (each capability keeps its steps in its own
``migrations/`` folder)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, DateTime, String, TypeDecorator, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

MIGRATIONS = Path(__file__).with_name("migrations")
SHELL_MIGRATIONS = MIGRATIONS / "versions"
"""The shell's own steps (users, sessions, the audit log); capabilities keep theirs."""
MIGRATION_LOCK = 0x63616C6C  # any fixed number: the advisory lock that serialises migrations


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; times must carry a zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


def text_lengths(table: type[Base]) -> dict[str, int]:
    """The size of each sized text column of a table."""
    return {
        column.name: column.type.length
        for column in table.__table__.columns
        if isinstance(column.type, String) and column.type.length is not None
    }


def cut_to_columns(lengths: dict[str, int], values: dict[str, Any]) -> dict[str, Any]:
    """Text cut to its column's size, so one overlong value (a caller ID, a channel…)
    costs its tail, not the row."""
    return {
        name: value[: lengths[name]] if isinstance(value, str) and name in lengths else value
        for name, value in values.items()
    }


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        # SQLite takes one writer at a time: one connection queues the writers in the
        # engine, where several would spin on SQLite's lock.
        options: dict[str, Any] = (
            {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
            if self.is_sqlite
            else {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}
        )
        self.engine: AsyncEngine = create_async_engine(url, hide_parameters=True, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> AsyncSession:
        return self.sessions()

    async def upgrade(self, folders: Sequence[Path] | None = None) -> None:
        """Bring the schema to the newest migration of the installed capabilities.

        On PostgreSQL the migration holds an advisory lock, so engines started at once
        against one database migrate one after the other instead of colliding."""
        if folders is None:
            from callgrid.plugins import load_plugins, migration_folders

            folders = migration_folders(load_plugins())
        async with self.engine.begin() as connection:
            if not self.is_sqlite:
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                await connection.execute(lock, {"key": MIGRATION_LOCK})
            await connection.run_sync(_upgrade, [SHELL_MIGRATIONS, *folders])

    async def close(self) -> None:
        await self.engine.dispose()


def _upgrade(connection: Connection, folders: list[Path]) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(f) for f in folders))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
