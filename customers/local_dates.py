"""The region's calendar date of a moment.

Moments are stored and compared in UTC, but a customer's day is the local one: a
reading given at 02:37 in Tomsk is a reading of that day, not of the UTC day before.
Every date derived from a moment goes through :func:`local_date`, with the zone passed
in by the caller (the call's ``services.timezone``) or the region's default.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from worktime.clock import LOCAL_TIME


def local_date(moment: datetime, timezone: tzinfo = LOCAL_TIME) -> date:
    """The calendar date of ``moment`` in ``timezone``."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: a moment must carry a zone")
    return moment.astimezone(timezone).date()
