"""The shipped production calendar against the `holidays` package's Russian calendar,
an independent source kept up to date with each year's decree."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from worktime.calendar import WorkingCalendar


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(n) for n in range((date(year + 1, 1, 1) - first).days)]


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar.load()


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_every_day_off_on_a_weekday_matches(calendar: WorkingCalendar, year: int) -> None:
    reference = holidays.country_holidays("RU", years=year)
    ours = {d for d in _days(year) if d.weekday() < 5 and not calendar.is_working_day(d)}
    theirs = {d for d in _days(year) if d.weekday() < 5 and d in reference}
    assert ours == theirs


@pytest.mark.parametrize(("year", "working_days"), [(2025, 247), (2026, 247), (2027, 247)])
def test_the_year_has_the_decreed_number_of_working_days(
    calendar: WorkingCalendar, year: int, working_days: int
) -> None:
    assert sum(calendar.is_working_day(d) for d in _days(year)) == working_days


def test_no_shipped_year_is_provisional(calendar: WorkingCalendar) -> None:
    assert not calendar.provisional_years
