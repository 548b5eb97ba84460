"""The engine's web part on a loopback port, and users to sign in with."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp
import pytest
from argon2 import PasswordHasher

from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.settings import Settings
from callgrid.web.app import PASSWORD_HASHER
from callgrid.web.audit import AuditLog
from callgrid.web.users import Users
from worktime.clock import ManualClock

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class RunningWeb:
    engine: Engine
    url: str
    clock: ManualClock

    @property
    def users(self) -> Users:
        return Users(self.engine.database, self.clock, CHEAP_HASHER)

    @property
    def audit_log(self) -> AuditLog:
        return AuditLog(self.engine.database, self.clock)

    async def add_user(self, login: str, *roles: str, password: str = PASSWORD) -> None:
        await self.users.add(login, password, roles, display_name=login.title())

    def client(self, **headers: str) -> aiohttp.ClientSession:
        """A browser-like client: keeps the cookie, sends the site's own Origin."""
        return aiohttp.ClientSession(
            self.url,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            headers={"Origin": self.url, **headers},
        )

    async def sign_in(
        self, client: aiohttp.ClientSession, login: str, password: str = PASSWORD
    ) -> aiohttp.ClientResponse:
        async with client.post(
            "/sign-in", data={"login": login, "password": password}, allow_redirects=False
        ) as response:
            await response.read()
            return response

    async def csrf_token(self, client: aiohttp.ClientSession) -> str:
        """The token the signed-in user's pages carry in their forms."""
        async with client.get("/account") as response:
            found = CSRF_INPUT.search(await response.text())
        assert found, "the account page carries no CSRF token"
        return found.group(1)


@asynccontextmanager
async def running_web(
    database_url: str, clock: ManualClock, var_dir: Path, ami_port: int | None = None
) -> AsyncIterator[RunningWeb]:
    """The web part; with ``ami_port`` the AMI link too (to an emulator there)."""
    settings = Settings(var_dir=var_dir, database_url=database_url, ami_enabled=False, web_port=0)
    parts: tuple[str, ...] = ("web",)
    if ami_port is not None:
        settings = replace(
            settings,
            ami_enabled=True,
            ami_port=ami_port,
            ami_username="ivr",
            ami_secret="ivrsecret",
        )
        parts = ("web", "ami")
    engine = Engine(settings, clock, parts=parts, provided=[(PASSWORD_HASHER, CHEAP_HASHER)])
    await engine.start()
    try:
        runner = engine._web_runner  # the port the system chose for web_port=0
        assert runner is not None
        host, port = runner.addresses[0][:2]
        yield RunningWeb(engine, f"http://{host}:{port}", clock)
    finally:
        await engine.stop()


@pytest.fixture
async def web(database: Database, clock: ManualClock, tmp_path: Path) -> AsyncIterator[RunningWeb]:
    async with running_web(database.url, clock, tmp_path / "var") as running:
        yield running
