"""REC-2: a recording is kept 60 calendar days from the call's local start, then goes at
the first local midnight — never before its full term, never a day after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from recordings.retention import age_in_days, delete_after, due_by_end_of_day

TOMSK = ZoneInfo("Asia/Tomsk")  # UTC+7
MOSCOW = ZoneInfo("Europe/Moscow")


def local(text: str, zone: ZoneInfo = TOMSK) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def test_calls_either_side_of_local_midnight_go_on_different_nights() -> None:
    before = delete_after(local("2026-10-01T23:50"), 60, TOMSK)
    after = delete_after(local("2026-10-02T00:10"), 60, TOMSK)
    assert before == local("2026-12-01T00:00")
    assert after == local("2026-12-02T00:00")


def test_the_local_day_counts_not_the_utc_day() -> None:
    """00:30 in Tomsk is 17:30 UTC of the day before: the local date decides."""
    started = local("2026-10-02T00:30")
    assert started.astimezone(UTC).date().isoformat() == "2026-10-01"
    assert delete_after(started, 60, TOMSK) == local("2026-12-02T00:00")


def test_a_call_at_midnight_sharp_goes_exactly_60_days_later() -> None:
    assert delete_after(local("2026-10-01T00:00"), 60, TOMSK) == local("2026-11-30T00:00")


def test_the_term_is_a_setting() -> None:
    assert delete_after(local("2026-10-01T12:00"), 1, TOMSK) == local("2026-10-03T00:00")


@given(
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    st.integers(min_value=1, max_value=400),
    st.sampled_from([TOMSK, MOSCOW, ZoneInfo("Europe/Berlin")]),
)
def test_never_before_the_full_term_never_a_day_after(
    started: datetime, days: int, zone: ZoneInfo
) -> None:
    due = delete_after(started, days, zone)
    assert started + timedelta(days=days) <= due
    assert due - (started + timedelta(days=days)) <= timedelta(days=1, hours=1)
    assert due.astimezone(zone).time().hour == 0 and due.astimezone(zone).minute == 0


def test_due_today_ends_at_the_next_local_midnight() -> None:
    assert due_by_end_of_day(local("2026-12-01T23:59"), TOMSK) == local("2026-12-02T00:00")
    assert due_by_end_of_day(local("2026-12-02T00:00"), TOMSK) == local("2026-12-03T00:00")


def test_age_counts_local_calendar_days() -> None:
    assert age_in_days(local("2026-10-01T23:50"), local("2026-10-02T00:10"), TOMSK) == 1
