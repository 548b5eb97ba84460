"""SMS, e-mail and cabinet attempts: handed to their sender, closed with what it
reported, and SMS closed again by their delivery receipts (AD-4, AD-7, AD-9)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from autodialer.attempt_store import AttemptStore, StartedAttempt
from autodialer.mail import mail_bodies
from autodialer.model import Campaign, Cause, MessageChannel
from autodialer.sending import Sent
from autodialer.sms_receipts import SmsReceipt


class SmsSending(Protocol):
    async def send(self, number: str, text: str, reference: str) -> Sent: ...


class MailSending(Protocol):
    async def send(self, to: str, subject: str, plain: str, html: str, reference: str) -> Sent: ...


class CabinetSending(Protocol):
    async def send(self, account_number: str, reference: str, subject: str, text: str) -> Sent: ...


class Messaging:
    def __init__(
        self,
        store: AttemptStore,
        clock: Callable[[], datetime],
        *,
        sms: SmsSending | None = None,
        mail: MailSending | None = None,
        cabinet: CabinetSending | None = None,
        receipt_wait: timedelta = timedelta(hours=48),
        organisation: str = "Энергосбыт",
        default_subject: str = "Уведомление от «Энергосбыта»",
    ) -> None:
        self.store = store
        self.clock = clock
        self.sms = sms
        self.mail = mail
        self.cabinet = cabinet
        self.receipt_wait = receipt_wait
        self.organisation = organisation
        self.default_subject = default_subject

    def can_send(self, channel: MessageChannel) -> bool:
        senders = {
            MessageChannel.SMS: self.sms,
            MessageChannel.EMAIL: self.mail,
            MessageChannel.CABINET: self.cabinet,
        }
        return senders.get(channel) is not None

    async def send(self, campaign: Campaign, attempt: StartedAttempt) -> None:
        reference = f"cg-{attempt.id}"
        subject = campaign.scenario.email_subject or self.default_subject
        if attempt.channel is MessageChannel.SMS and self.sms is not None:
            sent = await self.sms.send(attempt.address, attempt.said, reference)
        elif attempt.channel is MessageChannel.EMAIL and self.mail is not None:
            plain, html = mail_bodies(attempt.said, subject, self.organisation)
            sent = await self.mail.send(attempt.address, subject, plain, html, reference)
        elif attempt.channel is MessageChannel.CABINET and self.cabinet is not None:
            sent = await self.cabinet.send(attempt.address, reference, subject, attempt.said)
        else:
            return
        now = self.clock()
        evidence = [(now, "sent", _shown(sent))]
        if sent.cause is not None:
            await self.store.finish(attempt.id, sent.cause, now, events=evidence)
            return
        # taken by the SMSC: the receipts decide; none within the wait is undelivered
        await self.store.add_sms_parts(attempt.id, sent.references)
        await self.store.note(
            attempt.id,
            evidence,
            {"cause": Cause.UNDELIVERED.value},
            lease_until=now + self.receipt_wait,
        )

    async def receipt(self, receipt: SmsReceipt) -> None:
        now = self.clock()
        found = await self.store.sms_receipt(
            receipt.message_id, receipt.delivered, receipt.status, now
        )
        if found is None:
            return
        attempt_id, all_delivered = found
        event = (now, "receipt", f"{receipt.message_id}: {receipt.status}")
        if all_delivered is None:
            await self.store.note(attempt_id, [event])
            return
        cause = Cause.DELIVERED if all_delivered else Cause.UNDELIVERED
        await self.store.finish(attempt_id, cause, now, events=[event])


def _shown(sent: Sent) -> str:
    return "; ".join(f"{key}={value}" for key, value in sorted(sent.details.items()))[:1000]
