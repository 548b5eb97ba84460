"""An engine with FastAGI, the AMI link and the web, on an AMI emulator: the contact
center's end-to-end tests run their calls through it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.settings import Section, Settings
from callgrid.web.app import PASSWORD_HASHER
from ivr.content import IvrContent
from ivr.settings import IvrSettings
from telephony.emulator.ami_server import AmiEmulator
from tests.waiting import eventually
from tests.web.conftest import CHEAP_HASHER, RunningWeb
from worktime.clock import ManualClock


@asynccontextmanager
async def engine_site(
    database: Database,
    emulator: AmiEmulator,
    content: IvrContent,
    tmp_path: Path,
    clock: ManualClock,
    *sections: Section,
) -> AsyncIterator[RunningWeb]:
    """The engine on ``emulator`` (started here, stopped after), signed in to its AMI,
    with ``sections`` over the IVR's; yields its web site."""
    await emulator.start()
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url=database.url,
        agi_port=0,
        agi_reply_timeout=5.0,
        ami_port=emulator.port,
        ami_username="ivr",
        ami_secret="ivrsecret",
        web_port=0,
    ).with_sections(IvrSettings(prompts_dir=content.library.directory), *sections)
    engine = Engine(
        settings, clock, parts=("agi", "ami", "web"), provided=[(PASSWORD_HASHER, CHEAP_HASHER)]
    )
    await engine.start()
    try:
        await eventually(lambda: engine.ami is not None and engine.ami.is_connected)
        runner = engine._web_runner
        assert runner is not None
        host, port = runner.addresses[0][:2]
        yield RunningWeb(engine, f"http://{host}:{port}", clock)
    finally:
        await engine.stop()
        await emulator.stop()
