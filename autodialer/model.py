"""The autoinformer's values: campaigns, their targets and every attempt to reach one
(AD-1 … AD-10). Plain data; storage and rules live elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Purpose(StrEnum):
    DEBT_REMINDER = "debt_reminder"
    RESTRICTION_WARNING = "restriction_warning"
    """The warning of a possible restriction for debt, 20 days ahead (AD-9)."""
    METER_VERIFICATION = "meter_verification"
    SERVICE_CHANGE = "service_change"
    SURVEY = "survey"

    @property
    def is_debt_notice(self) -> bool:
        """Debt notices go by phone to every customer; the rest need consent (AD-6)."""
        return self in (Purpose.DEBT_REMINDER, Purpose.RESTRICTION_WARNING)


class MessageChannel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    CABINET = "cabinet"
    """A notice in the customer's web cabinet, through a signed webhook."""


class CampaignState(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"


class Outcome(StrEnum):
    POSITIVE = "positive"
    """The message reached the customer (AD-7)."""
    NEGATIVE = "negative"


class Cause(StrEnum):
    """Why an attempt ended as it did."""

    HEARD = "heard"
    """A person answered and heard the message to the end."""
    CONFIRMED = "confirmed"
    """A person pressed the confirm key."""
    OPERATOR = "operator"
    """A person pressed 0 and was put through to the contact center."""
    MACHINE = "machine"
    """An answering machine (AMD): the message was left after its greeting."""
    EARLY_HANGUP = "early_hangup"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    CONGESTION = "congestion"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    """The engine that placed it stopped or died before the outcome was known."""
    DELIVERED = "delivered"
    """SMS: the delivery receipt says delivered; cabinet: the cabinet took the notice."""
    ACCEPTED = "accepted"
    """E-mail: the mail server accepted the message for the address."""
    UNDELIVERED = "undelivered"
    REJECTED = "rejected"
    """The SMSC, the mail server or the cabinet refused the message."""

    @property
    def outcome(self) -> Outcome:
        return Outcome.POSITIVE if self in POSITIVE_CAUSES else Outcome.NEGATIVE


POSITIVE_CAUSES = frozenset(
    {Cause.HEARD, Cause.CONFIRMED, Cause.OPERATOR, Cause.DELIVERED, Cause.ACCEPTED}
)


class Skip(StrEnum):
    """Why a customer on the list is not contacted on a channel now (checked at dial
    time, not when the list was loaded)."""

    NO_CONSENT = "no_consent"
    REFUSED = "refused"
    """The customer refused this channel (or withdrew consent) since."""
    PAID = "paid"
    """A debt notice for a debt that is paid."""
    NO_ADDRESS = "no_address"
    """No phone number, e-mail or cabinet for this channel."""
    SURVEYED_RECENTLY = "surveyed_recently"
    """A survey within the last 3 months (AD-10)."""
    UNKNOWN_CUSTOMER = "unknown_customer"


@dataclass(frozen=True)
class Scenario:
    """What the campaign says. ``text`` is a template with ``{variables}`` (see
    :mod:`autodialer.scenario`); ``audio`` a recorded file played before it."""

    text: str
    audio: str | None = None
    sms_text: str | None = None
    email_subject: str | None = None
    speech_seconds: float | None = None
    """The length of the rendered phone message, measured when it was saved."""


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    purpose: Purpose
    channels: tuple[MessageChannel, ...]
    scenario: Scenario
    starts_at: datetime
    ends_at: datetime
    line_limit: int
    calls_per_second: float
    state: CampaignState
    created_by: str
    created_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None
    targets: int = 0


@dataclass(frozen=True)
class Attempt:
    id: int
    campaign_id: int
    account_number: str
    channel: MessageChannel
    address: str
    """The number dialled, the e-mail address, the cabinet account."""
    started_at: datetime
    ended_at: datetime | None = None
    cause: Cause | None = None
    said: str = ""
    """The message as rendered for this customer."""
    call_id: str | None = None
    """The engine's call id of the answered call: its recording."""
    details: dict[str, str] = field(default_factory=dict)
    """Evidence: OriginateResponse reason, hangup cause, AMDSTATUS/AMDCAUSE, the SMSC's
    message id and receipt, the mail server's reply."""

    @property
    def outcome(self) -> Outcome | None:
        return None if self.cause is None else self.cause.outcome
