"""Consent and refusal of information mailings, per channel (AD-6, PD-2).

Consent is kept as its history: each time a customer says yes or no to a channel, one
change is added, never altered. The state of a channel is its latest change; a channel
the customer was never asked about is "not asked" and counts as no consent, so nobody
gets an information call, SMS or e-mail they did not agree to. Debt notices by phone
need no consent and do not ask here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from customers.cell_text import shortened, text_problem
from customers.model import Consent

MAX_ACCOUNT_NUMBER = 32
MAX_SOURCE = 64
MAX_CHANGED_BY = 64
IMPORT = "import"
KNOWN_SOURCES = ("call", "written application", "cabinet", IMPORT)
"""Where customers usually say so; any other short text is taken too."""


class ConsentChannel(StrEnum):
    PHONE_INFO = "phone_info"
    """Information calls by the autoinformer (debt notices need no consent)."""
    SMS = "sms"
    EMAIL = "email"
    CABINET = "cabinet"
    """Messages in the customer's personal cabinet on the website."""


class ConsentStatus(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    NOT_ASKED = "not asked"


class ConsentError(ValueError):
    """A consent change that cannot be stored; the message says why."""


@dataclass(frozen=True)
class ConsentChange:
    account_number: str
    channel: ConsentChannel
    given: bool
    """True: the customer agreed; False: they refused (or withdrew their consent)."""
    at: datetime
    """When the customer said so."""
    source: str
    """Where they said so: "call", "written application", "cabinet", "import"…"""
    changed_by: str
    """The login of who entered it ("import" for a file)."""


def parse_channel(name: str) -> ConsentChannel:
    try:
        return ConsentChannel(name.strip().lower())
    except ValueError:
        raise ConsentError(_unknown_channel(name)) from None


def _unknown_channel(name: str) -> str:
    known = ", ".join(channel.value for channel in ConsentChannel)
    return f"unknown channel {shortened(name)!r}: the channels are {known}"


def change_problem(change: ConsentChange) -> str | None:
    """Why ``change`` cannot be stored as it is, if it cannot."""
    if change.channel not in tuple(ConsentChannel):
        return _unknown_channel(str(change.channel))
    if not change.account_number.strip():
        return "give the account number"
    problem = text_problem(change.account_number, MAX_ACCOUNT_NUMBER)
    if problem is not None:
        return f"account number: {problem}"
    if change.at.tzinfo is None:
        return "the moment of the change carries no time zone"
    if not change.source.strip():
        return "say where the customer said so (a call, a written application…)"
    problem = text_problem(change.source, MAX_SOURCE)
    if problem is not None:
        return f"source: {problem}"
    if not change.changed_by.strip():
        return "say who enters the change"
    problem = text_problem(change.changed_by, MAX_CHANGED_BY)
    if problem is not None:
        return f"changed by: {problem}"
    return None


def status_of(change: ConsentChange | None) -> ConsentStatus:
    if change is None:
        return ConsentStatus.NOT_ASKED
    return ConsentStatus.GIVEN if change.given else ConsentStatus.REFUSED


def latest_per_channel(
    changes: Iterable[ConsentChange],
) -> dict[ConsentChannel, ConsentChange | None]:
    """Each channel's latest change; None for a channel never asked about.

    Of changes made at the same moment, the one entered last wins: ``changes`` come in
    the order they were entered."""
    latest: dict[ConsentChannel, ConsentChange | None] = dict.fromkeys(ConsentChannel)
    for change in changes:
        known = latest[change.channel]
        if known is None or change.at >= known.at:
            latest[change.channel] = change
    return latest


def imported_consents(account_number: str, flags: Consent, at: datetime) -> list[ConsentChange]:
    """The changes an imported account's consent flags stand for: each channel a flag
    says yes to is given, from the source "import". A "no" in a file may mean never
    asked as well as refused, so it adds nothing: both count as no consent."""
    return [
        ConsentChange(account_number, channel, True, at, IMPORT, IMPORT)
        for channel in ConsentChannel
        if getattr(flags, channel.value)
    ]
