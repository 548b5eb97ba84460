"""E-mail notices through the utility's mail server (AD-4, AD-7).

One message per notice: multipart/alternative, a plain and an HTML part in UTF-8, the
subject encoded for any mail reader, a Message-ID that carries the attempt's reference
(a bounce or a reply names it). The server's answer decides: 2xx is ACCEPTED; a 5xx for
the recipient or the message is REJECTED; a server that cannot be reached, times out,
answers 4xx or refuses *us* (the sender address, the login) is UNDELIVERED — tried again
later, never held against the customer.

An address or a subject that could smuggle in a header (a line break, a second address)
is REJECTED before anything is sent."""

from __future__ import annotations

import html
import logging
import re
import uuid
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from autodialer.model import Cause
from autodialer.sending import SendError, Sent
from worktime.clock import Clock, system_clock

log = logging.getLogger(__name__)

FORBIDDEN_IN_ADDRESS = re.compile(r'[\s<>,;:"()\[\]\\]|[\x00-\x1f\x7f]')
FORBIDDEN_IN_SUBJECT = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")
SAFE_REFERENCE = re.compile(r"[^A-Za-z0-9._-]")
AUTOMATIC_NOTE = "Письмо отправлено автоматически, отвечать на него не нужно."


def address_problem(address: str) -> str | None:
    """Why ``address`` cannot be a recipient, or None: one ``@``, a local part and a domain
    with a dot, and nothing that ends a header or adds an address."""
    if FORBIDDEN_IN_ADDRESS.search(address):
        return "it holds a space, a line break or a character that starts another address"
    local, at, domain = address.partition("@")
    if not at or "@" in domain:
        return "it needs exactly one @"
    if not local or not local.isascii():
        return "the part before @ must be Latin letters, digits and punctuation"
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        return "the domain needs a dot and no empty parts"
    return None


def mail_bodies(text: str, subject: str, organisation: str) -> tuple[str, str]:
    """The plain and the HTML body of a notice: the text's paragraphs (blank lines apart),
    then who sends it. The HTML is escaped, in Russian and loads nothing from outside."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    plain = "\n\n".join([*paragraphs, f"-- \n{organisation}\n{AUTOMATIC_NOTE}"]) + "\n"
    rendered = "\n".join(
        f"<p>{'<br>'.join(html.escape(line) for line in paragraph.splitlines())}</p>"
        for paragraph in paragraphs
    )
    page = (
        '<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(subject)}</title>\n</head>\n<body>\n{rendered}\n"
        f'<p style="color:#555555">{html.escape(organisation)}<br>'
        f"{html.escape(AUTOMATIC_NOTE)}</p>\n</body>\n</html>\n"
    )
    return plain, page


class MailSender:
    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        starttls: bool,
        sender: str,
        timeout: float = 30,
        *,
        clock: Clock = system_clock,
    ) -> None:
        """``starttls``: the session must be encrypted before anything is sent (an
        unencrypted server is UNDELIVERED); off, it never is. ``timeout`` bounds each
        step of the SMTP dialogue."""
        if not host:
            raise SendError("no mail server is set")
        problem = address_problem(sender)
        if problem:
            raise SendError(f"the sender address {sender!r} is not usable: {problem}")
        self.host, self.port = host, port
        self._username, self._password = username, password
        self._starttls = starttls
        self.sender = sender
        self._timeout = timeout
        self._clock = clock

    async def send(self, to: str, subject: str, plain: str, html: str, reference: str) -> Sent:
        problem = address_problem(to)
        if problem:
            return Sent(Cause.REJECTED, {"reason": f"the address {to!r} is refused: {problem}"})
        if FORBIDDEN_IN_SUBJECT.search(subject):
            return Sent(Cause.REJECTED, {"reason": "the subject holds a line break"})
        try:
            recipient = _ascii_domain(to)
        except UnicodeError:
            return Sent(Cause.REJECTED, {"reason": f"the domain of {to!r} is not valid"})
        message = self._message(recipient, subject, plain, html, reference)
        details = {
            "to": recipient,
            "message_id": str(message["Message-ID"]),
            "sent_at": self._clock().isoformat(),
        }
        try:
            reply = await self._deliver(message, recipient)
        except aiosmtplib.SMTPRecipientsRefused as error:
            refusal = error.recipients[0]
            return _answered(details, "the recipient", refusal.code, refusal.message)
        except aiosmtplib.SMTPDataError as error:
            return _answered(details, "the message", error.code, error.message)
        except (aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPAuthenticationError) as error:
            log.warning("the mail server refuses our sender or login: %s", error)
            reason = f"the mail server refuses this sender or login: {error.code} {error.message}"
            return Sent(Cause.UNDELIVERED, details | {"reason": reason})
        except aiosmtplib.SMTPResponseException as error:
            reason = f"the mail server did not take the session: {error.code} {error.message}"
            return Sent(Cause.UNDELIVERED, details | {"reason": reason})
        except (aiosmtplib.SMTPException, OSError) as error:
            reason = f"the mail server at {self.host}:{self.port} is not reachable: {error}"
            return Sent(Cause.UNDELIVERED, details | {"reason": reason})
        return Sent(Cause.ACCEPTED, details | {"smtp_reply": reply})

    def _message(
        self, to: str, subject: str, plain: str, html: str, reference: str
    ) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(self._clock())
        message["Message-ID"] = _message_id(reference, self.sender.partition("@")[2])
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(plain, charset="utf-8")
        message.add_alternative(html, subtype="html", charset="utf-8")
        return message

    async def _deliver(self, message: EmailMessage, to: str) -> str:
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self._username or None,
            password=self._password or None,
            start_tls=self._starttls,
            timeout=self._timeout,
        )
        async with client:
            _refused, reply = await client.send_message(
                message, sender=self.sender, recipients=[to]
            )
        return reply


def _answered(details: dict[str, str], what: str, code: int, text: str) -> Sent:
    cause = Cause.REJECTED if 500 <= code < 600 else Cause.UNDELIVERED
    reason = f"the mail server refused {what}: {code} {text}"
    return Sent(cause, details | {"reason": reason, "smtp_reply": f"{code} {text}"})


def _message_id(reference: str, domain: str) -> str:
    """``<reference.random@sender's domain>``: unique, short enough not to be folded, and
    naming the attempt in any bounce."""
    name = SAFE_REFERENCE.sub("-", reference)[:40] or "notice"
    return f"<{name}.{uuid.uuid4().hex[:12]}@{domain}>"


def _ascii_domain(address: str) -> str:
    """A Cyrillic domain (``почта.рф``) as the mail system spells it (IDNA)."""
    local, _, domain = address.partition("@")
    return f"{local}@{domain.encode('idna').decode('ascii')}" if not domain.isascii() else address
