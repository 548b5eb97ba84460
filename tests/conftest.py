"""Shared fixtures: rendered prompts, a database on SQLite and on PostgreSQL, the engine."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from callgrid.clock import ManualClock
from callgrid.engine import IvrContent
from callgrid.storage import Database
from callgrid.storage.call_log import SqlCallbackBook, SqlCallLog
from callgrid.storage.customers import SqlCustomers
from callgrid.storage.work import SqlOutages, SqlTasks
from ivr.actions import ACTIONS
from ivr.call_context import IvrServices, PromptFiles
from ivr.call_flow import FlowSettings, IvrCallFlow
from ivr.caller_input import KeypadReader
from ivr.menu_loader import load_trees
from prompts.catalog import load_catalog
from prompts.phrases import PhraseLibrary
from prompts.render import render_catalog
from telephony.agi import FastAgiServer

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
            tables = (await connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version'"
            ))).scalars().all()
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    yield db
    await db.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 27, 4, 0, tzinfo=UTC))


@dataclass
class RunningIvr:
    server: FastAgiServer
    flow: IvrCallFlow
    call_log: SqlCallLog
    callbacks: SqlCallbackBook
    customers: SqlCustomers
    content: IvrContent

    @property
    def port(self) -> int:
        return self.server.port


@pytest.fixture
async def ivr(
    database: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[RunningIvr]:
    """The IVR serving FastAGI on a loopback port, storing into ``database``."""
    call_log, callbacks = SqlCallLog(database), SqlCallbackBook(database)
    customers = SqlCustomers(database)
    services = IvrServices(
        prompts=PromptFiles(str(ivr_content.library.directory)),
        phrases=PhraseLibrary(ivr_content.library.directory / "phrases"),
        callbacks=callbacks,
        customers=customers,
        outages=SqlOutages(database),
        tasks=SqlTasks(database),
        clock=clock,
        messages_dir=str(tmp_path / "messages"),
    )
    flow = IvrCallFlow(
        trees=ivr_content.trees,
        default_tree=ivr_content.default_tree,
        call_log=call_log,
        services=services,
        actions=ACTIONS,
        reader=KeypadReader(5000),
        settings=FlowSettings(),
    )
    server = FastAgiServer({"ivr": flow}, port=0, reply_timeout=5.0, media_timeout=5.0)
    await server.start()
    yield RunningIvr(server, flow, call_log, callbacks, customers, ivr_content)
    await server.stop()
    await call_log.close()
