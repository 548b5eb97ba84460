"""An independent check of attempts made against the rules as the standard states them
(AD-6 … AD-8): for tests and the load benchmark, not for the dialer.

It is written from the rules, not from :mod:`autodialer.windows`,
:mod:`autodialer.retry_policy` or :mod:`autodialer.eligibility`, so that a mistake there
shows here. It reads the windows' raw settings and the production calendar, sorts the
attempts once by their start and sweeps them, keeping a little state per customer and
per campaign: about 12 µs an attempt on one core, ten million in some two minutes.

The rules (each a :class:`Violation` ``rule``):

- ``window``: an attempt starts outside the window of its kind of message and kind of
  day in the customer's zone; a call also when it would end (start + call margin) at or
  after the window's close;
- ``retry``: a phone, e-mail or cabinet attempt starts while an earlier attempt on that
  channel to that customer (of any campaign) keeps it closed: 7 days after a call that
  delivered, 2 hours after one that did not or whose outcome is unknown; 7 days after an
  e-mail; an hour after a cabinet notice not taken;
- ``sms_daily``: a second SMS on one local day of the customer;
- ``consent``: an information call, SMS or e-mail without consent given, or anything on
  a channel the customer refused (a debt notice by phone included);
- ``lines``: more of a campaign's calls at once than its line limit (a call with no end
  holds its line for the attempt lease);
- ``after_delivery``: an attempt of a campaign on a channel after one of the same
  campaign on it delivered.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from autodialer.model import MessageChannel, Outcome, Purpose
from autodialer.settings import CampaignSettings
from customers.consent import ConsentStatus
from worktime.calendar import WorkingCalendar

WINDOW = "window"
RETRY = "retry"
SMS_DAILY = "sms_daily"
CONSENT = "consent"
LINES = "lines"
AFTER_DELIVERY = "after_delivery"

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_Span = tuple[float, float] | None
"""A window as UTC timestamps [opens, closes); ``None``: closed."""


@dataclass(frozen=True)
class CheckedAttempt:
    account_number: str
    purpose: Purpose
    channel: MessageChannel
    started_at: datetime
    ended_at: datetime | None
    outcome: Outcome | None
    """``None``: not known, which counts as not delivered."""
    zone: ZoneInfo
    """The customer's zone."""
    consent: ConsentStatus
    """The customer's consent on the channel when the attempt started."""
    campaign_id: int


@dataclass(frozen=True)
class Violation:
    rule: str
    account_number: str
    started_at: datetime
    detail: str


def violations(
    attempts: Iterable[CheckedAttempt],
    settings: CampaignSettings,
    calendar: WorkingCalendar,
    line_limits: Mapping[int, int],
) -> list[Violation]:
    """Every rule each attempt breaks, in the order the attempts started. A campaign
    missing from ``line_limits`` has the default line limit."""
    return _Sweep(settings, calendar, line_limits).run(attempts)


class _Sweep:
    def __init__(
        self,
        settings: CampaignSettings,
        calendar: WorkingCalendar,
        line_limits: Mapping[int, int],
    ) -> None:
        self.settings = settings
        self.calendar = calendar
        self.line_limits = line_limits
        self.margin = float(settings.call_margin_seconds)
        self.lease = float(settings.attempt_lease_seconds)
        self.gaps = {
            (MessageChannel.PHONE, True): settings.quiet_after_positive_call_days * 86_400.0,
            (MessageChannel.PHONE, False): settings.retry_after_negative_call_minutes * 60.0,
            (MessageChannel.EMAIL, True): settings.email_repeat_days * 86_400.0,
            (MessageChannel.EMAIL, False): settings.email_repeat_days * 86_400.0,
            (MessageChannel.CABINET, True): 0.0,
            (MessageChannel.CABINET, False): settings.cabinet_retry_minutes * 60.0,
        }
        self.found: list[Violation] = []
        self.closed_until: dict[tuple[str, MessageChannel], float] = {}
        self.last_sms: dict[str, float] = {}
        self.delivered: set[tuple[str, MessageChannel, int]] = set()
        self.busy_lines: dict[int, list[float]] = {}
        self.spans: dict[tuple[str, ZoneInfo, int], _Span] = {}
        self.day_kinds: dict[date, str] = {}
        self.offsets: dict[tuple[ZoneInfo, int], float | None] = {}

    def run(self, attempts: Iterable[CheckedAttempt]) -> list[Violation]:
        made = list(attempts)
        starts = [attempt.started_at.timestamp() for attempt in made]
        for index in sorted(range(len(made)), key=starts.__getitem__):
            attempt, start = made[index], starts[index]
            day = self.local_day(attempt.zone, start)
            self.window(attempt, start, day)
            self.consent(attempt)
            if attempt.channel is MessageChannel.SMS:
                self.sms_daily(attempt, start, day)
            else:
                self.retry(attempt, start)
            if attempt.channel is MessageChannel.PHONE:
                self.lines(attempt, start)
            self.after_delivery(attempt)
        return self.found

    def report(self, rule: str, attempt: CheckedAttempt, detail: str) -> None:
        self.found.append(Violation(rule, attempt.account_number, attempt.started_at, detail))

    def local_day(self, zone: ZoneInfo, moment: float) -> int:
        """The customer's calendar day of a UTC timestamp, as days since 1970-01-01 (the
        zone's offset is looked up once per hour of time, unless it changes in that hour)."""
        hour = int(moment // 3600)
        key = (zone, hour)
        if key not in self.offsets:
            first, last = (_offset(zone, hour * 3600 + second) for second in (0, 3599))
            self.offsets[key] = first if first == last else None
        offset = self.offsets[key]
        if offset is None:
            offset = _offset(zone, moment)
        return int((moment + offset) // 86_400)

    def window(self, attempt: CheckedAttempt, start: float, day: int) -> None:
        kind = _KINDS[attempt.purpose, attempt.channel]
        span = self.span(kind, attempt.zone, day)
        margin = self.margin if attempt.channel is MessageChannel.PHONE else 0.0
        if span is not None and span[0] <= start < span[1] and start + margin < span[1]:
            return
        local = attempt.started_at.astimezone(attempt.zone)
        setting = f"{kind}_{self.day_kind(local.date())}"
        shown = getattr(self.settings, setting)
        self.report(
            WINDOW,
            attempt,
            f"started {local:%Y-%m-%d %H:%M:%S} in {attempt.zone.key}, "
            f"{setting} is {shown}, margin {margin:.0f} s",
        )

    def span(self, kind: str, zone: ZoneInfo, day: int) -> _Span:
        key = (kind, zone, day)
        if key not in self.spans:
            local_date = date.fromordinal(EPOCH_ORDINAL + day)
            text = getattr(self.settings, f"{kind}_{self.day_kind(local_date)}")
            self.spans[key] = _span(text, local_date, zone)
        return self.spans[key]

    def day_kind(self, day: date) -> str:
        kind = self.day_kinds.get(day)
        if kind is None:
            if self.calendar.is_holiday(day):
                kind = "holiday"
            elif self.calendar.is_working_day(day):
                kind = "working_day"
            else:
                kind = "saturday" if day.weekday() == 5 else "sunday"
            self.day_kinds[day] = kind
        return kind

    def consent(self, attempt: CheckedAttempt) -> None:
        if attempt.consent is ConsentStatus.GIVEN:
            return
        needs_none = attempt.channel is MessageChannel.CABINET or (
            attempt.channel is MessageChannel.PHONE
            and attempt.purpose in (Purpose.DEBT_REMINDER, Purpose.RESTRICTION_WARNING)
        )
        if needs_none and attempt.consent is not ConsentStatus.REFUSED:
            return
        self.report(
            CONSENT, attempt, f"{attempt.purpose} by {attempt.channel}: consent {attempt.consent}"
        )

    def retry(self, attempt: CheckedAttempt, start: float) -> None:
        key = (attempt.account_number, attempt.channel)
        closed_until = self.closed_until.get(key)
        if closed_until is not None and start < closed_until:
            self.report(
                RETRY,
                attempt,
                f"{attempt.channel} closed until "
                f"{datetime.fromtimestamp(closed_until, attempt.zone):%Y-%m-%d %H:%M:%S} "
                f"by an earlier attempt",
            )
        gap = self.gaps[attempt.channel, attempt.outcome is Outcome.POSITIVE]
        reopens = start + gap
        self.closed_until[key] = reopens if closed_until is None else max(closed_until, reopens)

    def sms_daily(self, attempt: CheckedAttempt, start: float, day: int) -> None:
        account = attempt.account_number
        before = self.last_sms.get(account)
        self.last_sms[account] = start
        if before is not None and self.local_day(attempt.zone, before) == day:
            shown = date.fromordinal(EPOCH_ORDINAL + day)
            self.report(SMS_DAILY, attempt, f"a second SMS on {shown} in {attempt.zone.key}")

    def lines(self, attempt: CheckedAttempt, start: float) -> None:
        busy = self.busy_lines.setdefault(attempt.campaign_id, [])
        while busy and busy[0] <= start:
            heapq.heappop(busy)
        limit = self.line_limits.get(attempt.campaign_id, self.settings.default_line_limit)
        if len(busy) >= limit:
            self.report(
                LINES,
                attempt,
                f"call {len(busy) + 1} at once in campaign {attempt.campaign_id}, limit {limit}",
            )
        end = start + self.lease if attempt.ended_at is None else attempt.ended_at.timestamp()
        heapq.heappush(busy, max(end, start))

    def after_delivery(self, attempt: CheckedAttempt) -> None:
        key = (attempt.account_number, attempt.channel, attempt.campaign_id)
        if key in self.delivered:
            self.report(
                AFTER_DELIVERY,
                attempt,
                f"{attempt.channel} of campaign {attempt.campaign_id} was delivered before",
            )
        if attempt.outcome is Outcome.POSITIVE:
            self.delivered.add(key)


def _offset(zone: ZoneInfo, moment: float) -> float:
    offset = datetime.fromtimestamp(moment, zone).utcoffset()
    return 0.0 if offset is None else offset.total_seconds()


def _kind(purpose: Purpose, channel: MessageChannel) -> str:
    if channel is not MessageChannel.PHONE:
        return channel.value
    if purpose in (Purpose.DEBT_REMINDER, Purpose.RESTRICTION_WARNING):
        return "phone_notice"
    return "phone_information"


_KINDS = {
    (purpose, channel): _kind(purpose, channel) for purpose in Purpose for channel in MessageChannel
}
"""The settings' prefix of each purpose and channel, looked up once per attempt."""


def _span(text: str, day: date, zone: ZoneInfo) -> _Span:
    if text == "closed":
        return None
    opens, closes = (_moment(day, part, zone) for part in text.split("-"))
    return opens, closes


def _moment(day: date, hh_mm: str, zone: ZoneInfo) -> float:
    hours, minutes = hh_mm.split(":")
    local = datetime.combine(day, time(int(hours), int(minutes)), tzinfo=zone)
    return local.timestamp()
