"""The FastAGI server under the conditions that break weaker implementations."""

from __future__ import annotations

import asyncio
import time

import pytest

from telephony.agi import AgiCall, AgiTimeout, FastAgiServer
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
from tests import transcripts


async def _answer_and_read(call: AgiCall) -> None:
    await call.answer()
    await call.get_variable("CALLERID(num)")


async def test_client_closing_before_the_environment_ends_does_not_block_the_loop() -> None:
    """A TCP health check that connects and leaves must not stall the calls being served."""
    served: list[str] = []

    async def handler(call: AgiCall) -> None:
        await _answer_and_read(call)
        served.append(call.environment.uniqueid)

    server = FastAgiServer({"ivr": handler}, port=0)
    await server.start()
    try:
        for partial in (b"", b"agi_network: yes\n", b"agi_network: yes\nagi_network_scr"):
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(partial)
            await writer.drain()
            writer.close()
        await asyncio.sleep(0.05)
        # the loop stays responsive: 20 ticks of 5 ms take about 100 ms, not seconds
        started = time.perf_counter()
        for _ in range(20):
            await asyncio.sleep(0.005)
        assert time.perf_counter() - started < 1.0
        channel = EmulatedChannel("127.0.0.1", server.port, ScriptedCaller(), SoundLibrary())
        await asyncio.wait_for(channel.run(), 5)
        assert served == [channel.uniqueid]
        assert server.active_calls == 0
    finally:
        await server.stop()


async def test_a_reply_that_never_comes_is_bounded_by_a_timeout() -> None:
    outcome: dict[str, object] = {}

    async def handler(call: AgiCall) -> None:
        await call.answer()
        started = time.perf_counter()
        try:
            await call.get_variable("CALLERID(num)")
        except AgiTimeout as error:
            outcome["error"] = str(error)
        outcome["waited"] = time.perf_counter() - started

    server = FastAgiServer({"ivr": handler}, port=0, reply_timeout=0.2)
    await server.start()
    settings = ChannelSettings(unanswered_commands=frozenset({"GET VARIABLE"}))
    channel = EmulatedChannel("127.0.0.1", server.port, ScriptedCaller(), SoundLibrary(), settings)
    await asyncio.wait_for(channel.run(), 5)
    await server.stop()
    assert "no reply to 'GET VARIABLE CALLERID(num)' within 0.2 s" in str(outcome["error"])
    assert 0.15 < float(outcome["waited"]) < 1.0  # type: ignore[arg-type]
    assert channel.closed_by_engine, "the engine closes a call whose replies are out of step"


async def test_unknown_script_is_closed_without_running_anything(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = FastAgiServer({"ivr": _answer_and_read}, port=0)
    await server.start()
    channel = EmulatedChannel(
        "127.0.0.1",
        server.port,
        ScriptedCaller(),
        SoundLibrary(),
        ChannelSettings(script="nosuch"),
        keep_wire=True,
    )
    await asyncio.wait_for(channel.run(), 5)
    await server.stop()
    assert [d for d, _ in channel.wire if d == ">>"] == []
    assert "no FastAGI route 'nosuch'" in caplog.text


async def test_the_environment_of_the_reference_transcript_reaches_the_call() -> None:
    seen: list[AgiCall] = []

    async def handler(call: AgiCall) -> None:
        seen.append(call)

    server = FastAgiServer({"env": handler}, port=0)
    await server.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    block = transcripts.environment("agi/agi-env.txt")
    writer.write("".join(line + "\n" for line in block).encode())
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 5) == b""  # the engine closes when done
    writer.close()
    await server.stop()
    env = seen[0].environment
    assert env.script == "env" and env.args[1] == "second arg" and env.query["x"] == "1"
