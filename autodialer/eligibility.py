"""Whether a customer on a campaign's list may be contacted on a channel now (AD-6,
AD-10), checked at dial time: consent, a paid debt or a recent survey may have changed
since the list was loaded.

- a customer who refused a channel (or withdrew consent) gets nothing on it, debt
  notices included;
- debt notices go by phone to everyone else; information calls, SMS and e-mail need
  consent given; the cabinet only needs no refusal;
- a debt notice for a debt that is paid is not sent;
- a survey goes to nobody surveyed within the last 3 calendar months.

Of the reasons, :data:`FINAL_SKIPS` end the campaign's attempts on that channel for the
customer; the others are looked at again on the dialer's next turn.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import datetime
from decimal import Decimal

from autodialer.model import MessageChannel, Purpose, Skip
from customers.consent import ConsentChannel, ConsentStatus

FINAL_SKIPS = frozenset({Skip.PAID, Skip.REFUSED})
CONSENT_CHANNELS = {
    MessageChannel.PHONE: ConsentChannel.PHONE_INFO,
    MessageChannel.SMS: ConsentChannel.SMS,
    MessageChannel.EMAIL: ConsentChannel.EMAIL,
    MessageChannel.CABINET: ConsentChannel.CABINET,
}
"""The consent that governs each channel."""


def consent_channel(channel: MessageChannel) -> ConsentChannel:
    return CONSENT_CHANNELS[channel]


def contact_allowed(
    purpose: Purpose,
    channel: MessageChannel,
    consent: ConsentStatus,
    debt: Decimal,
    address: str,
    last_survey_at: datetime | None,
    now: datetime,
    survey_min_gap_months: int,
) -> Skip | None:
    """Why the customer is not contacted on ``channel`` now, or ``None`` when they may be.

    ``consent`` is the customer's on :func:`consent_channel` of ``channel``; ``address``
    the number, e-mail or cabinet account; ``last_survey_at`` the last survey that
    reached them. A final reason is given before one that may pass."""
    if consent is ConsentStatus.REFUSED:
        return Skip.REFUSED
    if purpose.is_debt_notice and debt <= 0:
        return Skip.PAID
    if not address.strip():
        return Skip.NO_ADDRESS
    if consent is not ConsentStatus.GIVEN and _needs_consent(purpose, channel):
        return Skip.NO_CONSENT
    if purpose is Purpose.SURVEY and _surveyed_since(
        last_survey_at, add_months(now, -survey_min_gap_months)
    ):
        return Skip.SURVEYED_RECENTLY
    return None


def survey_due(last_survey_at: datetime | None, now: datetime, max_gap_months: int) -> bool:
    """No survey reached the customer in the last ``max_gap_months`` calendar months: one
    is owed (AD-10)."""
    return not _surveyed_since(last_survey_at, add_months(now, -max_gap_months))


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` shifted by calendar months (back when negative), the day clamped to the
    month's last: 31 May + 3 months is 31 August, 30 November + 3 months 28 February."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def _needs_consent(purpose: Purpose, channel: MessageChannel) -> bool:
    if channel is MessageChannel.PHONE:
        return not purpose.is_debt_notice
    return channel is not MessageChannel.CABINET


def _surveyed_since(last_survey_at: datetime | None, since: datetime) -> bool:
    return last_survey_at is not None and last_survey_at > since
