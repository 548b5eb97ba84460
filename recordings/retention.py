"""When a recording must go (REC-2): pure rules, given the call's start and the zone.

A recording is kept at least ``days`` calendar days and is gone at the first local
midnight after that: a call that began on 1 October at 23:50 (local) is deleted at
00:00 on 1 December, one that began at 00:10 on 2 October at 00:00 on 2 December. So
no recording is deleted before its full term, none kept a day beyond it, and the
purge deletes a whole day's calls at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from worktime.clock import local_date


def delete_after(started_at: datetime, days: int, zone: tzinfo) -> datetime:
    """The moment (UTC) from which the recording of a call begun at ``started_at`` may
    be deleted: the first local midnight at least ``days`` days after the start."""
    term_ends = started_at + timedelta(days=days)
    day = local_date(term_ends, zone)
    midnight = datetime.combine(day, time(0), zone)
    if midnight < term_ends:
        midnight = datetime.combine(day + timedelta(days=1), time(0), zone)
    return midnight.astimezone(UTC)


def due_by_end_of_day(now: datetime, zone: tzinfo) -> datetime:
    """The next local midnight: recordings due by then (overdue ones too) go today."""
    tomorrow = local_date(now, zone) + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), zone).astimezone(UTC)


def age_in_days(started_at: datetime, now: datetime, zone: tzinfo) -> int:
    """Calendar days from the call's local date to today's."""
    return (local_date(now, zone) - local_date(started_at, zone)).days
