"""The campaign worker on real wires: Originate to the AMI emulator, e-mail to a local
SMTP server, notices to a local cabinet; each attempt stored with its cause, and a
second tick calls nobody again inside the retry interval."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import web

from autodialer.cabinet import CabinetSender
from autodialer.dialer import Dialer
from autodialer.mail import MailSender
from autodialer.messaging import Messaging
from autodialer.model import Cause, MessageChannel
from autodialer.parts import CampaignParts
from autodialer.storage import ListEntry
from callgrid.database import Database
from callgrid.events import EventHub
from customers.model import Consent
from telephony.ami import AmiClient
from telephony.emulator.ami_calls import REFERENCE_CONTEXTS
from telephony.emulator.ami_server import AmiEmulator
from tests.autodialer.campaign_fixtures import (
    account,
    add_customers,
    draft,
    parts_for,
    running_campaign,
)
from tests.autodialer.test_cabinet import SECRET, Cabinet
from tests.autodialer.test_dialing_turns import TOMSK_MORNING
from tests.autodialer.test_mail import LocalController, Mailbox
from worktime.clock import ManualClock

NUMBERS = {1: "busy", 2: "noanswer", 3: "answer"}


@pytest.fixture
async def ami() -> AsyncIterator[AmiClient]:
    outcomes: dict[str, Any] = {
        f"Local/7913{n:07d}@customers": outcome for n, outcome in NUMBERS.items()
    }
    contexts = {*REFERENCE_CONTEXTS, "customers", "callgrid-campaign"}
    emulator = AmiEmulator(auth_failure_delay=0, outcomes=outcomes, contexts=contexts)
    await emulator.start()
    client = AmiClient("127.0.0.1", emulator.port, "ivr", "ivrsecret", action_timeout=2.0)
    await client.start()
    yield client
    await client.close()
    await emulator.stop()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox()
    controller = LocalController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
async def cabinet() -> AsyncIterator[tuple[Cabinet, str]]:
    receiver = Cabinet(ManualClock(TOMSK_MORNING))
    app = web.Application()
    app.router.add_post("/notices", receiver.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield receiver, f"http://127.0.0.1:{runner.addresses[0][1]}/notices"
    await runner.cleanup()


async def causes(parts: CampaignParts, campaign_id: int) -> dict[tuple[str, str], str]:
    return {
        (p.attempt.account_number, p.attempt.channel.value): (
            p.attempt.cause.value if p.attempt.cause else "open"
        )
        for p in await parts.reports.attempts(campaign_id)
    }


async def test_one_tick_reaches_each_customer_once_on_each_channel(
    database: Database,
    ami: AmiClient,
    mailbox: tuple[Mailbox, int],
    cabinet: tuple[Cabinet, str],
) -> None:
    clock = ManualClock(TOMSK_MORNING)
    parts = parts_for(database, clock, dial_string="Local/{number}@customers")
    no_email = Consent(phone_info=True, sms=True, email=False, cabinet=True)
    await add_customers(database, [account(1), account(2), account(3, consent=no_email)], clock())
    channels = (MessageChannel.PHONE, MessageChannel.EMAIL, MessageChannel.CABINET)
    campaign = await running_campaign(
        parts,
        draft(clock(), channels=channels, lines=3),
        [ListEntry(f"700000000{n}") for n in NUMBERS],
        clock(),
    )
    receiver, url = cabinet
    cabinet_sender = CabinetSender(url, SECRET, clock, timeout=2)
    await cabinet_sender.start()
    mail = MailSender("127.0.0.1", mailbox[1], "", "", False, "noreply@energosbyt.example", 5)
    messaging = Messaging(parts.store, clock, mail=mail, cabinet=cabinet_sender)
    dialer = Dialer(
        parts.campaigns, parts.store, parts.reports, messaging, parts.rules, clock,
        lambda: ami, EventHub(),
    )  # fmt: skip
    try:
        await dialer.tick()
        await dialer.settle()
        clock.advance(60)
        second = await dialer.tick()
        await dialer.settle()
    finally:
        await cabinet_sender.close()

    assert await causes(parts, campaign.id) == {
        ("7000000001", "phone"): Cause.BUSY.value,
        ("7000000002", "phone"): Cause.NO_ANSWER.value,
        ("7000000003", "phone"): "open",  # answered: its FastAGI call decides
        ("7000000001", "email"): Cause.ACCEPTED.value,
        ("7000000002", "email"): Cause.ACCEPTED.value,
        ("7000000001", "cabinet"): Cause.DELIVERED.value,
        ("7000000002", "cabinet"): Cause.DELIVERED.value,
        ("7000000003", "cabinet"): Cause.DELIVERED.value,
    }
    assert second.started == []  # busy and no answer wait 2 hours; the rest were reached
    assert sorted(m["To"] for m in mailbox[0].messages) == [
        "customer1@example.ru",
        "customer2@example.ru",
    ]
    assert "три тысячи" not in mailbox[0].messages[0].get_body(("plain",)).get_content()
    assert "3 452,17 руб." in mailbox[0].messages[0].get_body(("plain",)).get_content()
    assert {notice["account"] for notice in receiver.taken} == {
        "7000000001",
        "7000000002",
        "7000000003",
    }
    progress = await parts.reports.progress(campaign.id)
    assert progress.lines_busy == 1
    assert progress.skips.get("no_consent") == 1
    busy = [p for p in await parts.reports.attempts(campaign.id, "7000000001")]
    phone = next(p for p in busy if p.attempt.channel is MessageChannel.PHONE)
    assert phone.attempt.details["originate_reason"] == "5"
    assert any("Reason 5" in event.detail for event in phone.events)
