"""A FastAGI line longer than the 64 KB line limit closes the connection cleanly."""

from __future__ import annotations

import asyncio
import logging

import pytest

from telephony.agi import AgiCall, AgiError, AgiProtocolError, CallHungUp, FastAgiServer
from tests import transcripts

OVERLONG = 70_000


def _environment(extra: list[str] | None = None) -> bytes:
    block = transcripts.environment("agi/agi-env.txt")
    lines = block[:-1] + (extra or []) + block[-1:]
    return "".join(line + "\n" for line in lines).encode()


async def _read_until_closed(reader: asyncio.StreamReader) -> bytes:
    try:
        return await asyncio.wait_for(reader.read(), 5)
    except ConnectionResetError:
        return b""


async def test_an_overlong_environment_line_is_dropped_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    routed: list[AgiCall] = []

    async def handler(call: AgiCall) -> None:
        routed.append(call)

    server = FastAgiServer({"env": handler}, port=0)
    await server.start()
    try:
        with caplog.at_level(logging.DEBUG):
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(_environment([f"agi_arg_3: {'x' * OVERLONG}"]))
            await writer.drain()
            answered = await _read_until_closed(reader)
            writer.close()
            await server.drained(5)
    finally:
        await server.stop()

    assert answered == b""
    assert routed == []
    assert server.malformed_connections == 1
    assert [r for r in caplog.records if r.exc_info] == [], "no traceback in the log"
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "longer than 64 KB" in warnings[0].getMessage()


async def test_an_overlong_reply_raises_a_protocol_error_not_a_hangup(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raised: list[BaseException] = []

    async def handler(call: AgiCall) -> None:
        try:
            await call.answer()
        except AgiError as error:
            raised.append(error)
            raise

    server = FastAgiServer({"env": handler}, port=0)
    await server.start()
    try:
        with caplog.at_level(logging.DEBUG):
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(_environment())
            command = await asyncio.wait_for(reader.readline(), 5)
            writer.write(f"200 result=0 ({'x' * OVERLONG})\n".encode())
            await writer.drain()
            after = await _read_until_closed(reader)
            writer.close()
            await server.drained(5)
    finally:
        await server.stop()

    assert command == b"ANSWER\n"
    assert after == b"", "the engine closes the socket and sends nothing more"
    assert len(raised) == 1
    assert isinstance(raised[0], AgiProtocolError)
    assert not isinstance(raised[0], CallHungUp)
    assert "longer than 64 KB" in str(raised[0])
    assert [r for r in caplog.records if r.exc_info] == [], "no traceback in the log"
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "longer than 64 KB" in warnings[0].getMessage()
    assert "1795774864.0" in warnings[0].getMessage(), "the line names the call"
