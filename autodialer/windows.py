"""Calling windows (AD-7, AD-8): when a message of each kind may start, in the
customer's local time, on the region's production calendar.

The kind of a day comes from the calendar as for the contact center's hours
(:class:`worktime.hours.ServiceHours`): a holiday or a moved day off takes the holiday
window even on a weekday, a Saturday made working by decree the working-day window.
Pre-holiday shortening does not apply: the windows are the law's, not working hours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from autodialer.model import MessageChannel, Purpose
from autodialer.settings import DAY_KINDS, MESSAGE_KINDS, CampaignSettings
from worktime.calendar import ONE_DAY, WorkingCalendar, local_moment
from worktime.hours import LONGEST_CLOSURE_DAYS, ServiceHours, ServiceHoursError

CLOSED = "closed"
NO_MARGIN = timedelta(0)
SEARCH_LIMIT = timedelta(days=LONGEST_CLOSURE_DAYS)
WINDOW_TEXT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class MessageKind(StrEnum):
    PHONE_NOTICE = "phone_notice"
    """A debt reminder or restriction warning by phone."""
    PHONE_INFORMATION = "phone_information"
    SMS = "sms"
    EMAIL = "email"
    CABINET = "cabinet"


def message_kind(purpose: Purpose, channel: MessageChannel) -> MessageKind:
    if channel is MessageChannel.PHONE:
        return MessageKind.PHONE_NOTICE if purpose.is_debt_notice else MessageKind.PHONE_INFORMATION
    return MessageKind(channel.value)


@dataclass(frozen=True)
class StartPeriod:
    """The moments ``[opens, closes)`` a contact may start in on one day."""

    opens: datetime
    closes: datetime

    @property
    def seconds(self) -> float:
        return (self.closes - self.opens).total_seconds()

    def __contains__(self, moment: datetime) -> bool:
        return self.opens <= moment < self.closes


@dataclass(frozen=True)
class CallingWindows:
    hours: Mapping[MessageKind, ServiceHours]

    @classmethod
    def from_settings(cls, settings: CampaignSettings, calendar: WorkingCalendar) -> CallingWindows:
        """Raises :class:`worktime.hours.ServiceHoursError` for a window that
        :func:`window_problems` reports."""
        problems = [f"{field}: {reason}" for field, reason in window_problems(settings)]
        if problems:
            raise ServiceHoursError("; ".join(problems))
        hours = {
            kind: ServiceHours.from_settings(
                {
                    **{day: settings.window_setting(kind, day) for day in DAY_KINDS},
                    "shortened_by_minutes": 0,
                },
                calendar,
                line=kind.value,
            )
            for kind in MessageKind
        }
        return cls(hours)

    def may_start(
        self, kind: MessageKind, moment: datetime, zone: ZoneInfo, margin: timedelta = NO_MARGIN
    ) -> bool:
        """Inside the window in ``zone``, and ``moment + margin`` still before it closes:
        a contact that lasts ``margin`` ends inside."""
        closes = self.hours[kind].closing_time(moment, zone)
        return closes is not None and _utc(moment) + margin < _utc(closes)

    def windows_on(
        self, kind: MessageKind, day: date, zone: ZoneInfo, margin: timedelta = NO_MARGIN
    ) -> StartPeriod | None:
        """When a contact may start on ``day`` (a calendar day in ``zone``), in UTC;
        ``None`` when closed, or when the window is no longer than ``margin``."""
        window = self.hours[kind].hours_on(day)
        if window is None:
            return None
        opens = _utc(datetime.combine(day, window.opens, tzinfo=zone))
        closes = _utc(datetime.combine(day, window.closes, tzinfo=zone)) - margin
        return StartPeriod(opens, closes) if opens < closes else None

    def next_start(
        self,
        kind: MessageKind,
        moment: datetime,
        zone: ZoneInfo,
        margin: timedelta = NO_MARGIN,
        until: datetime | None = None,
    ) -> datetime | None:
        """The earliest moment ``>= moment`` when :meth:`may_start` holds, in UTC; ``None``
        when there is none within 366 days, or none before ``until``."""
        start = _utc(moment)
        limit = start + SEARCH_LIMIT
        if until is not None:
            limit = min(limit, _utc(until))
        day = start.astimezone(zone).date()
        while _utc(datetime.combine(day, time(), tzinfo=zone)) < limit:
            period = self.windows_on(kind, day, zone, margin)
            if period is not None and start < period.closes:
                candidate = max(start, period.opens)
                return candidate if candidate < limit else None
            day += ONE_DAY
        return None


def window_problems(settings: CampaignSettings) -> Iterable[tuple[str, str]]:
    """(field, reason) for each window that is neither ``HH:MM-HH:MM`` opening before it
    closes nor ``closed``."""
    for kind in MESSAGE_KINDS:
        for day in DAY_KINDS:
            field = f"{kind}_{day}"
            problem = _window_problem(settings.window_setting(kind, day))
            if problem is not None:
                yield field, problem


def _window_problem(text: str) -> str | None:
    if text == CLOSED:
        return None
    match = WINDOW_TEXT.match(text)
    if match is None:
        return f"{text!r} is not like '09:00-20:00' or 'closed'"
    opens_h, opens_m, closes_h, closes_m = (int(part) for part in match.groups())
    if (opens_h, opens_m) >= (closes_h, closes_m):
        return f"{text!r} opens no earlier than it closes (a window ends by midnight)"
    return None


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC, where adding hours is adding hours; a naive one is refused."""
    return local_moment(moment).astimezone(UTC)
