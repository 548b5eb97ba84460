"""E-mail notices to a local mail server (aiosmtpd): what arrives, and what is refused (AD-4)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from autodialer.mail import MailSender, address_problem, mail_bodies
from autodialer.model import Cause
from autodialer.sending import SendError
from worktime.clock import ManualClock

NOW = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)
TEXT = (
    "Уважаемый абонент!\n\nЗадолженность по лицевому счёту 7010000001 — 1 234,50 руб.\n"
    "Оплатите до 25.11 <без комиссии>."
)
SUBJECT = "Напоминание о задолженности за электроэнергию"
ORGANISATION = "АО «Томскэнергосбыт»"


class Mailbox:
    """An aiosmtpd handler: keeps what arrives, refuses the addresses it is told to."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.refused: dict[str, str] = {}

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 2.0.0 Ok: queued as 4F2A"


class LocalController(Controller):
    """aiosmtpd's Controller on port 0: it learns the port the OS gave before its own
    first connection (upstream connects to the port it was given)."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox()
    controller = LocalController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    yield handler, controller.port
    controller.stop()


def make_sender(port: int, timeout: float = 5) -> MailSender:
    return MailSender(
        "127.0.0.1", port, "", "", False, "noreply@energosbyt.example", timeout,
        clock=ManualClock(NOW),
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_the_notice_arrives_with_both_parts_in_russian(mailbox: tuple[Mailbox, int]) -> None:
    handler, port = mailbox
    plain, page = mail_bodies(TEXT, SUBJECT, ORGANISATION)
    sent = await make_sender(port).send("ivanova@mail.ru", SUBJECT, plain, page, "attempt-41")
    assert sent.cause is Cause.ACCEPTED, sent.details
    assert sent.details["smtp_reply"] == "2.0.0 Ok: queued as 4F2A"
    (message,) = handler.messages
    assert handler.recipients == [["ivanova@mail.ru"]]
    assert message["Subject"] == SUBJECT
    assert message["From"] == "noreply@energosbyt.example"
    assert message.get_content_type() == "multipart/alternative"
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None and html_part is not None
    assert "1 234,50 руб." in text_part.get_content()
    assert text_part.get_content_charset() == "utf-8"
    assert "Оплатите до 25.11 &lt;без комиссии&gt;." in html_part.get_content()
    assert message["Message-ID"].startswith("<attempt-41.")
    assert message["Message-ID"].endswith("@energosbyt.example>")
    assert message["Message-ID"] == sent.details["message_id"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert email.utils.parsedate_to_datetime(message["Date"]) == NOW


async def test_the_russian_subject_is_encoded_on_the_wire(mailbox: tuple[Mailbox, int]) -> None:
    handler, port = mailbox
    plain, page = mail_bodies(TEXT, SUBJECT, ORGANISATION)
    await make_sender(port).send("ivanova@mail.ru", SUBJECT, plain, page, "attempt-42")
    raw = handler.messages[0].as_bytes(policy=email.policy.SMTP)
    subject_line = next(line for line in raw.split(b"\r\n") if line.startswith(b"Subject:"))
    assert subject_line.isascii() and b"=?utf-8?" in subject_line.lower()


async def test_a_cyrillic_domain_is_sent_in_idna(mailbox: tuple[Mailbox, int]) -> None:
    handler, port = mailbox
    sent = await make_sender(port).send("ivanov@почта.рф", "Тест", "Тест", "<p>Тест</p>", "a-43")
    assert sent.cause is Cause.ACCEPTED
    assert handler.recipients == [["ivanov@xn--80a1acny.xn--p1ai"]]


async def test_a_recipient_the_server_refuses_with_550_is_rejected(
    mailbox: tuple[Mailbox, int],
) -> None:
    handler, port = mailbox
    handler.refused["nobody@mail.ru"] = "550 5.1.1 <nobody@mail.ru>: Recipient address rejected"
    sent = await make_sender(port).send("nobody@mail.ru", SUBJECT, "x", "<p>x</p>", "attempt-44")
    assert sent.cause is Cause.REJECTED
    assert sent.details["smtp_reply"].startswith("550 5.1.1")
    assert handler.messages == []


async def test_a_recipient_refused_for_now_with_450_is_undelivered(
    mailbox: tuple[Mailbox, int],
) -> None:
    handler, port = mailbox
    handler.refused["busy@mail.ru"] = "450 4.2.1 Mailbox busy, try later"
    sent = await make_sender(port).send("busy@mail.ru", SUBJECT, "x", "<p>x</p>", "attempt-45")
    assert sent.cause is Cause.UNDELIVERED
    assert "450" in sent.details["reason"]


async def test_no_mail_server_is_undelivered_not_an_error() -> None:
    port = free_port()
    sent = await make_sender(port).send("ivanova@mail.ru", SUBJECT, "x", "<p>x</p>", "a-46")
    assert sent.cause is Cause.UNDELIVERED
    assert f"127.0.0.1:{port}" in sent.details["reason"]


async def test_starttls_demanded_of_a_server_without_it_is_undelivered_unsent(
    mailbox: tuple[Mailbox, int],
) -> None:
    handler, port = mailbox
    sender = MailSender("127.0.0.1", port, "", "", True, "noreply@energosbyt.example", 5)
    sent = await sender.send("ivanova@mail.ru", SUBJECT, "x", "<p>x</p>", "attempt-47")
    assert sent.cause is Cause.UNDELIVERED
    assert "STARTTLS" in sent.details["reason"]
    assert handler.messages == []


@pytest.mark.parametrize(
    "address",
    [
        "ivanova@mail.ru\r\nBcc: all@example.ru",
        "ivanova@mail.ru, boss@mail.ru",
        "Ivanova <ivanova@mail.ru>",
        "ivan ova@mail.ru",
        "ivanova@@mail.ru",
        "ivanova@mail@ru",
        "ivanova@mailru",
        "ivanova@mail..ru",
        "@mail.ru",
        "иванова@mail.ru",
        "",
    ],
)
async def test_an_address_that_is_not_one_plain_address_is_rejected_unsent(
    mailbox: tuple[Mailbox, int], address: str
) -> None:
    handler, port = mailbox
    sent = await make_sender(port).send(address, SUBJECT, "x", "<p>x</p>", "attempt-48")
    assert sent.cause is Cause.REJECTED
    assert handler.messages == [] and handler.recipients == []


@pytest.mark.parametrize("subject", ["Долг\r\nBcc: all@example.ru", "Долг\nX-Spam: no", "a\x00b"])
async def test_a_subject_with_a_line_break_is_rejected_unsent(
    mailbox: tuple[Mailbox, int], subject: str
) -> None:
    handler, port = mailbox
    sent = await make_sender(port).send("ivanova@mail.ru", subject, "x", "<p>x</p>", "a-49")
    assert sent.cause is Cause.REJECTED
    assert handler.messages == []


def test_a_plain_address_has_no_problem() -> None:
    assert address_problem("ivanova.m+bill@mail.tomsk.ru") is None


def test_a_sender_set_up_wrongly_is_an_error_at_once() -> None:
    with pytest.raises(SendError):
        MailSender("", 25, "", "", False, "noreply@energosbyt.example")
    with pytest.raises(SendError):
        MailSender("mail", 25, "", "", False, "noreply")


def test_the_bodies_keep_paragraphs_escape_markup_and_load_nothing() -> None:
    plain, page = mail_bodies("Первый абзац.\nВторая строка.\n\n<script>x</script>", "Тема", "ООО")
    assert plain.startswith("Первый абзац.\nВторая строка.\n\n<script>x</script>\n\n-- \nООО\n")
    assert '<html lang="ru">' in page
    assert "<p>Первый абзац.<br>Вторая строка.</p>" in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
    assert "<img" not in page and "http" not in page and "<title>Тема</title>" in page
