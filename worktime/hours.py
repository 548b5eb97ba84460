"""When each contact-center line is staffed (CC-1; dispatch: IVR-11), in local time.

The hours that apply to a day, in this order:

- a public holiday or a day off moved by decree: the ``holiday`` hours;
- a working day of the production calendar (a Saturday made working by decree
  included): the ``working_day`` hours, closing ``shortened_by`` earlier on a
  shortened pre-holiday day;
- an ordinary Saturday or Sunday: the ``saturday`` / ``sunday`` hours.

``None`` is closed all day. A moment is judged in the region's zone unless a ``zone`` is
given: the autoinformer judges a customer's calling window in the customer's own zone
with the region's calendar. The hours themselves are settings of the contact center
(:class:`callcenter.settings.CallcenterSettings` holds the standard's); nothing here
reads the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from worktime.calendar import (
    ONE_DAY,
    SHORTENED_BY,
    WorkingCalendar,
    local_moment,
)

SETTING_KEYS = frozenset({"working_day", "saturday", "sunday", "holiday", "shortened_by_minutes"})
LONGEST_CLOSURE_DAYS = 366


class ServiceHoursError(ValueError):
    """Hours settings that cannot be used; the message names the line and the key."""


@dataclass(frozen=True)
class Window:
    """Open from ``opens`` (included) to ``closes`` (excluded) on one day."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ServiceHoursError(f"opening {self.opens} is not before closing {self.closes}")

    @classmethod
    def parse(cls, text: str) -> Window:
        """``"08:00-20:00"``."""
        try:
            opens, closes = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError:
            raise ServiceHoursError(f"hours {text!r} are not like '08:00-20:00'") from None
        return cls(opens, closes)

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


@dataclass(frozen=True)
class ServiceHours:
    calendar: WorkingCalendar
    working_day: Window | None
    saturday: Window | None = None
    sunday: Window | None = None
    holiday: Window | None = None
    shortened_by: timedelta = SHORTENED_BY

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, object], calendar: WorkingCalendar, line: str = "line"
    ) -> ServiceHours:
        """From ``{"working_day": "08:00-20:00", "sunday": None, ...}``; missing is closed."""
        unknown = set(settings) - SETTING_KEYS
        if unknown:
            raise ServiceHoursError(f"{line}: unknown keys {', '.join(sorted(unknown))}")
        windows = {
            key: _window(line, key, settings.get(key))
            for key in ("working_day", "saturday", "sunday", "holiday")
        }
        minutes = settings.get("shortened_by_minutes", 60)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
            raise ServiceHoursError(f"{line}: shortened_by_minutes must be a whole number ≥ 0")
        return cls(calendar=calendar, shortened_by=timedelta(minutes=minutes), **windows)

    def hours_on(self, day: date) -> Window | None:
        """The hours of a local calendar day, shortening applied; ``None`` when closed."""
        if self.calendar.is_holiday(day):
            return self.holiday
        if self.calendar.is_working_day(day):
            window = self.working_day
            if window is None or not self.shortened_by or not self.calendar.is_shortened(day):
                return window
            closes = datetime.combine(day, window.closes) - self.shortened_by
            if closes.date() != day or closes.time() <= window.opens:
                return None
            return Window(window.opens, closes.time())
        return self.saturday if day.weekday() == 5 else self.sunday

    def is_open(self, moment: datetime, zone: tzinfo | None = None) -> bool:
        local = _in_zone(moment, zone)
        window = self.hours_on(local.date())
        return window is not None and window.opens <= local.time() < window.closes

    def closing_time(self, moment: datetime, zone: tzinfo | None = None) -> datetime | None:
        """When the line closes, if it is open at ``moment``; else ``None``."""
        local = _in_zone(moment, zone)
        window = self.hours_on(local.date())
        if window is None or not window.opens <= local.time() < window.closes:
            return None
        return datetime.combine(local.date(), window.closes, tzinfo=local.tzinfo)

    def next_opening(self, moment: datetime, zone: tzinfo | None = None) -> datetime:
        """The first moment at or after ``moment`` when the line is open (``moment`` if open),
        in ``zone`` (the region's by default).

        Raises ``CalendarError`` when the search runs past the years the calendar covers.
        """
        local = _in_zone(moment, zone)
        if self.is_open(local, local.tzinfo):
            return local
        day = local.date()
        for _ in range(LONGEST_CLOSURE_DAYS):
            window = self.hours_on(day)
            if window is not None:
                opening = datetime.combine(day, window.opens, tzinfo=local.tzinfo)
                if opening >= local:
                    return opening
            day += ONE_DAY
        raise ServiceHoursError(f"closed for more than {LONGEST_CLOSURE_DAYS} days after {local}")


def _in_zone(moment: datetime, zone: tzinfo | None) -> datetime:
    local = local_moment(moment)
    return local if zone is None else local.astimezone(zone)


def _window(line: str, key: str, raw: object) -> Window | None:
    if raw is None or raw == "closed":
        return None
    if not isinstance(raw, str):
        raise ServiceHoursError(f"{line}: {key} must be like '08:00-20:00' or 'closed'")
    try:
        return Window.parse(raw)
    except ServiceHoursError as error:
        raise ServiceHoursError(f"{line}: {key}: {error}") from None
