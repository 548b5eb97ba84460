"""The benchmark's side of :mod:`bench.ami_events`: the engine process it drives, the
emulated Asterisk feeding it, and the supervisors' screens watching the wallboard.

Every moment is ``time.monotonic()`` (CLOCK_MONOTONIC, one clock for every process of
the machine), so an event's emission here and its delivery in the engine compare."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.ami_events_engine import PASSWORD
from bench.ami_events_mix import ContactCenter, Emitted
from telephony.emulator.ami_server import AmiEmulator

SETTLE_TIMEOUT = 60.0
TICK = 0.01
"""Seconds between two batches of the paced feed."""


@dataclass
class EngineRun:
    """``python -m bench.ami_events_engine``, its progress followed as it comes."""

    process: asyncio.subprocess.Process
    url: str
    database: str
    progress: dict[str, Any]
    samples: list[tuple[float, int]] = field(default_factory=list)
    """(moment, AMI events handled) of every progress line."""
    _answers: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    _reading: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls, database: str, ami_port: int, markers: list[str], scratch: Path
    ) -> EngineRun:
        log = (scratch / "engine.log").open("wb")
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bench.ami_events_engine", "--database", database),
            *("--ami-port", str(ami_port), "--markers", ",".join(markers)),
            *("--scratch", str(scratch)),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
            limit=1 << 26,
        )
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        if not line:
            await process.wait()
            raise RuntimeError(f"the engine did not start:\n{(scratch / 'engine.log').read_text()}")
        ready = json.loads(line)
        progress = {"hub": ready["hub"], "handled": ready["handled"], "handled_at": 0.0}
        run = cls(process, ready["url"], database, {**progress, "t": time.monotonic()})
        run._reading = asyncio.create_task(run._read())
        return run

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            message = json.loads(line)
            if message["kind"] == "progress":
                self.progress = message
                self.samples.append((message["t"], message["handled"]))
            else:
                await self._answers.put(message)

    async def command(self, *words: object) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write((" ".join(map(str, words)) + "\n").encode())
        await self.process.stdin.drain()
        return await asyncio.wait_for(self._answers.get(), 120)

    @property
    def hub(self) -> int:
        """Events the engine's hub published (one a stored burst of the board)."""
        return int(self.progress["hub"])

    @property
    def handled(self) -> int:
        """AMI events the engine has handled: received and their effect stored."""
        return int(self.progress["handled"])

    @property
    def handled_at(self) -> float:
        """The moment the engine finished handling the last of them."""
        return float(self.progress["handled_at"])

    @property
    def on_postgres(self) -> bool:
        return self.database.startswith("postgresql")

    @property
    def database_name(self) -> str:
        return self.database.rsplit("/", 1)[-1]

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far: ``all`` of the process, its event ``loop``."""
        threads: dict[str, float] = self.progress.get("threads", {"all": 0.0, "loop": 0.0})
        return threads

    async def stop(self) -> None:
        if self.process.returncode is None:
            await self.command("stop")
            await self.process.wait()
        if self._reading is not None:
            await self._reading


@dataclass
class Feed:
    """What the emulated Asterisk has sent the engine: each event's moment and the
    markers. ``base`` below is the engine's count of handled events as the phase began."""

    emulator: AmiEmulator
    center: ContactCenter
    events: Iterator[Emitted] = field(init=False)
    moments: list[float] = field(default_factory=list)
    markers: list[tuple[str, int, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.events = self.center.events()

    def new_phase(self) -> None:
        self.moments, self.markers = [], []

    def send(self, count: int) -> None:
        for _ in range(count):
            emitted = next(self.events)
            now = time.monotonic()
            self.emulator.emit_event(emitted.name, emitted.headers)
            self.moments.append(now)
            if emitted.marker is not None:
                self.markers.append((*emitted.marker, now))

    def owed(self, engine: EngineRun, base: int) -> int:
        """Events of this phase sent and not yet handled by the engine."""
        return len(self.moments) - (engine.handled - base)

    def taken(self, engine: EngineRun, since: float, until: float) -> float:
        """Events a second the engine handled between two moments of the phase."""
        done = [(moment, handled) for moment, handled in engine.samples if since <= moment <= until]
        if len(done) < 2 or done[-1][0] <= done[0][0]:
            return 0.0
        return (done[-1][1] - done[0][1]) / (done[-1][0] - done[0][0])

    def end_to_end(self, engine: EngineRun, base: int) -> tuple[int, float]:
        """The events of this phase the engine handled, and the seconds from the first
        one sent to the last one handled (its effect stored)."""
        handled = engine.handled - base
        if not self.moments or handled <= 0:
            return 0, 0.0
        return handled, engine.handled_at - self.moments[0]

    async def paced(self, rate: float, seconds: float) -> None:
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < seconds:
            self.send(int(rate * elapsed) - len(self.moments))
            await asyncio.sleep(TICK)

    async def flood(self, seconds: float, engine: EngineRun, base: int, window: int) -> None:
        """As fast as the engine takes them: at most ``window`` events not yet handled."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if self.owed(engine, base) < window:
                self.send(100)
                await asyncio.sleep(0)
            else:
                await asyncio.sleep(0.002)

    async def settle(self, engine: EngineRun, base: int) -> str:
        """Wait until the engine is done with every event sent (or gives up after
        ``SETTLE_TIMEOUT``); says how long it took."""
        started = time.monotonic()
        while (left := self.owed(engine, base)) > 0:
            if time.monotonic() - started > SETTLE_TIMEOUT:
                return f"NOT done {SETTLE_TIMEOUT:g} s after the last: {left:,} events not handled"
            await asyncio.sleep(0.02)
        return f"done {time.monotonic() - started:.1f} s after the last"


@dataclass
class Screen:
    client: aiohttp.ClientSession
    socket: aiohttp.ClientWebSocketResponse | None = None
    pages: list[tuple[float, dict[str, int]]] = field(default_factory=list)
    """(moment received, marker login -> marker shown) of each message."""
    closed_by_engine: bool = False
    reading: asyncio.Task[None] | None = None


@dataclass
class Screens:
    """Supervisors' wallboards: one signed-in session and WebSocket each."""

    url: str
    markers: frozenset[str]
    screens: list[Screen] = field(default_factory=list)

    async def sign_in(self, count: int) -> None:
        for number in range(1, count + 1):
            client = aiohttp.ClientSession(
                self.url, cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Origin": self.url}
            )
            form = {"login": f"screen{number:02d}", "password": PASSWORD}
            async with client.post("/sign-in", data=form, allow_redirects=False) as response:
                if response.status != 303 and response.status != 302:
                    raise RuntimeError(f"sign-in of screen{number:02d}: {response.status}")
            self.screens.append(Screen(client))

    async def connect(self) -> None:
        for screen in self.screens:
            screen.pages, screen.closed_by_engine = [], False
            screen.socket = await screen.client.ws_connect("/ws/wallboard", max_msg_size=0)
            screen.reading = asyncio.create_task(self._read(screen, screen.socket))

    async def _read(self, screen: Screen, socket: aiohttp.ClientWebSocketResponse) -> None:
        async for message in socket:
            received = time.monotonic()
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            shown = {
                operator["login"]: int(operator["reason"][1:])
                for operator in json.loads(message.data)["data"]["operators"]
                if operator["login"] in self.markers and operator["reason"].startswith("m")
            }
            screen.pages.append((received, shown))
        screen.closed_by_engine = True

    async def disconnect(self) -> None:
        for screen in self.screens:
            if screen.reading is not None:
                screen.reading.cancel()
            if screen.socket is not None:
                await screen.socket.close()

    async def close(self) -> None:
        await self.disconnect()
        for screen in self.screens:
            await screen.client.close()


@dataclass(frozen=True)
class Shown:
    latencies: list[float]
    """Seconds from each marker's emission to the first message showing it (or a later
    marker of the same operator), over every screen."""
    unseen: int
    gaps: list[float]
    """Seconds between two messages of one screen."""
    dropped: int


def shown_on_screens(screens: Screens, markers: list[tuple[str, int, float]]) -> Shown:
    latencies: list[float] = []
    gaps: list[float] = []
    unseen = dropped = 0
    for screen in screens.screens:
        dropped += screen.closed_by_engine
        gaps.extend(b[0] - a[0] for a, b in zip(screen.pages, screen.pages[1:], strict=False))
        for login, seq, emitted in markers:
            first = next(
                (moment for moment, shown in screen.pages if shown.get(login, 0) >= seq), None
            )
            if first is None:
                unseen += 1
            else:
                latencies.append(first - emitted)
    return Shown(latencies, unseen, gaps, dropped)


def delivered(
    notes: list[list[tuple[str, float]]], markers: list[tuple[str, int, float]]
) -> tuple[list[float], int]:
    """Seconds from each marker's emission to its operator's change reaching each hub
    subscriber (the n-th change of an operator is its n-th marker); and the mismatches."""
    emitted: dict[str, list[float]] = {}
    for login, _seq, moment in markers:
        emitted.setdefault(login, []).append(moment)
    latencies: list[float] = []
    mismatched = 0
    for subscriber in notes:
        reached: dict[str, list[float]] = {}
        for login, moment in subscriber:
            reached.setdefault(login, []).append(moment)
        for login, sent in emitted.items():
            got = reached.get(login, [])
            mismatched += abs(len(got) - len(sent))
            latencies.extend(b - a for a, b in zip(sent, got, strict=False))
    return latencies, mismatched


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving ``database`` now (Linux)."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            fields = stat.rsplit(")", 1)[1].split()
            found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found
