"""The Russian production calendar, and deadlines counted in its working days.

The dates live in ``calendar_ru.yaml``, one entry per year from the government's
decree. A day in a year the file does not cover raises :class:`CalendarError` instead
of falling back to plain Monday–Friday, so a missed yearly update shows at once.
Nothing here reads the clock: moments come in as timezone-aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import yaml

from worktime.clock import local_zone

DEFAULT_PATH = Path(__file__).with_name("calendar_ru.yaml")
DEFAULT_CLOSING = time(20, 0)
SHORTENED_BY = timedelta(hours=1)
YEAR_KEYS = frozenset(
    {"decree", "provisional", "holidays", "transfers", "working_weekends", "shortened"}
)
ONE_DAY = timedelta(days=1)


class CalendarError(ValueError):
    """The calendar has no data for a date, or its file is inconsistent."""


def _plain_date(d: date) -> date:
    if isinstance(d, datetime):
        raise TypeError(f"expected a date, got the datetime {d}; take its Asia/Tomsk date")
    return d


def _is_weekend(d: date) -> bool:
    return d.weekday() >= 5


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days: Monday–Friday, less holidays and moved days off, plus worked weekends."""

    years: frozenset[int]
    days_off: frozenset[date]
    working_weekends: frozenset[date] = frozenset()
    shortened: frozenset[date] = frozenset()
    provisional_years: frozenset[int] = frozenset()
    source: str = field(default="<mapping>", compare=False)

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> WorkingCalendar:
        with path.open(encoding="utf-8") as stream:
            data: object = yaml.safe_load(stream)
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: object, source: str = "<mapping>") -> WorkingCalendar:
        """Build from the YAML's structure; every inconsistency is reported at once."""
        return _Reader(source).calendar(data)

    def _covered(self, d: date) -> date:
        d = _plain_date(d)
        if d.year not in self.years:
            covered = ", ".join(str(year) for year in sorted(self.years)) or "no year"
            raise CalendarError(
                f"no production calendar for {d.year} in {self.source} (it covers "
                f"{covered}); add {d.year} from the government's decree"
            )
        return d

    def is_holiday(self, d: date) -> bool:
        """A public holiday or a moved day off (not an ordinary Saturday or Sunday)."""
        return self._covered(d) in self.days_off

    def is_working_day(self, d: date) -> bool:
        d = self._covered(d)
        if d in self.days_off:
            return False
        return not _is_weekend(d) or d in self.working_weekends

    def is_shortened(self, d: date) -> bool:
        """A working day one hour shorter, right before a holiday (Labour Code art. 95)."""
        return self._covered(d) in self.shortened

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        day = _plain_date(d) + ONE_DAY
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def add_working_days(self, d: date, n: int) -> date:
        """The day on which the ``n``-th working day after ``d`` falls (``d`` for 0)."""
        if n < 0:
            raise ValueError(f"cannot add a negative number of working days ({n})")
        day = _plain_date(d)
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]``; negative when ``b`` is before ``a``."""
        a, b = _plain_date(a), _plain_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for day in _days(a + ONE_DAY, b) if self.is_working_day(day))

    def working_day_end(self, d: date, closing: time = DEFAULT_CLOSING) -> datetime:
        """``closing`` on ``d`` in Asia/Tomsk, an hour earlier on a shortened day."""
        end = datetime.combine(_plain_date(d), closing, tzinfo=local_zone())
        return end - SHORTENED_BY if self.is_shortened(d) else end


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def local_moment(moment: datetime) -> datetime:
    """``moment`` in Asia/Tomsk; a naive datetime is refused, its zone being unknown."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the moment {moment} carries no time zone")
    return moment.astimezone(local_zone())


def end_of_next_working_day(
    moment: datetime, calendar: WorkingCalendar, closing: time = DEFAULT_CLOSING
) -> datetime:
    """When a message left at ``moment`` must be processed by (IVR-10).

    The standard says "no later than the next day"; for a contact center that is the
    end of the next working day after the moment's local date.
    """
    day = calendar.next_working_day(local_moment(moment).date())
    return calendar.working_day_end(day, closing)


def callback_deadline(
    moment: datetime,
    calendar: WorkingCalendar,
    working_days: int = 5,
    closing: time = DEFAULT_CLOSING,
) -> datetime:
    """The latest callback for a question taken at ``moment`` (CC-5).

    ``working_days`` = 0 means "within the working day": the end of the moment's day
    when it is a working day not yet over, else of the next working day.
    """
    local = local_moment(moment)
    today = local.date()
    if working_days == 0:
        if calendar.is_working_day(today) and local < calendar.working_day_end(today, closing):
            return calendar.working_day_end(today, closing)
        return calendar.working_day_end(calendar.next_working_day(today), closing)
    return calendar.working_day_end(calendar.add_working_days(today, working_days), closing)


@cache
def default_calendar() -> WorkingCalendar:
    """The shipped calendar, read once."""
    return WorkingCalendar.load()


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: {where}: {message}")

    def calendar(self, data: object) -> WorkingCalendar:
        raw_years = data.get("years") if isinstance(data, Mapping) else None
        if not isinstance(raw_years, Mapping) or not raw_years:
            raise CalendarError(f"{self.source}: needs a non-empty 'years' mapping")
        years: set[int] = set()
        days_off: set[date] = set()
        working: set[date] = set()
        shortened: set[date] = set()
        provisional: set[int] = set()
        for key, entry in raw_years.items():
            year = self.year(key)
            if year is None:
                continue
            if not isinstance(entry, Mapping):
                self.fail(str(year), "must be a mapping")
                continue
            years.add(year)
            off, extra, short = self.year_entry(year, entry)
            days_off |= off
            working |= extra
            shortened |= short
            if entry.get("provisional") is True:
                provisional.add(year)
        if self.problems:
            raise CalendarError("\n".join(self.problems))
        return WorkingCalendar(
            years=frozenset(years),
            days_off=frozenset(days_off),
            working_weekends=frozenset(working),
            shortened=frozenset(shortened),
            provisional_years=frozenset(provisional),
            source=self.source,
        )

    def year(self, key: object) -> int | None:
        if isinstance(key, int) and not isinstance(key, bool) and 1900 < key < 2200:
            return key
        if isinstance(key, str) and key.isdigit():
            return self.year(int(key))
        self.fail(f"year {key!r}", "is not a year")
        return None

    def year_entry(
        self, year: int, entry: Mapping[object, object]
    ) -> tuple[set[date], set[date], set[date]]:
        where = str(year)
        for key in set(entry) - YEAR_KEYS:
            self.fail(where, f"unknown key {key!r}")
        decree = entry.get("decree")
        if entry.get("provisional") is not True and not (isinstance(decree, str) and decree):
            self.fail(where, "name its decree, or mark the year 'provisional: true'")
        holidays = set(self.dates(year, "holidays", entry.get("holidays", [])))
        working = set(self.dates(year, "working_weekends", entry.get("working_weekends", [])))
        for day in sorted(working):
            if not _is_weekend(day) or day in holidays:
                self.fail(where, f"working weekend {day}: not a Saturday or Sunday, or a holiday")
        off = set(holidays)
        moved_from: set[date] = set()
        for pair in self.pairs(where, entry.get("transfers", [])):
            source_day, target = (self.date(year, "transfers", pair.get(k)) for k in ("from", "to"))
            if source_day is None or target is None:
                continue
            moved_from.add(source_day)
            if source_day not in holidays and source_day not in working:
                self.fail(where, f"transfer from {source_day}: not a holiday or working weekend")
            if _is_weekend(target) or target in off:
                self.fail(where, f"transfer to {target}: not an ordinary weekday")
            off.add(target)
        for day in sorted(working - moved_from):
            self.fail(where, f"working weekend {day} has no transfer of its day off")
        shortened = set(self.dates(year, "shortened", entry.get("shortened", [])))
        for day in sorted(shortened):
            if day in off or (_is_weekend(day) and day not in working):
                self.fail(where, f"shortened day {day} is not a working day")
        return off, working, shortened

    def pairs(self, where: str, raw: object) -> Iterable[Mapping[object, object]]:
        if not isinstance(raw, list):
            self.fail(where, "transfers must be a list of {from, to}")
            return []
        good = [item for item in raw if isinstance(item, Mapping)]
        if len(good) != len(raw):
            self.fail(where, "each transfer must be a mapping {from: date, to: date}")
        return good

    def dates(self, year: int, what: str, raw: object) -> list[date]:
        if not isinstance(raw, list):
            self.fail(str(year), f"{what} must be a list of dates")
            return []
        parsed = (self.date(year, what, item) for item in raw)
        return [day for day in parsed if day is not None]

    def date(self, year: int, what: str, raw: object) -> date | None:
        day: date | None = None
        if isinstance(raw, date) and not isinstance(raw, datetime):
            day = raw
        elif isinstance(raw, str):
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                day = None
        if day is None or day.year != year:
            shown = raw.isoformat() if isinstance(raw, date) else repr(raw)
            self.fail(str(year), f"{what}: {shown} is not a date in {year}")
            return None
        return day
