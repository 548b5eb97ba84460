"""How soon a customer may be contacted again on a channel (AD-7).

Each past attempt closes the channel for a while from its start:

- phone: 7 days after a call that delivered, 2 hours after one that did not (an
  attempt whose outcome is unknown, its engine having died, did not deliver);
- e-mail: 7 days after any message;
- SMS: until the customer's next local midnight (one a day);
- cabinet: an hour after a notice the cabinet did not take.

The next attempt may start when every such interval is over: the latest attempt
decides, but a call that delivered keeps the phone quiet for its 7 days whatever came
after. Attempts of every campaign count; that a message was delivered *in this
campaign*, which ends its attempts on that channel, is :func:`delivered`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from autodialer.model import MessageChannel, Outcome
from autodialer.settings import CampaignSettings
from worktime.calendar import ONE_DAY, local_moment


@dataclass(frozen=True)
class RetryRules:
    after_negative_call: timedelta = timedelta(hours=2)
    quiet_after_positive_call: timedelta = timedelta(days=7)
    email_every: timedelta = timedelta(days=7)
    cabinet_retry: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: CampaignSettings) -> RetryRules:
        return cls(
            after_negative_call=timedelta(minutes=settings.retry_after_negative_call_minutes),
            quiet_after_positive_call=timedelta(days=settings.quiet_after_positive_call_days),
            email_every=timedelta(days=settings.email_repeat_days),
            cabinet_retry=timedelta(minutes=settings.cabinet_retry_minutes),
        )


@dataclass(frozen=True)
class PastAttempt:
    channel: MessageChannel
    started_at: datetime
    outcome: Outcome | None
    """``None``: not known (still running, or its engine died): counts as not delivered."""
    campaign_id: int
    """The campaign it was made for."""


def next_attempt_at(
    channel: MessageChannel,
    history: Sequence[PastAttempt],
    rules: RetryRules,
    zone: ZoneInfo,
) -> datetime | None:
    """The earliest moment (UTC) the next attempt on ``channel`` may start, given every
    past attempt to this customer; ``None`` when there was none on it (any time).

    The moment may be in the past: then the rules allow an attempt now."""
    ends = [
        _closed_until(attempt, rules, zone) for attempt in history if attempt.channel is channel
    ]
    return max(ends, default=None)


def delivered(
    channel: MessageChannel, history: Sequence[PastAttempt], campaign_id: int | None = None
) -> bool:
    """Whether a message on ``channel`` reached the customer, in campaign ``campaign_id``
    (in any campaign when ``None``): a campaign stops that channel once it has."""
    return any(
        attempt.channel is channel
        and attempt.outcome is Outcome.POSITIVE
        and (campaign_id is None or attempt.campaign_id == campaign_id)
        for attempt in history
    )


def _closed_until(attempt: PastAttempt, rules: RetryRules, zone: ZoneInfo) -> datetime:
    started = _utc(attempt.started_at)
    positive = attempt.outcome is Outcome.POSITIVE
    match attempt.channel:
        case MessageChannel.PHONE:
            return started + (
                rules.quiet_after_positive_call if positive else rules.after_negative_call
            )
        case MessageChannel.EMAIL:
            return started + rules.email_every
        case MessageChannel.SMS:
            next_day = started.astimezone(zone).date() + ONE_DAY
            return datetime.combine(next_day, time(), tzinfo=zone).astimezone(UTC)
        case MessageChannel.CABINET:
            return started if positive else started + rules.cabinet_retry


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC, where adding hours is adding hours; a naive one is refused."""
    return local_moment(moment).astimezone(UTC)
