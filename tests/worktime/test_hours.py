"""Opening hours of the lines on real dates, in Tomsk time and in UTC, and their properties."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.settings import CallcenterSettings
from worktime.calendar import CalendarError, default_calendar
from worktime.clock import DEFAULT_ZONE
from worktime.hours import ServiceHours, ServiceHoursError, Window

MOSCOW = ZoneInfo("Europe/Moscow")
SERVICE_HOURS = CallcenterSettings().service_hours(default_calendar())
"""The standard's hours, as the contact center sets them by default."""
BILLING = SERVICE_HOURS["billing"]
DISPATCH = SERVICE_HOURS["dispatch"]
MINUTE = timedelta(minutes=1)


def tomsk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DEFAULT_ZONE)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_three_lines_and_their_standard_hours() -> None:
    assert set(SERVICE_HOURS) == {"billing", "dispatch", "paid_services"}
    assert SERVICE_HOURS["paid_services"] == BILLING
    assert str(BILLING.working_day) == "08:00-20:00"
    assert str(BILLING.saturday) == "09:00-19:00"
    assert BILLING.sunday is None and BILLING.holiday is None
    assert {str(DISPATCH.hours_on(tomsk(2026, 1, d).date())) for d in range(1, 15)} == {
        "06:00-22:00"
    }


@pytest.mark.parametrize(
    ("line", "moment", "open_", "why"),
    [
        *[("billing", tomsk(2026, 1, d, 12), False, "new-year holiday") for d in range(1, 9)],
        ("billing", tomsk(2026, 1, 9, 12), False, "Friday 9 Jan 2026: moved day off"),
        ("billing", tomsk(2026, 1, 10, 12), True, "an ordinary Saturday keeps Saturday hours"),
        ("billing", tomsk(2026, 1, 11, 12), False, "Sunday"),
        ("billing", tomsk(2026, 1, 12, 7, 59), False, "before opening"),
        ("billing", tomsk(2026, 1, 12, 8), True, "first working day, opening"),
        ("billing", tomsk(2026, 2, 13, 8), True, "Friday opening"),
        ("billing", tomsk(2026, 2, 13, 19, 59), True, "Friday, last minute"),
        ("billing", tomsk(2026, 2, 13, 20), False, "Friday closing"),
        ("billing", tomsk(2026, 2, 14, 8, 59), False, "Saturday before 09:00"),
        ("billing", tomsk(2026, 2, 14, 9), True, "Saturday opening"),
        ("billing", tomsk(2026, 2, 14, 18, 59), True, "Saturday, last minute"),
        ("billing", tomsk(2026, 2, 14, 19), False, "Saturday closing"),
        ("billing", tomsk(2026, 2, 15, 12), False, "Sunday"),
        ("billing", tomsk(2026, 2, 23, 12), False, "23 February, a Monday"),
        ("billing", tomsk(2026, 3, 9, 12), False, "moved day off for Sunday 8 March"),
        ("billing", tomsk(2026, 4, 30, 18, 59), True, "shortened day, last minute"),
        ("billing", tomsk(2026, 4, 30, 19), False, "shortened day closes at 19:00"),
        ("billing", tomsk(2025, 5, 8, 12), False, "2025: moved from 23 February"),
        ("billing", tomsk(2025, 11, 1, 8), True, "Saturday made working: weekday hours"),
        ("billing", tomsk(2025, 11, 1, 18, 59), True, "... and shortened"),
        ("billing", tomsk(2025, 11, 1, 19), False, "... so it closes at 19:00"),
        ("billing", tomsk(2025, 11, 3, 12), False, "its day off"),
        ("billing", utc(2026, 2, 13, 0, 59), False, "07:59 in Tomsk"),
        ("billing", utc(2026, 2, 13, 1), True, "08:00 in Tomsk"),
        ("billing", utc(2026, 2, 13, 12, 59), True, "19:59 in Tomsk"),
        ("billing", utc(2026, 2, 13, 13), False, "20:00 in Tomsk"),
        ("billing", utc(2026, 2, 14, 1, 59), False, "Saturday 08:59 in Tomsk"),
        ("billing", utc(2026, 2, 14, 2), True, "Saturday 09:00 in Tomsk"),
        ("dispatch", utc(2026, 2, 14, 15), False, "Saturday 22:00 in Tomsk"),
        ("billing", datetime(2026, 2, 13, 15, 59, tzinfo=MOSCOW), True, "19:59 in Tomsk"),
        ("billing", datetime(2026, 2, 13, 16, tzinfo=MOSCOW), False, "20:00 in Tomsk"),
        ("paid_services", tomsk(2026, 2, 13, 19, 59), True, "like billing"),
        ("paid_services", tomsk(2026, 2, 15, 12), False, "like billing"),
        ("dispatch", tomsk(2026, 1, 1, 5, 59), False, "1 January before 06:00"),
        ("dispatch", tomsk(2026, 1, 1, 6), True, "1 January at 06:00"),
        ("dispatch", tomsk(2026, 1, 1, 21, 59), True, "1 January, last minute"),
        ("dispatch", tomsk(2026, 1, 1, 22), False, "1 January closing"),
        ("dispatch", utc(2025, 12, 31, 22, 59), False, "05:59 on 1 January in Tomsk"),
        ("dispatch", utc(2025, 12, 31, 23), True, "06:00 on 1 January in Tomsk"),
        ("dispatch", tomsk(2026, 2, 15, 6), True, "Sunday"),
        ("dispatch", tomsk(2026, 4, 30, 21, 30), True, "not shortened"),
    ],
)
def test_open_on_real_moments(line: str, moment: datetime, open_: bool, why: str) -> None:
    assert SERVICE_HOURS[line].is_open(moment) is open_, why


@pytest.mark.parametrize(
    ("line", "moment", "closes"),
    [
        ("billing", tomsk(2026, 2, 13, 10), tomsk(2026, 2, 13, 20)),
        ("billing", utc(2026, 2, 13, 3), tomsk(2026, 2, 13, 20)),
        ("billing", tomsk(2026, 2, 14, 10), tomsk(2026, 2, 14, 19)),
        ("billing", tomsk(2026, 4, 30, 10), tomsk(2026, 4, 30, 19)),
        ("billing", tomsk(2026, 2, 13, 20), None),
        ("billing", tomsk(2026, 2, 15, 12), None),
        ("dispatch", tomsk(2026, 1, 1, 6), tomsk(2026, 1, 1, 22)),
    ],
)
def test_closing_time(line: str, moment: datetime, closes: datetime | None) -> None:
    assert SERVICE_HOURS[line].closing_time(moment) == closes


@pytest.mark.parametrize(
    ("line", "moment", "opens"),
    [
        ("billing", tomsk(2026, 2, 13, 20), tomsk(2026, 2, 14, 9)),  # Friday -> Saturday
        ("billing", tomsk(2026, 2, 14, 19), tomsk(2026, 2, 16, 8)),  # Saturday -> Monday
        ("billing", tomsk(2026, 2, 21, 19), tomsk(2026, 2, 24, 8)),  # over 23 February
        ("billing", tomsk(2026, 2, 16, 7), tomsk(2026, 2, 16, 8)),  # before opening
        ("billing", tomsk(2025, 12, 30, 20), tomsk(2026, 1, 10, 9)),  # first Saturday
        ("billing", tomsk(2026, 1, 10, 19), tomsk(2026, 1, 12, 8)),
        ("billing", tomsk(2026, 4, 30, 19), tomsk(2026, 5, 2, 9)),  # shortened day
        ("billing", utc(2026, 2, 13, 13), tomsk(2026, 2, 14, 9)),
        ("billing", tomsk(2026, 2, 13, 12), tomsk(2026, 2, 13, 12)),  # open: itself
        ("dispatch", tomsk(2026, 1, 1), tomsk(2026, 1, 1, 6)),
        ("dispatch", tomsk(2026, 1, 1, 22), tomsk(2026, 1, 2, 6)),
    ],
)
def test_next_opening(line: str, moment: datetime, opens: datetime) -> None:
    result = SERVICE_HOURS[line].next_opening(moment)
    assert result == opens
    assert result.tzinfo == DEFAULT_ZONE


def test_hours_on_a_day() -> None:
    day = tomsk(2026, 4, 30).date()
    assert BILLING.hours_on(day) == Window(time(8), time(19))
    assert BILLING.hours_on(tomsk(2025, 11, 1).date()) == Window(time(8), time(19))
    assert BILLING.hours_on(tomsk(2026, 2, 15).date()) is None


def test_beyond_the_calendar_it_raises_instead_of_guessing() -> None:
    with pytest.raises(CalendarError, match="2031"):
        BILLING.is_open(tomsk(2031, 3, 3, 12))
    with pytest.raises(CalendarError, match="2028"):
        DISPATCH.next_opening(tomsk(2027, 12, 31, 23))


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        BILLING.is_open(datetime(2026, 2, 13, 12))


def test_hours_come_from_settings() -> None:
    hours = ServiceHours.from_settings(
        {"working_day": "09:30-18:00", "saturday": "closed", "shortened_by_minutes": 30},
        default_calendar(),
    )
    assert hours.is_open(tomsk(2026, 4, 30, 17, 29))
    assert not hours.is_open(tomsk(2026, 4, 30, 17, 30))
    assert not hours.is_open(tomsk(2026, 2, 14, 12))
    assert hours.next_opening(tomsk(2026, 2, 13, 18)) == tomsk(2026, 2, 16, 9, 30)


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        ({"weekdays": "08:00-20:00"}, "unknown keys weekdays"),
        ({"working_day": "8 to 20"}, "working_day: hours '8 to 20'"),
        ({"working_day": "20:00-08:00"}, "not before closing"),
        ({"working_day": 8}, "working_day must be"),
        ({"working_day": "08:00-20:00", "shortened_by_minutes": -5}, "shortened_by_minutes"),
    ],
)
def test_bad_settings_are_refused(settings_: dict[str, object], message: str) -> None:
    with pytest.raises(ServiceHoursError, match=message):
        ServiceHours.from_settings(settings_, default_calendar(), line="billing")


MOMENTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 20), timezones=st.just(UTC)
)
LINES = st.sampled_from(sorted(SERVICE_HOURS))
ZONES = st.sampled_from([UTC, DEFAULT_ZONE, MOSCOW])


@settings(deadline=None)
@given(LINES, MOMENTS)
def test_next_opening_is_open_and_nothing_opens_before_it(line: str, moment: datetime) -> None:
    hours = SERVICE_HOURS[line]
    opening = hours.next_opening(moment)
    assert hours.is_open(opening)
    if hours.is_open(moment):
        assert opening == moment
        return
    assert opening > moment
    minute = moment.replace(second=0, microsecond=0) + MINUTE
    while minute < opening:
        assert not hours.is_open(minute), minute
        minute += MINUTE


@given(LINES, MOMENTS, ZONES)
def test_the_zone_of_the_moment_does_not_matter(
    line: str, moment: datetime, zone: ZoneInfo
) -> None:
    hours = SERVICE_HOURS[line]
    assert hours.is_open(moment.astimezone(zone)) is hours.is_open(moment)


@given(LINES, MOMENTS)
def test_closing_time_is_where_the_open_period_ends(line: str, moment: datetime) -> None:
    hours = SERVICE_HOURS[line]
    closes = hours.closing_time(moment)
    if not hours.is_open(moment):
        assert closes is None
        return
    assert closes is not None and closes > moment
    assert hours.is_open(closes - timedelta(microseconds=1))
    assert not hours.is_open(closes)
