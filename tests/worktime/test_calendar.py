"""The production calendar on real dates, deadlines counted in it, and its file's checks."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from worktime.calendar import (
    DEFAULT_PATH,
    CalendarError,
    WorkingCalendar,
    callback_deadline,
    default_calendar,
    end_of_next_working_day,
)
from worktime.clock import DEFAULT_ZONE

CAL = default_calendar()
ART_112 = [(1, day) for day in range(1, 9)] + [(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)]
# Leave room at the end of 2027: the day after the last covered one raises.
COVERED_DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 11, 30))


def tomsk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DEFAULT_ZONE)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_shipped_file_covers_three_decreed_years() -> None:
    assert CAL.years == {2025, 2026, 2027}
    assert CAL.provisional_years == frozenset()
    assert WorkingCalendar.load() == CAL
    assert DEFAULT_PATH.name == "calendar_ru.yaml"
    assert DEFAULT_PATH.parent == Path(__file__).resolve().parents[2] / "worktime"


@pytest.mark.parametrize("year", [2025, 2026, 2027])
@pytest.mark.parametrize(("month", "day"), ART_112)
def test_every_labour_code_holiday_is_a_day_off(year: int, month: int, day: int) -> None:
    holiday = date(year, month, day)
    assert CAL.is_holiday(holiday)
    assert not CAL.is_working_day(holiday)
    assert not CAL.is_shortened(holiday)


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        *[(date(2026, 1, d), False, "new-year holidays") for d in range(1, 9)],
        (date(2026, 1, 9), False, "moved from Saturday 3 January"),
        (date(2026, 1, 12), True, "first working day of 2026"),
        (date(2026, 2, 13), True, "ordinary Friday"),
        (date(2026, 2, 14), False, "ordinary Saturday"),
        (date(2026, 2, 15), False, "ordinary Sunday"),
        (date(2026, 2, 23), False, "Defender of the Fatherland Day, a Monday"),
        (date(2026, 2, 24), True, "ordinary Tuesday"),
        (date(2026, 3, 9), False, "8 March was a Sunday: art. 112 moves it"),
        (date(2026, 5, 11), False, "9 May was a Saturday: art. 112 moves it"),
        (date(2026, 12, 31), False, "moved from Sunday 4 January"),
        (date(2025, 2, 24), True, "decree moved 23 Feb 2025 to 8 May instead"),
        (date(2025, 3, 10), True, "decree moved 8 Mar 2025 to 13 June instead"),
        (date(2025, 5, 2), False, "moved from Saturday 4 January"),
        (date(2025, 5, 8), False, "moved from Sunday 23 February"),
        (date(2025, 6, 13), False, "moved from Saturday 8 March"),
        (date(2025, 11, 1), True, "Saturday made working"),
        (date(2025, 11, 3), False, "its day off"),
        (date(2025, 12, 31), False, "moved from Sunday 5 January"),
        (date(2027, 5, 3), False, "art. 112: 1 May 2027 is a Saturday"),
        (date(2027, 5, 10), False, "art. 112: 9 May 2027 is a Sunday"),
        (date(2027, 6, 14), False, "art. 112: 12 June 2027 is a Saturday"),
    ],
)
def test_working_days_on_real_dates(day: date, working: bool, why: str) -> None:
    assert CAL.is_working_day(day) is working, why


@pytest.mark.parametrize(
    ("day", "shortened"),
    [
        (date(2025, 3, 7), True),
        (date(2025, 4, 30), True),
        (date(2025, 6, 11), True),
        (date(2025, 11, 1), True),
        (date(2026, 4, 30), True),
        (date(2026, 5, 8), True),
        (date(2026, 6, 11), True),
        (date(2026, 11, 3), True),
        (date(2026, 2, 20), False),  # Friday before a weekend, not before the holiday
        (date(2026, 12, 30), False),  # before a moved day off, not before a holiday
        (date(2026, 2, 23), False),
        (date(2026, 2, 13), False),
    ],
)
def test_shortened_pre_holiday_days(day: date, shortened: bool) -> None:
    assert CAL.is_shortened(day) is shortened


@pytest.mark.parametrize(("year", "days", "hours"), [(2025, 247, 1972), (2026, 247, 1972)])
def test_year_totals_match_the_published_norms(year: int, days: int, hours: int) -> None:
    worked = [
        date(year, 1, 1) + timedelta(n)
        for n in range(365)
        if CAL.is_working_day(date(year, 1, 1) + timedelta(n))
    ]
    assert len(worked) == days
    assert CAL.working_days_between(date(year - 1, 12, 31), date(year, 12, 31)) == days
    assert sum(7 if CAL.is_shortened(d) else 8 for d in worked) == hours


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 30), date(2026, 1, 12)),
        (date(2026, 1, 1), date(2026, 1, 12)),
        (date(2026, 2, 13), date(2026, 2, 16)),
        (date(2026, 2, 20), date(2026, 2, 24)),
        (date(2025, 10, 31), date(2025, 11, 1)),
        (date(2025, 11, 1), date(2025, 11, 5)),
        (date(2026, 2, 16), date(2026, 2, 17)),
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert CAL.next_working_day(day) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 2, 16), 5, date(2026, 2, 24)),
        (date(2026, 2, 16), 0, date(2026, 2, 16)),
        (date(2026, 2, 15), 1, date(2026, 2, 16)),
        (date(2025, 12, 29), 2, date(2026, 1, 12)),
        (date(2026, 4, 27), 5, date(2026, 5, 5)),
    ],
)
def test_add_working_days(day: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(day, n) == expected


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2025, 12, 31), date(2026, 1, 31)) == 15
    assert CAL.working_days_between(date(2026, 1, 31), date(2025, 12, 31)) == -15
    assert CAL.working_days_between(date(2026, 2, 16), date(2026, 2, 16)) == 0
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(date(2026, 2, 16), -1)


@pytest.mark.parametrize(
    ("call", "year"),
    [
        (lambda: CAL.is_working_day(date(2031, 3, 3)), 2031),
        (lambda: CAL.is_shortened(date(2024, 12, 28)), 2024),
        (lambda: CAL.next_working_day(date(2027, 12, 31)), 2028),
        (lambda: CAL.add_working_days(date(2027, 12, 20), 30), 2028),
    ],
)
def test_a_year_without_data_raises_naming_it(call: Any, year: int) -> None:
    with pytest.raises(CalendarError, match=f"no production calendar for {year} in .*calendar_ru"):
        call()


def test_a_datetime_is_not_taken_for_a_date() -> None:
    with pytest.raises(TypeError, match="Asia/Tomsk"):
        CAL.is_working_day(utc(2026, 2, 13, 20))


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        (tomsk(2026, 2, 6, 22), tomsk(2026, 2, 9, 20)),  # Friday night -> Monday
        (utc(2026, 2, 6, 15), tomsk(2026, 2, 9, 20)),  # the same moment in UTC
        (utc(2026, 2, 6, 18, 30), tomsk(2026, 2, 9, 20)),  # Saturday 01:30 in Tomsk
        (utc(2026, 2, 8, 17, 30), tomsk(2026, 2, 10, 20)),  # Sunday in UTC, Monday in Tomsk
        (tomsk(2025, 12, 30, 22), tomsk(2026, 1, 12, 20)),  # before New Year
        (tomsk(2026, 1, 3, 10), tomsk(2026, 1, 12, 20)),  # during the holidays
        (tomsk(2026, 4, 29, 21), tomsk(2026, 4, 30, 19)),  # due on a shortened day
    ],
)
def test_answering_machine_message_deadline(moment: datetime, due: datetime) -> None:
    deadline = end_of_next_working_day(moment, CAL)
    assert deadline == due
    assert deadline.utcoffset() == timedelta(hours=7)


def test_deadline_takes_a_closing_time_and_refuses_naive_moments() -> None:
    friday = tomsk(2026, 2, 6, 22)
    assert end_of_next_working_day(friday, CAL, time(18, 0)) == tomsk(2026, 2, 9, 18)
    with pytest.raises(ValueError, match="time zone"):
        end_of_next_working_day(datetime(2026, 2, 6, 22), CAL)


@pytest.mark.parametrize(
    ("moment", "working_days", "due"),
    [
        (tomsk(2026, 2, 16, 10), 5, tomsk(2026, 2, 24, 20)),  # over 23 February
        (tomsk(2026, 4, 23, 10), 5, tomsk(2026, 4, 30, 19)),  # lands on a shortened day
        (utc(2025, 12, 26, 5), 5, tomsk(2026, 1, 14, 20)),  # over the new-year holidays
        (tomsk(2026, 2, 16, 10), 0, tomsk(2026, 2, 16, 20)),  # within the working day
        (tomsk(2026, 2, 16, 20, 30), 0, tomsk(2026, 2, 17, 20)),  # that day is over
        (tomsk(2026, 2, 14, 12), 0, tomsk(2026, 2, 16, 20)),  # Saturday
    ],
)
def test_callback_deadline(moment: datetime, working_days: int, due: datetime) -> None:
    assert callback_deadline(moment, CAL, working_days) == due


def _calendar(body: str) -> WorkingCalendar:
    return WorkingCalendar.from_mapping(yaml.safe_load(textwrap.dedent(body)), source="t.yaml")


def test_a_custom_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "years:\n  2030:\n    decree: test\n    holidays: [2030-01-01]\n", encoding="utf-8"
    )
    calendar = WorkingCalendar.load(path)
    assert not calendar.is_working_day(date(2030, 1, 1))
    assert calendar.is_working_day(date(2030, 1, 2))
    with pytest.raises(CalendarError, match=f"2031 in {path}"):
        calendar.is_working_day(date(2031, 1, 1))


def test_every_inconsistency_in_the_file_is_reported_at_once() -> None:
    body = """\
        years:
          2026:
            holidays: [2026-01-01, 2025-05-01]
            transfers:
              - {from: 2026-01-01, to: 2026-01-10}
              - {from: 2026-02-10, to: 2026-02-11}
            working_weekends: [2026-02-21, 2026-02-16]
            shortened: [2026-01-01, 2026-02-15]
            colour: red
        """
    with pytest.raises(CalendarError) as raised:
        _calendar(body)
    problems = str(raised.value).splitlines()
    expected = [
        "name its decree",
        "2025-05-01",
        "transfer to 2026-01-10",
        "transfer from 2026-02-10",
        "2026-02-16: not a Saturday or Sunday",
        "2026-02-16 has no transfer",
        "2026-02-21 has no transfer",
        "shortened day 2026-01-01",
        "shortened day 2026-02-15",
        "unknown key 'colour'",
    ]
    for fragment in expected:
        assert any(fragment in problem for problem in problems), fragment
    assert all(problem.startswith("t.yaml: ") for problem in problems)
    assert len(problems) == len(expected)


@pytest.mark.parametrize("data", [None, {}, {"years": {}}, {"years": [2026]}])
def test_a_file_without_years_is_refused(data: object) -> None:
    with pytest.raises(CalendarError, match="years"):
        WorkingCalendar.from_mapping(data)


@given(COVERED_DAYS)
def test_next_working_day_is_working_strictly_later_and_first(day: date) -> None:
    following = CAL.next_working_day(day)
    assert following > day
    assert CAL.is_working_day(following)
    between = (day + timedelta(n) for n in range(1, (following - day).days))
    assert not any(CAL.is_working_day(d) for d in between)


# 40 working days take at most about 60 calendar days: stay inside the covered years
@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 10, 15)),
    st.integers(min_value=0, max_value=40),
)
def test_add_working_days_spans_exactly_n_working_days(day: date, n: int) -> None:
    result = CAL.add_working_days(day, n)
    span = [day + timedelta(k) for k in range(1, (result - day).days + 1)]
    assert sum(CAL.is_working_day(d) for d in span) == n
    assert n == 0 or CAL.is_working_day(result)
    assert CAL.working_days_between(day, result) == n


@given(COVERED_DAYS, COVERED_DAYS)
def test_working_days_between_is_antisymmetric(a: date, b: date) -> None:
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)
