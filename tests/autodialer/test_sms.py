"""SMS on the wire to a local SMSC: parts, encodings, receipts, refusals, outages (AD-4, AD-7)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from autodialer.model import Cause
from autodialer.sending import SendError
from autodialer.sms import SmppSender, reconnect_delay, sms_number
from autodialer.sms_receipts import SmsReceipt, parse_receipt
from tests.autodialer.smsc import Smsc
from tests.waiting import eventually
from worktime.clock import ManualClock

NOW = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)
NUMBER = "79131234567"
REMINDER = (
    "Уважаемый абонент! Задолженность по лицевому счёту 7010000001 составляет 1 234,50 руб. "
    "Оплатите до 25.11."
)


@pytest.fixture
async def smsc() -> AsyncIterator[Smsc]:
    server = Smsc()
    await server.start()
    yield server
    await server.stop()


class Receipts:
    def __init__(self) -> None:
        self.taken: list[SmsReceipt] = []

    async def __call__(self, receipt: SmsReceipt) -> None:
        self.taken.append(receipt)


def make_sender(
    port: int, receipts: Receipts, password: str = "secret", timeout: float = 1.0
) -> SmppSender:
    return SmppSender(
        "127.0.0.1", port, "callgrid", password, "Energosbyt", receipts, ManualClock(NOW),
        timeout=timeout, reconnect_delays=(0.05, 0.2),
    )  # fmt: skip


@pytest.fixture
async def sender(smsc: Smsc) -> AsyncIterator[tuple[SmppSender, Receipts]]:
    receipts = Receipts()
    client = make_sender(smsc.port, receipts)
    await client.start()
    yield client, receipts
    await client.close()


async def test_a_cyrillic_reminder_arrives_as_two_ucs2_parts_that_join(
    smsc: Smsc, sender: tuple[SmppSender, Receipts]
) -> None:
    client, _ = sender
    sent = await client.send(NUMBER, REMINDER, "attempt-17")
    assert sent.cause is None, sent.details
    assert [part.data_coding for part in smsc.parts] == [8, 8]
    assert "".join(part.text for part in smsc.parts) == REMINDER
    first, second = (part.udh for part in smsc.parts)
    assert first[:3] == second[:3] == b"\x05\x00\x03" and first[3] == second[3]
    assert (first[4:], second[4:]) == (b"\x02\x01", b"\x02\x02")
    assert all(part.esm_class & 0x40 and part.registered_delivery == 1 for part in smsc.parts)
    assert {part.destination for part in smsc.parts} == {NUMBER}
    assert sent.references == tuple(part.message_id for part in smsc.parts)
    assert sent.details["segments"] == "2" and sent.details["encoding"] == "ucs2"
    assert sent.details["submitted_at"] == f"{NOW.isoformat()} {NOW.isoformat()}"


async def test_a_gsm_text_with_a_euro_sign_arrives_as_one_7_bit_sms(
    smsc: Smsc, sender: tuple[SmppSender, Receipts]
) -> None:
    client, _ = sender
    text = "Debt 12.50 € due 25.11 [acc 7010000001]"
    sent = await client.send("89131234567", text, "attempt-18")
    assert sent.cause is None
    (part,) = smsc.parts
    assert (part.data_coding, part.udh, part.esm_class) == (0, b"", 0)
    assert b"\x1b\x65" in part.octets
    assert part.text == text
    assert part.destination == NUMBER
    assert sent.details["encoding"] == "gsm7" and sent.details["segments"] == "1"


async def test_a_delivery_receipt_reaches_on_receipt_and_is_acknowledged(
    smsc: Smsc, sender: tuple[SmppSender, Receipts]
) -> None:
    client, receipts = sender
    sent = await client.send(NUMBER, "Spasibo za oplatu", "attempt-19")
    (message_id,) = sent.references
    assert await smsc.send_receipt(message_id, delivered=True) == 0
    await eventually(lambda: bool(receipts.taken))
    (receipt,) = receipts.taken
    assert (receipt.message_id, receipt.delivered, receipt.status) == (message_id, True, "DELIVRD")


async def test_an_undelivered_receipt_says_so(
    smsc: Smsc, sender: tuple[SmppSender, Receipts]
) -> None:
    client, receipts = sender
    sent = await client.send(NUMBER, "Spasibo", "attempt-20")
    await smsc.send_receipt(sent.references[0], delivered=False)
    await eventually(lambda: bool(receipts.taken))
    assert (receipts.taken[0].delivered, receipts.taken[0].status) == (False, "UNDELIV")


async def test_a_number_the_smsc_refuses_is_rejected_with_its_status(
    smsc: Smsc, sender: tuple[SmppSender, Receipts]
) -> None:
    client, _ = sender
    smsc.refused.add(NUMBER)
    sent = await client.send(NUMBER, "Test", "attempt-21")
    assert sent.cause is Cause.REJECTED
    assert sent.details["smsc_status"] == "ESME_RINVDSTADR"
    assert sent.references == ()


@pytest.mark.parametrize("number", ["", "7913123456", "+79131234567", "59131234567", "7913123456a"])
async def test_a_number_that_is_not_11_digits_from_7_is_rejected_unsent(
    smsc: Smsc, sender: tuple[SmppSender, Receipts], number: str
) -> None:
    client, _ = sender
    sent = await client.send(number, "Test", "attempt-22")
    assert sent.cause is Cause.REJECTED
    assert smsc.parts == []


async def test_an_empty_message_is_rejected_unsent(
    smsc: Smsc, sender: tuple[SmppSender, Receipts]
) -> None:
    client, _ = sender
    assert (await client.send(NUMBER, "", "attempt-23")).cause is Cause.REJECTED
    assert smsc.parts == []


async def test_an_smsc_that_is_down_gives_undelivered_not_an_error() -> None:
    down = Smsc()
    await down.start()
    port = down.port
    await down.stop()
    client = make_sender(port, Receipts())
    await client.start()
    try:
        sent = await client.send(NUMBER, "Test", "attempt-24")
        assert sent.cause is Cause.UNDELIVERED
        assert f"cannot connect to 127.0.0.1:{port}" in sent.details["reason"]
    finally:
        await client.close()


async def test_a_refused_bind_is_the_reason_messages_stay_undelivered(smsc: Smsc) -> None:
    client = make_sender(smsc.port, Receipts(), password="wrong")
    await client.start()
    try:
        sent = await client.send(NUMBER, "Test", "attempt-25")
        assert sent.cause is Cause.UNDELIVERED
        assert "ESME_RINVPASWD" in sent.details["reason"]
    finally:
        await client.close()


async def test_an_smsc_that_never_answers_gives_undelivered(smsc: Smsc) -> None:
    client = make_sender(smsc.port, Receipts(), timeout=0.2)
    await client.start()
    smsc.silent = True
    try:
        sent = await client.send(NUMBER, "Test", "attempt-26")
        assert sent.cause is Cause.UNDELIVERED
        assert "no answer from the SMSC in 0.2 s" in sent.details["reason"]
    finally:
        await client.close()


async def test_the_sender_binds_again_after_the_smsc_drops_it(
    smsc: Smsc, sender: tuple[SmppSender, Receipts]
) -> None:
    client, _ = sender
    assert (await client.send(NUMBER, "One", "attempt-27")).cause is None
    port = smsc.port
    await smsc.stop()
    await eventually(lambda: not client.connected)
    lost = await client.send(NUMBER, "Two", "attempt-28")
    assert lost.cause is Cause.UNDELIVERED
    await smsc.start(port)
    await eventually(lambda: client.connected)
    assert (await client.send(NUMBER, "Three", "attempt-29")).cause is None
    assert [part.text for part in smsc.parts] == ["One", "Three"]
    assert smsc.binds == 2


def test_settings_the_smsc_would_refuse_are_an_error_at_once() -> None:
    with pytest.raises(SendError):
        SmppSender("", 2775, "callgrid", "x", "Energosbyt", Receipts(), ManualClock(NOW))
    with pytest.raises(SendError):
        SmppSender("h", 2775, "callgrid", "123456789", "Energosbyt", Receipts(), ManualClock(NOW))
    with pytest.raises(SendError):
        SmppSender("h", 2775, "callgrid", "x", "Energosbyt Tomsk", Receipts(), ManualClock(NOW))


def test_a_receipt_in_the_appendix_b_form_is_read() -> None:
    tomsk = timezone(timedelta(hours=7))
    receipt = parse_receipt(
        "id:0123456789 sub:001 dlvrd:001 submit date:2611021000 done date:2611021003 "
        "stat:DELIVRD err:000 Text:Уважаемый абонент! stat:x",
        tomsk,
    )
    assert receipt == SmsReceipt(
        "0123456789", True, "DELIVRD", datetime(2026, 11, 2, 10, 3, tzinfo=tomsk),
        "Уважаемый абонент! stat:x",
    )  # fmt: skip


@pytest.mark.parametrize("status", ["UNDELIV", "EXPIRED", "REJECTD", "DELETED", "UNKNOWN"])
def test_every_other_stat_is_not_delivered(status: str) -> None:
    receipt = parse_receipt(f"id:M1 sub:001 dlvrd:000 stat:{status} err:001 text:")
    assert receipt is not None and not receipt.delivered and receipt.status == status


def test_a_receipt_with_seconds_or_a_bad_date_still_reads() -> None:
    with_seconds = parse_receipt("id:M1 done date:261102100359 stat:DELIVRD", UTC)
    assert with_seconds is not None and with_seconds.at == datetime(
        2026, 11, 2, 10, 3, 59, tzinfo=UTC
    )
    bad = parse_receipt("id:M1 done date:2613321000 stat:DELIVRD")
    assert bad is not None and bad.at is None


@pytest.mark.parametrize("text", ["", "Hello", "id:M1 err:000", "stat:DELIVRD text:x"])
def test_a_message_that_is_not_a_receipt_gives_none(text: str) -> None:
    assert parse_receipt(text) is None


def test_numbers_for_sms() -> None:
    assert sms_number("89131234567") == "79131234567"
    assert sms_number("79131234567") == "79131234567"
    assert sms_number("９９１３１２３４５６７") is None


def test_the_pause_between_binds_doubles_up_to_the_longest() -> None:
    assert [reconnect_delay(n, 1.0, 60.0) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert reconnect_delay(10_000, 1.0, 60.0) == 60


async def test_a_receipt_that_cannot_be_taken_does_not_end_the_session(smsc: Smsc) -> None:
    async def failing(receipt: SmsReceipt) -> None:
        raise RuntimeError("the database is away")

    client = SmppSender(
        "127.0.0.1", smsc.port, "callgrid", "secret", "Energosbyt", failing, ManualClock(NOW),
        timeout=1.0,
    )  # fmt: skip
    await client.start()
    try:
        sent = await client.send(NUMBER, "One", "attempt-30")
        assert await smsc.send_receipt(sent.references[0]) == 0
        assert client.connected
        assert (await client.send(NUMBER, "Two", "attempt-31")).cause is None
    finally:
        await client.close()
