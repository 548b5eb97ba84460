"""The event spine: typed AMI events reach the capability that registered for them,
resyncs run on every (re)connection, and the hub never waits for a slow listener."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.event_bridge import PostgresEventBridge
from callgrid.events import EventHub
from callgrid.plugins import Plugin, PluginHost, load_plugins
from callgrid.settings import Settings
from telephony.ami.events import DialBegin
from telephony.emulator.ami_server import AmiEmulator
from tests.waiting import eventually
from worktime.clock import system_clock


class Listening(Plugin):
    """A capability that follows dial events and re-reads state after a reconnect."""

    name = "listening"

    def __init__(self) -> None:
        self.dials: list[str] = []
        self.resyncs = 0

    def setup(self, host: PluginHost) -> None:
        async def dialled(event: DialBegin) -> None:
            self.dials.append(event.dest_channel)

        async def resync() -> None:
            self.resyncs += 1

        host.on_ami_event(DialBegin, dialled)
        host.on_ami_connected(resync)


@pytest.fixture
async def emulator() -> AsyncIterator[AmiEmulator]:
    server = AmiEmulator(username="callgrid", secret="callgrid", auth_failure_delay=0)
    await server.start()
    yield server
    await server.stop()


async def test_typed_ami_events_and_resyncs_reach_the_capability(
    emulator: AmiEmulator, tmp_path: Path
) -> None:
    listening = Listening()
    settings = Settings(var_dir=tmp_path, ami_port=emulator.port)
    engine = Engine(settings, system_clock, plugins=[*load_plugins(), listening], parts=("ami",))
    link = engine.events.subscribe("ami.link")
    await engine.start()
    try:
        await eventually(lambda: listening.resyncs == 1)
        emulator.emit_event(
            "DialBegin",
            {
                "Channel": "Local/100@from-callers-0001;2",
                "DestChannel": "SIP/operator-7",
                "DestUniqueid": "1764590000.7",
            },
        )
        emulator.emit_event("Newexten", {"Channel": "Local/100@from-callers-0001;2"})
        await eventually(lambda: listening.dials == ["SIP/operator-7"])
        assert (await link.next()).data["connected"] is True

        emulator.drop_connections()
        await eventually(lambda: listening.resyncs == 2, within=10)
    finally:
        await engine.stop()


async def test_a_slow_subscriber_loses_its_oldest_events_and_holds_up_nobody() -> None:
    hub = EventHub()
    slow = hub.subscribe("call", size=3)
    quick = hub.subscribe("call.ended")
    for number in range(10):
        hub.publish("call.ended", number=number)
    hub.publish("ami.link", connected=True)
    assert slow.missed == 7
    assert [(await slow.next()).data["number"] for _ in range(3)] == [7, 8, 9]
    assert quick.queue.qsize() == 10 and quick.missed == 0


async def test_events_reach_another_process_through_postgresql(postgres_url: str) -> None:
    database = Database(postgres_url)
    await database.upgrade()
    await database.close()
    first_hub, second_hub = EventHub(), EventHub()
    first = PostgresEventBridge(first_hub, postgres_url)
    second = PostgresEventBridge(second_hub, postgres_url)
    await first.start()
    await second.start()
    heard_there = second_hub.subscribe("call")
    heard_here = first_hub.subscribe("call")
    try:
        first_hub.publish("call.started", call="c-1", line="toll_free")
        first_hub.publish("ami.event.Newexten", shared=False)
        event = await asyncio.wait_for(heard_there.next(), 5)
        assert (event.topic, event.data["call"]) == ("call.started", "c-1")
        await eventually(lambda: first.sent == 1)
        assert heard_here.queue.qsize() == 1, "delivered here once, not echoed back"
        assert second.received == 1
    finally:
        await first.stop()
        await second.stop()


def test_the_engine_loads_every_installed_capability(tmp_path: Path) -> None:
    engine = Engine(replace(Settings(var_dir=tmp_path)), system_clock, parts=("web",))
    names = [plugin.name for plugin in engine.plugins]
    assert names == ["customers", "recordings", "callcenter", "autodialer", "ivr"]
