"""Fixtures for calls through a real Asterisk: the PBX, the engine under test, AMI, a phone.

Everything here is skipped unless ``CALLGRID_TEST_ASTERISK`` names an asterisk binary.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bench.engine_process import free_port
from callgrid.engine import Engine
from callgrid.settings import Settings
from customers.plugin import CUSTOMERS
from customers.storage import SqlCustomers
from ivr.call_flow import IvrCallFlow
from ivr.content import IvrContent
from ivr.plugin import CALL_FLOW, CALL_LOG
from ivr.settings import IvrSettings
from ivr.storage import CallRow, SqlCallLog
from recordings.settings import RecordingSettings
from telephony.agi import FastAgiServer
from telephony.ami import AmiActionError, AmiClient, AmiEvent, actions
from tests.asterisk.asterisk_runner import (
    OBSERVER_SECRET,
    OBSERVER_USER,
    OPERATOR_ANSWERS,
    AsteriskError,
    AsteriskRunner,
)
from worktime.clock import DEFAULT_ZONE, Clock, RunningClock

ENV_VAR = "CALLGRID_TEST_ASTERISK"
SKIP_REASON = f"{ENV_VAR} is not set: no real Asterisk to test against"
WORKDAY_MORNING = datetime(2026, 11, 26, 11, 0, tzinfo=DEFAULT_ZONE)
"""The engine's clock starts here: the operators are at work whenever the suite runs."""
KEYPAD_TIMEOUT_MS = 2000
HANDED_TO_QUEUE = r"^SET VARIABLE CALLGRID_QUEUE "
"""The engine hands the caller to the dialplan's Queue() ([callgrid-queued])."""
"""Shorter than the engine's 5 s default so that silent-caller rounds stay quick."""
CALLER_ID = '"Ivan Petrov" <79001234567>'
TOLL_FREE = "88002224902"

RUNNER = pytest.StashKey[AsteriskRunner]()
CALLS = pytest.StashKey[list["RealCall"]]()


def pytest_report_header(config: pytest.Config) -> str:
    binary = os.environ.get(ENV_VAR)
    if not binary:
        return f"real-Asterisk tests (tests/asterisk): SKIPPED, {SKIP_REASON}"
    return f"real-Asterisk tests (tests/asterisk): {binary}"


@pytest.fixture(scope="session")
def real_asterisk(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[AsteriskRunner]:
    """Asterisk started from the project's asterisk-conf/ for the whole session."""
    binary = os.environ.get(ENV_VAR)
    if not binary:
        print(f"\nSKIPPING real-Asterisk tests: {SKIP_REASON}")
        pytest.skip(SKIP_REASON)
    path = Path(binary)
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"{ENV_VAR}={binary!r} is not an executable asterisk binary")
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    ami_port, agi_port, second_agi_port = sorted(ports)
    runner = AsteriskRunner(
        binary=path,
        root=tmp_path_factory.mktemp("asterisk"),
        ami_port=ami_port,
        agi_port=agi_port,
        second_agi_port=second_agi_port,
    )
    pytestconfig.stash[RUNNER] = runner
    try:
        runner.start()
    except AsteriskError as error:
        runner.stop()
        pytest.fail(f"could not start Asterisk: {error}")
    print(
        f"\nreal Asterisk: {runner.rx('core show version').strip()} in {runner.root}, "
        f"AMI 127.0.0.1:{runner.ami_port}, engines' FastAGI 127.0.0.1:{runner.agi_port} "
        f"and :{runner.second_agi_port}"
    )
    yield runner
    runner.stop()
    del pytestconfig.stash[RUNNER]


@pytest.fixture(autouse=True)
def _needs_real_asterisk(real_asterisk: AsteriskRunner) -> None:
    """Every test here needs the PBX; its skip comes first, before prompts are rendered."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On a failure, show each call's FastAGI wire and the tail of Asterisk's log."""
    report = yield
    runner = item.config.stash.get(RUNNER, None)
    if report.failed and runner is not None:
        for placed in item.stash.get(CALLS, []):
            wire = "\n".join(placed.wire()) or "(nothing logged)"
            report.sections.append((f"FastAGI wire of {placed.ivr_channel}", wire))
        report.sections.append(("Asterisk log", runner.log_tail()))
    return report


# -- the engine under test ---------------------------------------------------------


class _Problems(logging.Handler):
    """Warnings and errors the engine logs during a test."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


ENGINE_LOGGERS = ("telephony", "ivr", "callcenter", "callgrid")


@dataclass(repr=False)
class RealEngine:
    engine: Engine
    server: FastAgiServer
    flow: IvrCallFlow
    call_log: SqlCallLog
    content: IvrContent
    problems: list[logging.LogRecord]
    customers: SqlCustomers

    def __repr__(self) -> str:
        return f"<RealEngine FastAGI 127.0.0.1:{self.server.port}>"

    def seconds(self, prompt_id: str, variant: str = "short") -> float:
        duration = self.content.library.durations.get(f"{prompt_id}-{variant}")
        assert duration is not None, f"prompt {prompt_id}-{variant} was not rendered"
        return duration


def engine_settings(
    runner: AsteriskRunner,
    content: IvrContent,
    var_dir: Path,
    port: int,
    ivr: dict[str, Any] | None = None,
    **changes: Any,
) -> Settings:
    """An engine as ``callgrid serve`` runs it beside this Asterisk: FastAGI on ``port``,
    SQLite under ``var_dir`` unless ``database_url`` is given, Asterisk's queue_log and
    message folder, a shorter keypad timeout; ``changes`` for the rest (``ivr`` for the
    IVR's own settings)."""
    return Settings(
        var_dir=var_dir,
        agi_host="127.0.0.1",
        agi_port=port,
        ami_enabled=False,
        **changes,
    ).with_sections(
        IvrSettings(
            prompts_dir=content.library.directory,
            keypad_timeout_ms=KEYPAD_TIMEOUT_MS,
            asterisk_queue_log=str(runner.queue_log),
            messages_dir=str(runner.messages_dir),
            queue_log_poll_seconds=0.5,
            **(ivr or {}),
        ),
        RecordingSettings(recordings_dir=str(runner.recordings_dir)),
    )


@asynccontextmanager
async def real_engine(
    settings: Settings,
    content: IvrContent,
    clock: Clock | None = None,
    parts: tuple[str, ...] = ("agi", "workers"),
) -> AsyncIterator[RealEngine]:
    """The engine assembled by ``Engine`` as ``serve`` does (agi and workers), by default
    with a running clock (the call record's times are compared with Asterisk's) started
    on a working morning. ``telephony`` logs at DEBUG (shown with a failure); warnings are
    collected."""
    telephony_log = logging.getLogger("telephony")
    level = telephony_log.level
    telephony_log.setLevel(logging.DEBUG)
    problems = _Problems()
    for name in ENGINE_LOGGERS:
        logging.getLogger(name).addHandler(problems)
    engine = Engine(settings, clock or RunningClock(WORKDAY_MORNING), parts=parts)
    await engine.start()
    assert engine.agi is not None
    host = engine.host
    try:
        yield RealEngine(
            engine,
            engine.agi,
            host.require(CALL_FLOW),
            host.require(CALL_LOG),
            content,
            problems.records,
            host.require(CUSTOMERS),
        )
    finally:
        await engine.stop()
        for name in ENGINE_LOGGERS:
            logging.getLogger(name).removeHandler(problems)
        telephony_log.setLevel(level)


@pytest.fixture
async def engine(
    real_asterisk: AsteriskRunner, ivr_content: IvrContent, tmp_path: Path
) -> AsyncIterator[RealEngine]:
    """The IVR on the FastAGI port the dialplan's CALLGRID_AGI_1 points at, on SQLite."""
    settings = engine_settings(real_asterisk, ivr_content, tmp_path, real_asterisk.agi_port)
    async with real_engine(settings, ivr_content) as running:
        yield running


# -- AMI: the project's login drives, a test-only login watches ----------------------


@dataclass
class Seen:
    at: float
    event: AmiEvent

    @property
    def channel(self) -> str:
        return self.event.get("Channel") or ""


@dataclass(repr=False)
class Observer:
    """Every AMI event Asterisk sent to the read-all login, with when it arrived."""

    client: AmiClient
    events: list[Seen] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<Observer {len(self.events)} AMI events>"

    def record(self, event: AmiEvent) -> None:
        self.events.append(Seen(time.monotonic(), event))

    def named(self, name: str, channel: str | None = None) -> list[Seen]:
        return [
            seen
            for seen in self.events
            if seen.event.name == name and (channel is None or seen.channel == channel)
        ]

    async def wait_for(
        self, matches: Callable[[Seen], bool], timeout: float, start: int = 0
    ) -> tuple[int, Seen]:
        """The first event from index ``start`` on that matches, waiting at most ``timeout``."""
        async with asyncio.timeout(timeout):
            index = start
            while True:
                while index < len(self.events):
                    if matches(self.events[index]):
                        return index, self.events[index]
                    index += 1
                await asyncio.sleep(0.01)


async def _ami_login(runner: AsteriskRunner, username: str, secret: str) -> AmiClient:
    client = AmiClient("127.0.0.1", runner.ami_port, username, secret, action_timeout=10.0)
    await asyncio.wait_for(client.start(), 15)
    return client


@pytest.fixture
async def ami(real_asterisk: AsteriskRunner) -> AsyncIterator[AmiClient]:
    """The engine's own login from asterisk-conf/manager.conf (callgrid/callgrid)."""
    settings = Settings()
    client = await _ami_login(real_asterisk, settings.ami_username, settings.ami_secret)
    yield client
    await client.close()


@pytest.fixture
async def observer(real_asterisk: AsteriskRunner) -> AsyncIterator[Observer]:
    client = await _ami_login(real_asterisk, OBSERVER_USER, OBSERVER_SECRET)
    watching = Observer(client)
    client.on_event("*", watching.record)
    yield watching
    await client.close()


@pytest.fixture
async def operator_on_duty(ami: AmiClient) -> AsyncIterator[str]:
    """A member of the ``operators`` queue who answers (added at run time, as in production)."""
    try:
        await ami.send(actions.QueueAdd("operators", OPERATOR_ANSWERS, member_name="Test Operator"))
    except AmiActionError as error:
        if "Already there" not in str(error):
            raise
    yield OPERATOR_ANSWERS
    with contextlib.suppress(AmiActionError):
        await ami.send(actions.QueueRemove("operators", OPERATOR_ANSWERS))


# -- a phone: real calls through the project's dialplan ------------------------------


@dataclass
class AgiCommand:
    at: float
    command: str


@dataclass(repr=False)
class RealCall:
    """One call: ``ivr_channel`` (;1) runs [callgrid-inbound], ``caller_channel`` (;2) is us."""

    ami: AmiClient
    observer: Observer
    engine: RealEngine | None
    runner: AsteriskRunner
    ivr_channel: str
    ivr_uniqueid: str
    originated_at: float
    log_offset: int
    cursor: int = 0

    def __repr__(self) -> str:
        return f"<RealCall {self.ivr_channel} uniqueid={self.ivr_uniqueid}>"

    @property
    def caller_channel(self) -> str:
        return self.ivr_channel[: -len(";1")] + ";2"

    async def press(self, digits: str) -> None:
        await self._command(f"dtmf:{digits}")

    async def hang_up(self) -> None:
        await self._command("hangup")

    async def say(self, sound: Path) -> None:
        """The caller speaks: their phone plays ``sound`` (a path without extension)."""
        await self._command(f"play:{sound}")

    async def _command(self, command: str) -> None:
        await self.ami.send(actions.Setvar("CMD", command, channel=self.caller_channel))

    async def next_agi(self, pattern: str, timeout: float) -> AgiCommand:
        """Wait for the next AGI command the engine sends whose text matches ``pattern``."""
        regex = re.compile(pattern)

        def wanted(seen: Seen) -> bool:
            return (
                seen.event.name == "AGIExecStart"
                and seen.channel == self.ivr_channel
                and regex.search(seen.event.get("Command") or "") is not None
            )

        try:
            index, seen = await self.observer.wait_for(wanted, timeout, self.cursor)
        except TimeoutError:
            sent = "\n".join(c.command for c in self.agi_commands())
            raise AssertionError(
                f"no AGI command matching {pattern!r} within {timeout:g} s; sent so far:\n{sent}"
            ) from None
        self.cursor = index + 1
        return AgiCommand(seen.at, seen.event.get("Command") or "")

    def agi_commands(self) -> list[AgiCommand]:
        """What the engine sent, as Asterisk reported it in AGIExecStart events."""
        return [
            AgiCommand(seen.at, seen.event.get("Command") or "")
            for seen in self.observer.named("AGIExecStart", self.ivr_channel)
        ]

    def wire(self) -> list[str]:
        return self.runner.agi_wire(self.ivr_channel, self.log_offset)

    def asterisk_warnings(self) -> list[str]:
        return [
            line
            for line in self.runner.log_since(self.log_offset)
            if "] WARNING[" in line or "] ERROR[" in line
        ]

    async def stored(self, timeout: float) -> CallRow:
        """The engine's record of this call once it is closed (ended_at set)."""
        assert self.engine is not None, "no engine took this call"
        deadline = time.monotonic() + timeout
        row = None
        while time.monotonic() < deadline:
            row = await self.engine.call_log.find_by_uniqueid(self.ivr_uniqueid)
            if row is not None and row.ended_at is not None:
                return row
            await asyncio.sleep(0.1)
        raise AssertionError(
            f"call {self.ivr_uniqueid} not stored as ended in {timeout:g} s: {row}"
        )

    async def gone(self, timeout: float) -> float:
        """Wait until Asterisk hangs up the IVR half; when it did."""
        try:
            _, seen = await self.observer.wait_for(
                lambda s: s.event.name == "Hangup" and s.channel == self.ivr_channel, timeout
            )
        except TimeoutError:
            raise AssertionError(
                f"{self.ivr_channel} still up {timeout:g} s later: the FastAGI call was not "
                f"released"
            ) from None
        return seen.at


@dataclass(repr=False)
class Phone:
    ami: AmiClient
    observer: Observer
    engine: RealEngine | None
    runner: AsteriskRunner
    placed: list[RealCall]

    def __repr__(self) -> str:
        return f"<Phone AMI 127.0.0.1:{self.runner.ami_port}, {len(self.placed)} call(s)>"

    async def call(self, number: str = TOLL_FREE) -> RealCall:
        """Originate Local/s@caller-remote into [callgrid-inbound] at ``number``."""
        offset = self.runner.log_size()
        started = time.monotonic()
        response = await self.ami.originate(
            "Local/s@caller-remote",
            context="callgrid-inbound",
            exten=number,
            priority=1,
            caller_id=CALLER_ID,
            timeout_ms=15_000,
            result_timeout=20,
        )
        assert response.succeeded, f"Originate failed: reason {response.reason}"
        assert response.channel.endswith(";1") and response.uniqueid, response
        placed = RealCall(
            self.ami,
            self.observer,
            self.engine,
            self.runner,
            response.channel,
            response.uniqueid,
            started,
            offset,
        )
        self.placed.append(placed)
        return placed


@pytest.fixture
def phone(
    request: pytest.FixtureRequest,
    ami: AmiClient,
    observer: Observer,
    engine: RealEngine,
    real_asterisk: AsteriskRunner,
) -> Phone:
    placed: list[RealCall] = []
    request.node.stash[CALLS] = placed
    return Phone(ami, observer, engine, real_asterisk, placed)
