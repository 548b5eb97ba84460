"""The recordings search form read into a query (or refused with the field and the
reason), and the times and lengths its pages show; no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

from recordings.storage import COLUMN_LENGTHS, RecordingQuery
from worktime.clock import local_zone

LOCAL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TEXT_FILTERS = {
    "account": "account_number",
    "number": "caller_id",
    "operator": "operator",
    "topic": "topic",
    "outcome": "outcome",
}
"""The search form's text fields and the index column whose size bounds each."""
DATE_FILTERS = ("date_from", "date_to")


class FilterError(ValueError):
    """A search field that cannot be searched by; the message says which and why."""


def local_time(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone(local_zone()):%Y-%m-%d %H:%M:%S}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{rest:02}" if hours else f"{minutes}:{rest:02}"


def search_of(form: Mapping[str, str]) -> RecordingQuery:
    """The query the search form's fields ask for (local dates, both days included),
    or :class:`FilterError`."""
    for name, column in TEXT_FILTERS.items():
        value, limit = form[name], COLUMN_LENGTHS[column]
        if len(value) > limit:
            raise FilterError(f"{name}: {len(value):,} characters, at most {limit}")
        if not value.isprintable():
            raise FilterError(f"{name}: it has a control character")
    since, until = (_local_date(name, form[name]) for name in DATE_FILTERS)
    if since and until and since > until:
        raise FilterError(f"the date from ({since}) is after the date to ({until})")
    return RecordingQuery(
        account_number=form["account"],
        number=form["number"],
        operator=form["operator"],
        topic=form["topic"],
        outcome=form["outcome"],
        since=None if since is None else _midnight(since),
        until=None if until is None else _midnight(until + timedelta(days=1)),
    )


def _local_date(name: str, value: str) -> date | None:
    if not value:
        return None
    try:
        if not LOCAL_DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        shown = name.replace("_", " ")
        raise FilterError(f"{shown}: {value[:40]!r} is no date like 2026-11-27") from None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), local_zone()).astimezone(UTC)
