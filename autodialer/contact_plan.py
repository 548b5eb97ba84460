"""The one question the dialer asks of a target on a channel: contact now, later, or
not at all? It joins delivery, eligibility, the retry rules and the calling window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from autodialer.eligibility import FINAL_SKIPS, contact_allowed
from autodialer.model import MessageChannel, Purpose, Skip
from autodialer.retry_policy import PastAttempt, RetryRules, delivered, next_attempt_at
from autodialer.windows import CallingWindows, message_kind
from customers.consent import ConsentStatus


@dataclass(frozen=True)
class ContactDecision:
    at: datetime | None
    """When to make the next attempt (UTC): ``now`` means dial now; ``None`` when there
    is nothing to make (see the other fields)."""
    skip: Skip | None
    """Why the customer is not contacted now; asked again on the next turn unless final."""
    delivered: bool
    """The message reached the customer in this campaign on this channel: no more attempts."""

    @property
    def final(self) -> bool:
        """Nothing more on this channel in this campaign: delivered, a final skip
        (:data:`autodialer.eligibility.FINAL_SKIPS`), or no allowed moment before its end."""
        if self.delivered:
            return True
        if self.skip is not None:
            return self.skip in FINAL_SKIPS
        return self.at is None


def plan_contact(
    *,
    purpose: Purpose,
    channel: MessageChannel,
    kind_windows: CallingWindows,
    rules: RetryRules,
    zone: ZoneInfo,
    consent: ConsentStatus,
    debt: Decimal,
    address: str,
    history: Sequence[PastAttempt],
    last_survey_at: datetime | None,
    now: datetime,
    margin: timedelta,
    survey_min_gap_months: int,
    campaign_ends_at: datetime,
    campaign_id: int,
) -> ContactDecision:
    """The decision for one target of campaign ``campaign_id`` on ``channel`` at ``now``.

    ``history`` holds the customer's attempts of every campaign (their retry intervals
    count across campaigns); those of ``campaign_id`` say whether it was delivered.
    ``margin`` is how long a contact lasts at
    most (the call margin for phone): it must end inside the window. ``at`` is the
    earliest moment ``>= now`` the retry rules and the window in the customer's ``zone``
    both allow, before ``campaign_ends_at``."""
    if delivered(channel, history, campaign_id):
        return ContactDecision(at=None, skip=None, delivered=True)
    skip = contact_allowed(
        purpose, channel, consent, debt, address, last_survey_at, now, survey_min_gap_months
    )
    if skip is not None:
        return ContactDecision(at=None, skip=skip, delivered=False)
    earliest = max(now, next_attempt_at(channel, history, rules, zone) or now)
    at = kind_windows.next_start(
        message_kind(purpose, channel), earliest, zone, margin, until=campaign_ends_at
    )
    return ContactDecision(at=at, skip=None, delivered=False)
