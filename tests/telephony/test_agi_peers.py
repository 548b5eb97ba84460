"""FastAGI serves only the Asterisk addresses it is configured for."""

from __future__ import annotations

import asyncio
import logging

import pytest

from telephony.agi import AgiCall, FastAgiServer
from telephony.agi.peers import PeerFilter
from tests import transcripts


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _send_environment_and_read_reply(port: int) -> bytes:
    """Connect as Asterisk would, send a whole environment block, read until closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    block = transcripts.environment("agi/agi-env.txt")
    writer.write("".join(line + "\n" for line in block).encode())
    try:
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 5)
    except ConnectionResetError:  # closed with our environment unread
        return b""
    finally:
        writer.close()


async def test_a_connection_from_an_address_not_allowed_is_closed_unserved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    routed: list[AgiCall] = []

    async def handler(call: AgiCall) -> None:
        routed.append(call)
        await call.answer()

    clock = FakeClock()
    server = FastAgiServer({"env": handler}, port=0, allowed_peers=("10.9.9.9",), clock=clock)
    await server.start()
    try:
        with caplog.at_level(logging.WARNING, logger="telephony.agi"):
            first = await _send_environment_and_read_reply(server.port)
            second = await _send_environment_and_read_reply(server.port)
            await server.drained(5)
    finally:
        await server.stop()

    assert (first, second) == (b"", b"")
    assert routed == []
    assert server.refused_connections == 2
    assert server.calls_served == 0
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1, "one log line per address per minute, not one per connection"
    assert "127.0.0.1" in refusals[0].getMessage()


async def test_an_allowed_network_is_served() -> None:
    served: list[str] = []

    async def handler(call: AgiCall) -> None:
        served.append(call.environment.script)

    server = FastAgiServer({"env": handler}, port=0, allowed_peers=("10.0.0.0/8", "127.0.0.0/8"))
    await server.start()
    try:
        await _send_environment_and_read_reply(server.port)
        await server.drained(5)
    finally:
        await server.stop()

    assert served == ["env"]
    assert server.refused_connections == 0


def test_a_refused_address_is_logged_again_after_a_minute() -> None:
    peers = PeerFilter(["192.0.2.0/24"])

    assert peers.should_log_refusal("10.1.1.1", now=0.0)
    assert not peers.should_log_refusal("10.1.1.1", now=59.0)
    assert peers.should_log_refusal("10.2.2.2", now=59.0), "another address is its own line"
    assert peers.should_log_refusal("10.1.1.1", now=61.0)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("192.0.2.7", True),
        ("192.0.3.7", False),
        ("::1", True),
        ("::ffff:192.0.2.7", True),  # IPv4 peer on a dual-stack socket
        ("fe80::1%eth0", False),
        ("not-an-address", False),
    ],
)
def test_addresses_are_matched_against_networks(address: str, allowed: bool) -> None:
    assert PeerFilter(["192.0.2.0/24", "::1"]).allows(address) is allowed


@pytest.mark.parametrize("entry", ["10.0.0.300", "localhost", "10.0.0.0/40", ""])
def test_a_bad_allowed_peer_is_refused_by_name(entry: str) -> None:
    with pytest.raises(ValueError, match=f"allowed_peers entry {entry!r}"):
        FastAgiServer({}, allowed_peers=("127.0.0.1", entry))


def test_an_empty_allowed_peers_is_refused() -> None:
    with pytest.raises(ValueError, match="allowed_peers is empty"):
        FastAgiServer({}, allowed_peers=())
