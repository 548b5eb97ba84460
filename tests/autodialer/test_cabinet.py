"""Notices to the web cabinet over a signed webhook, checked by a local receiver (AD-4)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from autodialer.cabinet import SIGNATURE_HEADER, CabinetSender, signature, verify_signature
from autodialer.model import Cause
from autodialer.sending import SendError
from worktime.clock import ManualClock

NOW = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)
SECRET = "cabinet-shared-secret"
TEXT = "Задолженность по лицевому счёту 7010000001 — 1 234,50 руб. Оплатите до 25.11."


@dataclass
class Cabinet:
    """The cabinet's side: verifies each notice's signature by its own clock."""

    clock: ManualClock
    secret: str = SECRET
    answer: int | None = None
    """A status to answer with regardless; None: 200 if the signature holds, else 401."""
    reply: str = '{"stored":true}'
    hang: bool = False
    taken: list[dict[str, str]] = field(default_factory=list)
    requests: list[tuple[str, bytes]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        header = request.headers.get(SIGNATURE_HEADER, "")
        self.requests.append((header, body))
        if self.hang:
            await asyncio.Event().wait()
        if self.answer is not None:
            return web.Response(status=self.answer, text=self.reply)
        if not verify_signature(self.secret, header, body, self.clock()):
            return web.Response(status=401, text="bad signature")
        self.taken.append(json.loads(body))
        return web.Response(text=self.reply, content_type="application/json")


@pytest.fixture
async def cabinet() -> AsyncIterator[tuple[Cabinet, str]]:
    receiver = Cabinet(ManualClock(NOW))
    app = web.Application()
    app.router.add_post("/notices", receiver.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield receiver, f"http://127.0.0.1:{port}/notices"
    await runner.cleanup()


@pytest.fixture
async def sender(cabinet: tuple[Cabinet, str]) -> AsyncIterator[CabinetSender]:
    _, url = cabinet
    client = CabinetSender(url, SECRET, ManualClock(NOW), timeout=2)
    await client.start()
    yield client
    await client.close()


async def test_a_notice_is_delivered_signed_with_its_fields(
    cabinet: tuple[Cabinet, str], sender: CabinetSender
) -> None:
    receiver, _ = cabinet
    sent = await sender.send("7010000001", "attempt-61", "Напоминание о задолженности", TEXT)
    assert sent.cause is Cause.DELIVERED, sent.details
    assert (sent.details["status"], sent.details["reply"]) == ("200", '{"stored":true}')
    assert receiver.taken == [
        {
            "account": "7010000001",
            "notice_id": "attempt-61",
            "subject": "Напоминание о задолженности",
            "text": TEXT,
            "sent_at": NOW.isoformat(),
        }
    ]
    header, _ = receiver.requests[0]
    assert header.startswith(f"t={int(NOW.timestamp())},v1=")


async def test_a_wrong_secret_fails_the_check_and_is_rejected(
    cabinet: tuple[Cabinet, str],
) -> None:
    receiver, url = cabinet
    client = CabinetSender(url, "another-secret", ManualClock(NOW))
    await client.start()
    try:
        sent = await client.send("7010000001", "attempt-62", "Тема", TEXT)
    finally:
        await client.close()
    assert sent.cause is Cause.REJECTED
    assert sent.details["status"] == "401" and receiver.taken == []


async def test_a_notice_replayed_after_the_tolerance_fails_the_check(
    cabinet: tuple[Cabinet, str], sender: CabinetSender
) -> None:
    receiver, _ = cabinet
    await sender.send("7010000001", "attempt-63", "Тема", TEXT)
    header, body = receiver.requests[0]
    assert verify_signature(SECRET, header, body, NOW + timedelta(seconds=300))
    assert not verify_signature(SECRET, header, body, NOW + timedelta(seconds=301))
    assert not verify_signature(SECRET, header, body, NOW - timedelta(seconds=301))
    receiver.clock.advance(301)
    late = await sender.send("7010000001", "attempt-63", "Тема", TEXT)
    assert late.cause is Cause.REJECTED


async def test_a_changed_body_fails_the_check(
    cabinet: tuple[Cabinet, str], sender: CabinetSender
) -> None:
    receiver, _ = cabinet
    await sender.send("7010000001", "attempt-64", "Тема", TEXT)
    header, body = receiver.requests[0]
    changed = body.replace(b"7010000001", b"7010000002")
    assert changed != body
    assert verify_signature(SECRET, header, body, NOW)
    assert not verify_signature(SECRET, header, changed, NOW)


async def test_a_server_error_is_undelivered_and_the_reply_kept_short(
    cabinet: tuple[Cabinet, str], sender: CabinetSender
) -> None:
    receiver, _ = cabinet
    receiver.answer, receiver.reply = 500, "Внутренняя ошибка " * 40
    sent = await sender.send("7010000001", "attempt-65", "Тема", TEXT)
    assert sent.cause is Cause.UNDELIVERED
    assert sent.details["status"] == "500"
    assert len(sent.details["reply"]) == 200


async def test_a_redirect_is_not_followed(
    cabinet: tuple[Cabinet, str], sender: CabinetSender
) -> None:
    receiver, _ = cabinet
    receiver.answer = 302
    assert (await sender.send("7010000001", "a-66", "Тема", TEXT)).cause is Cause.UNDELIVERED


async def test_a_receiver_that_is_down_is_undelivered() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = CabinetSender(f"http://127.0.0.1:{port}/notices", SECRET, ManualClock(NOW))
    await client.start()
    try:
        sent = await client.send("7010000001", "attempt-67", "Тема", TEXT)
    finally:
        await client.close()
    assert sent.cause is Cause.UNDELIVERED
    assert "not reachable" in sent.details["reason"]


async def test_a_receiver_that_does_not_answer_in_time_is_undelivered(
    cabinet: tuple[Cabinet, str],
) -> None:
    receiver, url = cabinet
    receiver.hang = True
    client = CabinetSender(url, SECRET, ManualClock(NOW), timeout=0.2)
    await client.start()
    try:
        sent = await client.send("7010000001", "attempt-68", "Тема", TEXT)
    finally:
        await client.close()
    assert sent.cause is Cause.UNDELIVERED
    assert "did not answer in 0.2 s" in sent.details["reason"]


@pytest.mark.parametrize(
    "header",
    ["", "garbage", "t=abc,v1=00", f"t={int(NOW.timestamp())}", "v1=00", "t=1,t=2,v1=00"],
)
def test_a_malformed_signature_is_refused(header: str) -> None:
    assert not verify_signature(SECRET, header, b"{}", NOW)


def test_the_signature_is_hmac_sha256_over_time_dot_body() -> None:
    header = signature("key", b'{"a":1}', datetime(2026, 1, 1, tzinfo=UTC))
    assert header == (
        "t=1767225600,v1=80f7b75f8618b9b24d72673996a625f1a43f7387a26b6739d667431724fe4d23"
    )


def test_a_sender_set_up_wrongly_is_an_error_at_once() -> None:
    with pytest.raises(SendError):
        CabinetSender("ftp://cabinet.example/notices", SECRET, ManualClock(NOW))
    with pytest.raises(SendError):
        CabinetSender("https://cabinet.example/notices", "", ManualClock(NOW))


async def test_sending_before_start_is_an_error() -> None:
    with pytest.raises(SendError):
        await CabinetSender("https://c.example/n", SECRET, ManualClock(NOW)).send("1", "2", "", "")
