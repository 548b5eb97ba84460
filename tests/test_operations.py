"""What monitoring sees: /livez, /readyz (and /health), /metrics (CC-10)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.metrics import REGISTRY
from callgrid.settings import Settings
from callgrid.web.app import build_web_app
from callgrid.web.health import add_routes
from ivr.content import IvrContent
from ivr.settings import IvrSettings
from telephony.emulator.ami_server import AmiEmulator
from tests.conftest import RunningIvr, running_ivr
from tests.ivr.calls import place
from tests.telephony.test_ami_client import eventually
from worktime.clock import ManualClock

ENVIRONMENT = (
    "agi_network: yes\nagi_network_script: ivr\nagi_channel: SIP/79001234567-00000001\n"
    "agi_uniqueid: 1764216000.7\nagi_callerid: 79001234567\nagi_extension: 88002224902\n\n"
)


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}")
    await database.upgrade()
    yield database
    await database.close()


@pytest.fixture
async def ivr(
    sqlite: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[RunningIvr]:
    async with running_ivr(sqlite, ivr_content, clock, tmp_path / "var") as running:
        yield running


@pytest.fixture
async def web(ivr: RunningIvr) -> AsyncIterator[TestClient[Any, Any]]:
    async with web_client(ivr.engine) as client:
        yield client


def web_client(engine: Engine) -> TestClient[Any, Any]:
    """The engine's web app as ``callgrid serve`` builds it, with the monitoring routes."""
    app = build_web_app(engine)
    add_routes(app)
    return TestClient(TestServer(app))


async def scrape(client: TestClient[Any, Any]) -> dict[tuple[str, tuple[Any, ...]], float]:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(await response.text())
        for sample in family.samples
    }


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_readyz_names_each_part_and_leaves_out_an_ami_that_is_off(
    web: TestClient[Any, Any], ivr: RunningIvr
) -> None:
    response = await web.get("/readyz")
    report = await response.json()
    assert response.status == 200, report
    assert report["ok"] is True and "reasons" not in report
    assert report["database"] == {"ok": True}
    assert report["fastagi"]["listening"] is True
    assert report["fastagi"]["port"] == ivr.port
    assert report["call_records"]["ok"] is True
    assert "ami" not in report
    health = await web.get("/health")
    assert health.status == 200 and (await health.json()).keys() == report.keys()


async def test_a_capability_check_that_fails_makes_readyz_503_with_its_reason(
    web: TestClient[Any, Any], ivr: RunningIvr
) -> None:
    ivr.engine.host.add_readiness("recordings", lambda: (False, {"error": "disk full"}))

    def broken() -> tuple[bool, dict[str, Any]]:
        raise OSError("no such directory")

    ivr.engine.host.add_readiness("exports", broken)
    response = await web.get("/readyz")
    report = await response.json()
    assert response.status == 503
    assert report["reasons"] == [
        "recordings: disk full",
        "exports: the check failed: OSError: no such directory",
    ]
    assert report["database"]["ok"] and report["fastagi"]["ok"]
    assert (await web.get("/health")).status == 503


async def test_a_database_that_does_not_answer_fails_readiness_not_liveness(
    tmp_path: Path,
) -> None:
    settings = Settings(
        var_dir=tmp_path,
        database_url="postgresql+asyncpg://callgrid:S3cretPw@127.0.0.1:1/callgrid",
        ami_enabled=False,
    )
    engine = Engine(settings, parts=("web",))
    try:
        async with web_client(engine) as client:
            ready = await client.get("/readyz")
            report = await ready.json()
            assert ready.status == 503
            assert report["reasons"][0].startswith("database: ")
            assert "S3cretPw" not in await ready.text()
            alive = await client.get("/livez")
            assert alive.status == 200 and await alive.json() == {"ok": True}
    finally:
        await engine.database.close()


async def test_an_ami_login_refused_shows_on_readyz_and_metrics(
    tmp_path: Path, sqlite: Database
) -> None:
    asterisk = AmiEmulator(secret="the-right-one", auth_failure_delay=0)
    await asterisk.start()
    settings = Settings(
        var_dir=tmp_path,
        database_url=sqlite.url,
        ami_enabled=True,
        ami_host="127.0.0.1",
        ami_port=asterisk.port,
        ami_secret="a-wrong-one",
    )
    engine = Engine(settings, parts=("ami", "web"))
    await engine.start()
    try:
        ami = engine.ami
        assert ami is not None
        await eventually(lambda: ami.last_error is not None, within=5)
        async with web_client(engine) as client:
            response = await client.get("/readyz")
            report = await response.json()
            assert response.status == 503
            assert report["ami"]["connected"] is False
            assert report["reasons"] == ["ami: login refused: Authentication failed"]
            metrics = await scrape(client)
            assert metrics[("callgrid_ami_connected", ())] == 0
            assert metrics[("callgrid_ami_reconnects_total", ())] == 0
    finally:
        await engine.stop()
        await asterisk.stop()


async def test_metrics_after_a_call_through_the_emulator(
    web: TestClient[Any, Any], ivr: RunningIvr
) -> None:
    turnarounds_before = _sample("callgrid_agi_turnaround_seconds_count")
    channel, _ = await place(ivr, "2 1 _ * 0")
    metrics = await scrape(web)
    assert metrics[("callgrid_calls_in_progress", ())] == 0
    assert metrics[("callgrid_fastagi_refused_connections_total", ())] == 0
    turnarounds = metrics[("callgrid_agi_turnaround_seconds_count", ())] - turnarounds_before
    assert channel.sessions == 2, "the menu, then the after-queue session"
    assert turnarounds == channel.commands_answered - channel.sessions, (
        "each command after the first reply of its session"
    )
    assert metrics[("callgrid_agi_turnaround_seconds_bucket", (("le", "+Inf"),))] >= turnarounds
    assert ("callgrid_call_record_queue", ()) in metrics
    assert ("callgrid_ami_connected", ()) not in metrics, "the AMI is off"


async def test_calls_in_progress_are_counted_when_prometheus_scrapes(
    web: TestClient[Any, Any], ivr: RunningIvr
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", ivr.port)
    writer.write(ENVIRONMENT.encode())
    first_command = await asyncio.wait_for(reader.readline(), 10)
    assert first_command.strip()
    assert (await scrape(web))[("callgrid_calls_in_progress", ())] == 1
    writer.close()
    await ivr.server.drained(timeout=10)
    assert (await scrape(web))[("callgrid_calls_in_progress", ())] == 0


async def test_refused_fastagi_connections_are_counted(
    sqlite: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> None:
    settings = Settings(
        var_dir=tmp_path,
        database_url=sqlite.url,
        agi_port=0,
        ami_enabled=False,
        agi_allowed_peers="192.0.2.0/24",
    ).with_sections(IvrSettings(prompts_dir=ivr_content.library.directory))
    engine = Engine(settings, clock, parts=("agi", "web"))
    await engine.start()
    try:
        assert engine.agi is not None
        reader, writer = await asyncio.open_connection("127.0.0.1", engine.agi.port)
        assert await asyncio.wait_for(reader.read(), 10) == b"", "closed unread"
        writer.close()
        async with web_client(engine) as client:
            assert (await scrape(client))[("callgrid_fastagi_refused_connections_total", ())] == 1
            report = await (await client.get("/readyz")).json()
            assert report["fastagi"]["refused_connections"] == 1
            assert report["ok"] is True, "refusing a stranger is no outage"
    finally:
        await engine.stop()
