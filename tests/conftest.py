"""Shared fixtures: rendered prompts, a database on SQLite and on PostgreSQL, the engine."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from callcenter.plugin import OUTAGES, TASKS
from callcenter.storage import SqlOutages, SqlTasks
from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.settings import Settings
from customers.plugin import CUSTOMERS
from customers.storage import SqlCustomers
from ivr.actions import ACTIONS
from ivr.call_flow import IvrCallFlow
from ivr.content import IvrContent
from ivr.menu_loader import load_trees
from ivr.plugin import CALL_FLOW, CALL_LOG, RECOGNIZER
from ivr.settings import IvrSettings
from ivr.speech_input import Recognizer
from ivr.storage import SqlCallLog
from prompts.catalog import load_catalog
from prompts.render import render_catalog
from telephony.agi import FastAgiServer
from worktime.clock import ManualClock

PROJECT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get(
    "CALLGRID_TEST_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def ivr_content(tmp_path_factory: pytest.TempPathFactory) -> IvrContent:
    catalog = load_catalog()
    library = render_catalog(catalog, tmp_path_factory.mktemp("prompts"))
    trees = load_trees(PROJECT / "dialplans", catalog, library.duration, ACTIONS.keys())
    return IvrContent(catalog, library, trees)


def _run_aside(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine on a loop of its own (fixtures here may run inside another loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def _postgres_reachable() -> str | None:
    async def probe() -> None:
        engine = create_async_engine(POSTGRES_ADMIN_URL)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    try:
        _run_aside(asyncio.wait_for(probe(), 5))
    except Exception as error:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable ({error!r})"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    reason = _postgres_reachable()
    if reason:
        print(f"\nSKIPPING PostgreSQL tests: {reason}")
        pytest.skip(reason)
    name = f"callgrid_test_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES_ADMIN_URL

    async def run(statement: str) -> None:
        engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    _run_aside(run(f'CREATE DATABASE "{name}"'))
    yield admin.rsplit("/", 1)[0] + f"/{name}"
    _run_aside(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """The same tests on the embedded default and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    db = Database(url)
    await db.upgrade()
    if not db.is_sqlite:
        async with db.engine.begin() as connection:
            tables = (
                (
                    await connection.execute(
                        text(
                            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                            " AND tablename <> 'alembic_version'"
                        )
                    )
                )
                .scalars()
                .all()
            )
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    yield db
    await db.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 27, 4, 0, tzinfo=UTC))


@dataclass
class RunningIvr:
    """The engine's IVR on a loopback FastAGI port, assembled as ``callgrid serve`` does."""

    engine: Engine
    content: IvrContent

    @property
    def port(self) -> int:
        assert self.engine.agi is not None
        return self.engine.agi.port

    @property
    def server(self) -> FastAgiServer:
        assert self.engine.agi is not None
        return self.engine.agi

    @property
    def flow(self) -> IvrCallFlow:
        return self.engine.host.require(CALL_FLOW)

    @property
    def call_log(self) -> SqlCallLog:
        return self.engine.host.require(CALL_LOG)

    @property
    def callbacks(self) -> SqlTasks:
        """The tasks, where callbacks are kept."""
        return self.engine.host.require(TASKS)  # type: ignore[return-value]

    @property
    def customers(self) -> SqlCustomers:
        return self.engine.host.require(CUSTOMERS)

    @property
    def tasks(self) -> SqlTasks:
        return self.engine.host.require(TASKS)  # type: ignore[return-value]

    @property
    def outages(self) -> SqlOutages:
        return self.engine.host.require(OUTAGES)  # type: ignore[return-value]


@asynccontextmanager
async def running_ivr(
    database: Database,
    content: IvrContent,
    clock: ManualClock,
    var_dir: Path,
    recognizer: Recognizer | None = None,
    **engine_settings: Any,
) -> AsyncIterator[RunningIvr]:
    """``engine_settings`` change the engine's own settings (``drain_seconds=…``)."""
    settings = Settings(
        var_dir=var_dir,
        database_url=database.url,
        agi_port=0,
        agi_reply_timeout=5.0,
        ami_enabled=False,
        **engine_settings,
    ).with_sections(IvrSettings(prompts_dir=content.library.directory))
    provided = [] if recognizer is None else [(RECOGNIZER, recognizer)]
    engine = Engine(settings, clock, parts=("agi",), provided=provided)
    await engine.start()
    try:
        yield RunningIvr(engine, content)
    finally:
        await engine.stop()


@pytest.fixture
async def ivr(
    database: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[RunningIvr]:
    """The IVR serving FastAGI on a loopback port, storing into ``database``."""
    async with running_ivr(database, ivr_content, clock, tmp_path / "var") as running:
        yield running
