"""A refused AMI Login is retried with backoff until Asterisk accepts it, and named."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from telephony.ami import AmiClient, AmiDisconnected
from telephony.emulator.ami_server import AmiEmulator
from tests.telephony.test_ami_client import eventually

REFUSED = "login refused: Authentication failed"
PING_INTERVAL = 1000.0  # no keepalive tick within a test


class RecordedSleep:
    """Backoff waits are recorded and return at once; the keepalive's wait really waits."""

    def __init__(self) -> None:
        self.backoffs: list[float] = []

    async def __call__(self, seconds: float) -> None:
        if seconds >= PING_INTERVAL:
            await asyncio.sleep(seconds)
            return
        self.backoffs.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
async def emulator() -> AsyncIterator[AmiEmulator]:
    server = AmiEmulator(auth_failure_delay=0)
    await server.start()
    yield server
    await server.stop()


def _client(port: int, sleep: RecordedSleep) -> AmiClient:
    return AmiClient(
        "127.0.0.1",
        port,
        "ivr",
        "ivrsecret",
        reconnect_min=1.0,
        reconnect_max=8.0,
        ping_interval=PING_INTERVAL,
        action_timeout=1.0,
        sleep=sleep,
    )


def _refusal_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if REFUSED in r.getMessage()]


async def test_a_refused_login_is_retried_until_the_secret_is_fixed(
    emulator: AmiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.set_secret("rotated")
    sleep = RecordedSleep()
    client = _client(emulator.port, sleep)
    starting = asyncio.create_task(client.start())
    try:
        await eventually(lambda: len(sleep.backoffs) >= 7)

        assert not starting.done() and not client.is_connected
        assert client.last_error == REFUSED
        assert sleep.backoffs[:7] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
        assert len(_refusal_lines(caplog)) == 1, "logged when it starts failing, not each try"

        emulator.set_secret("ivrsecret")
        await asyncio.wait_for(starting, 5)

        assert client.is_connected and client.last_error is None
        assert emulator.logged_in_count == 1
        assert client.reconnects == 0
    finally:
        await client.close()


async def test_a_login_refused_after_a_drop_is_logged_again_and_counted(
    emulator: AmiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    sleep = RecordedSleep()
    client = _client(emulator.port, sleep)
    await asyncio.wait_for(client.start(), 5)
    try:
        emulator.set_secret("rotated")
        emulator.drop_connections()
        await eventually(lambda: client.last_error == REFUSED)
        assert not client.is_connected

        emulator.set_secret("ivrsecret")
        await eventually(lambda: client.is_connected)

        assert client.last_error is None
        assert client.reconnects == 1
        assert len(_refusal_lines(caplog)) == 1
    finally:
        await client.close()


async def test_an_asterisk_not_listening_is_named_and_close_ends_the_wait() -> None:
    listener = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    listener.close()
    await listener.wait_closed()
    sleep = RecordedSleep()
    client = _client(port, sleep)
    starting = asyncio.create_task(client.start())

    await eventually(lambda: len(sleep.backoffs) >= 2)
    assert client.last_error == "connection refused"
    await client.close()

    with pytest.raises(AmiDisconnected):
        await asyncio.wait_for(starting, 5)


@pytest.mark.parametrize(
    ("port", "reconnect_min", "reconnect_max", "named"),
    [
        (0, 0.5, 30.0, "AMI port 0"),
        (5038, 0.0, 30.0, "reconnect_min=0.0"),
        (5038, 10.0, 5.0, "reconnect_max=5.0"),
    ],
)
def test_settings_that_cannot_work_are_refused(
    port: int, reconnect_min: float, reconnect_max: float, named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        AmiClient(
            "127.0.0.1",
            port,
            "ivr",
            "secret",
            reconnect_min=reconnect_min,
            reconnect_max=reconnect_max,
        )
