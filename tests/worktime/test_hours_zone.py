"""Opening hours judged in another zone than the region's, on the region's calendar."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from worktime.calendar import default_calendar
from worktime.clock import DEFAULT_ZONE
from worktime.hours import ServiceHours

MOSCOW = ZoneInfo("Europe/Moscow")
HOURS = ServiceHours.from_settings(
    {"working_day": "09:00-20:00", "saturday": "09:00-19:00"}, default_calendar()
)


def test_the_same_moment_is_open_in_moscow_and_closed_in_tomsk() -> None:
    moment = datetime(2026, 2, 16, 13, 30, tzinfo=UTC)  # Monday: 20:30 Tomsk, 16:30 Moscow
    assert not HOURS.is_open(moment)
    assert not HOURS.is_open(moment, DEFAULT_ZONE)
    assert HOURS.is_open(moment, MOSCOW)
    assert HOURS.closing_time(moment, MOSCOW) == datetime(2026, 2, 16, 20, tzinfo=MOSCOW)
    assert HOURS.closing_time(moment) is None


def test_the_next_opening_in_a_zone_is_that_zone_s_morning() -> None:
    moment = datetime(2026, 2, 16, 2, 30, tzinfo=UTC)  # 09:30 Tomsk, 05:30 Moscow
    assert HOURS.next_opening(moment) == moment
    opening = HOURS.next_opening(moment, MOSCOW)
    assert opening == datetime(2026, 2, 16, 9, tzinfo=MOSCOW)
    assert opening.tzinfo == MOSCOW


def test_the_day_is_the_zone_s_day() -> None:
    night = ServiceHours.from_settings({"working_day": "00:00-23:00"}, default_calendar())
    moment = datetime(2026, 2, 15, 17, 30, tzinfo=UTC)  # Monday 00:30 Tomsk, Sunday Moscow
    assert night.is_open(moment)
    assert not night.is_open(moment, MOSCOW)
    assert night.next_opening(moment, MOSCOW) == datetime(2026, 2, 16, 0, tzinfo=MOSCOW)
